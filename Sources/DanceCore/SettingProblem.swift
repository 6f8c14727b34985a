/// What is wrong with one setting, spelled for the command line (`--drop`) or a pipeline file
/// (`'drop'`): the one problem type every options type (stages, training, experiments) reports,
/// so no library spells a flag itself.
public enum SettingProblem: Error, Equatable, Sendable {
  /// The value is outside the setting's allowed values.
  case outOfRange(NumericSetting, given: String)
  /// A policy parameter given with another policy (`--drop` with `--policy budget`): the setting,
  /// the policy it belongs to and the policy in effect, by their names.
  case belongsToOtherPolicy(NumericSetting, owner: String, policy: String)
  /// Another problem, with the setting's command-line name (no dashes) and the reason.
  case invalid(setting: String, reason: String)
  /// A problem of a whole configuration that no one setting names (a network configuration), in words.
  case other(reason: String)

  /// Where a setting was given: the spelling of its name in messages.
  public enum Spelling: Sendable {
    /// `--shard-samples`.
    case commandLine
    /// `'shard_samples'` in a pipeline file.
    case pipelineFile
  }

  /// The setting's command-line name without dashes (`shard-samples`); empty for ``other(reason:)``.
  public var setting: String {
    switch self {
    case .outOfRange(let setting, _), .belongsToOtherPolicy(let setting, _, _): setting.name
    case .invalid(let setting, _): setting
    case .other: ""
    }
  }

  /// The pipeline-file key of the setting (`shard_samples`).
  public var key: String { NumericSetting.key(forName: setting) }

  /// The name as the user wrote it: `--shard-samples` or `'shard_samples'`.
  public func name(_ spelling: Spelling) -> String {
    spelling == .commandLine ? "--" + setting : "'\(key)'"
  }

  /// The message, naming the setting as the user wrote it.
  public func message(_ spelling: Spelling) -> String {
    let name = name(spelling)
    switch self {
    case .outOfRange(let setting, let given):
      return "\(name) must be \(setting.requirement), got " + (spelling == .commandLine ? given : "'\(given)'")
    case .belongsToOtherPolicy(_, let owner, let policy):
      return spelling == .commandLine
        ? "\(name) applies to --policy \(owner) only (the policy is \(policy))"
        : "\(name) applies to policy \(owner) only (this file's policy is \(policy))"
    case .invalid(_, let reason):
      return "\(name) \(reason)"
    case .other(let reason):
      return reason
    }
  }

  /// ``outOfRange(_:given:)`` when `setting` does not allow `value`, else `nil`.
  public static func check(_ setting: NumericSetting, _ value: Double) -> SettingProblem? {
    setting.allows(value) ? nil : .outOfRange(setting, given: NumericSetting.format(value))
  }

  /// ``outOfRange(_:given:)`` when `setting` does not allow `value`, else `nil`.
  public static func check(_ setting: NumericSetting, _ value: Int) -> SettingProblem? {
    setting.allows(value) ? nil : .outOfRange(setting, given: String(value))
  }
}

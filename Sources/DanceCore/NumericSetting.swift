/// The allowed values of one numeric setting, the single definition both the command line
/// (`--shard-samples`) and pipeline files (`shard_samples:`) check against; the stages', the
/// trainer's and the experiment's settings are all defined this way.
///
/// A setting is named as the user types it on the command line; ``flag`` and ``key`` derive the
/// two spellings, so a message never shows a Swift property name.
public struct NumericSetting: Sendable, Equatable {
  /// The values a setting accepts.
  public enum Bounds: Sendable, Equatable {
    /// A whole number in the range.
    case wholeNumber(ClosedRange<Int>)
    /// A number between `lower` and `upper`, each end included or not.
    case number(lower: Double, includesLower: Bool, upper: Double, includesUpper: Bool)
  }

  /// The name without dashes, as the command line spells it (`shard-samples`).
  public let name: String
  /// The allowed values.
  public let bounds: Bounds
  /// What the number counts (`pixels`, `bytes`, `samples`), or `nil` for a fraction; for help texts.
  public let unit: String?

  /// Creates a setting.
  public init(name: String, bounds: Bounds, unit: String? = nil) {
    self.name = name
    self.bounds = bounds
    self.unit = unit
  }

  /// The command-line option: `--shard-samples`.
  public var flag: String { "--" + name }

  /// The pipeline-file key: `shard_samples`.
  public var key: String { Self.key(forName: name) }

  /// The pipeline-file key of the command-line name `name`: dashes become underscores.
  public static func key(forName name: String) -> String { String(name.map { $0 == "-" ? "_" : $0 }) }

  /// The requirement in words: `a whole number 1 or more`, `a whole number in 1…4096`, `a number in (0, 1]`,
  /// `a number above 0` (no upper bound: `upper` is infinity, never included).
  public var requirement: String {
    switch bounds {
    case .wholeNumber(let range):
      let text = range.upperBound == Int.max ? "\(range.lowerBound) or more" : "in \(range.lowerBound)…\(range.upperBound)"
      return "a whole number \(text)"
    case .number(let lower, let includesLower, let upper, let includesUpper):
      if upper == .infinity { return "a number \(includesLower ? "\(Self.format(lower)) or more" : "above \(Self.format(lower))")" }
      return "a number in \(includesLower ? "[" : "(")\(Self.format(lower)), \(Self.format(upper))\(includesUpper ? "]" : ")")"
    }
  }

  /// Whether `value` is allowed (a whole-number setting allows only whole values).
  public func allows(_ value: Double) -> Bool {
    guard value.isFinite else { return false }
    switch bounds {
    case .wholeNumber(let range):
      guard value.rounded() == value, let whole = Int(exactly: value) else { return false }
      return range.contains(whole)
    case .number(let lower, let includesLower, let upper, let includesUpper):
      return (includesLower ? value >= lower : value > lower) && (includesUpper ? value <= upper : value < upper)
    }
  }

  /// Whether `value` is allowed.
  public func allows(_ value: Int) -> Bool {
    switch bounds {
    case .wholeNumber(let range): range.contains(value)
    case .number: allows(Double(value))
    }
  }

  /// `0.5`, not `0.5000`; `1`, not `1.0`.
  public static func format(_ value: Double) -> String {
    value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }
}

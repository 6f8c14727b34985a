public import OutputStore
import Complexity
public import DanceCore
import Datasets
public import ImageCodecs
public import Slimming

/// What every stage of one run shares: threads, progress and decode limits.
public struct StageContext: Sendable {
  /// Worker threads (`nil`: all cores).
  public var workers: Int?
  /// How progress is shown.
  public var progress: ProgressReporter.Style
  /// Limits and strictness of every decode.
  public var decodeOptions: DecodeOptions

  /// Creates a context; by default all cores, automatic progress and strict decoding.
  public init(workers: Int? = nil, progress: ProgressReporter.Style = .automatic, decodeOptions: DecodeOptions = DecodeOptions()) {
    self.workers = workers
    self.progress = progress
    self.decodeOptions = decodeOptions
  }
}

/// The settings of the scan stage (`dance scan`, `scan:` in a pipeline file).
public struct ScanOptions: Sendable, Equatable, Codable {
  /// Decode every image fully instead of reading headers.
  public var verifyImages = false

  /// The defaults.
  public init() {}
}

/// The settings of the score stage (`dance score`, `score:` in a pipeline file).
public struct ScoreOptions: Sendable, Equatable, Codable {
  /// The indicators to compute.
  public var indicators = Indicator.defaultSet
  /// Only these splits (`nil`: every split).
  public var splits: [DatasetSplit]?
  /// Stop at the first sample that fails instead of recording it and going on.
  public var failFast = false

  /// The default indicator set on every split.
  public init(indicators: [Indicator] = Indicator.defaultSet, splits: [DatasetSplit]? = nil, failFast: Bool = false) {
    self.indicators = indicators
    self.splits = splits
    self.failFast = failFast
  }

  /// Whether a sample of `split` gets these indicators.
  func covers(_ split: DatasetSplit) -> Bool { splits?.contains(split) ?? true }
}

/// The settings of the slim stage (`dance slim`, `slim:` in a pipeline file), each defined here
/// once: its default, its allowed values and how it combines with the others (``problem``). The
/// command line and the pipeline-file reader only map their spellings onto these fields.
public struct SlimOptions: Sendable, Equatable, Codable {
  /// The shard rollover when neither ``shardSize`` nor ``shardSamples`` is given: 256 MiB.
  public static let defaultShardSize = 256 << 20

  /// The policy of the slimmed splits.
  public var policy: SlimPolicyName = .quantile
  /// The quantile policy's fraction of the simplest samples dropped (`nil`: 0.1).
  public var drop: Double?
  /// The budget policy's fraction of the split's pixels kept (`nil`: 0.5).
  public var budget: Double?
  /// The fixed policy's scale (`nil`: 0.5).
  public var scale: Double?
  /// The indicator that ranks samples.
  public var indicator: Indicator = .siMean
  /// Loss weights (`nil`: the policy's default, ``SlimPolicyName/defaultWeights``).
  public var weights: WeightsName?
  /// The range of linear loss weights before renormalisation (`nil`: 0.5 … 1.5).
  public var weightRange: ClosedRange<Double>?
  /// The scales the budget policy may choose (`nil`: ``SlimmingPolicy/defaultBudgetScales``);
  /// 1 is always allowed. Leaving out small scales sets a floor on the output size.
  public var budgetScales: [Double]?
  /// Which samples a percentile rank compares: the split, or each sequence or city.
  public var rankGroups = RankGroups.split
  /// Whether the budget policy may drop samples (`false`: downsample only).
  public var budgetMayDrop = true
  /// Which end of the ranking keeps its size: the most complex samples (DANCE), or the simplest.
  public var rankOrder = RankOrder.complexFirst
  /// The splits the policy applies to; the others are written at full resolution.
  public var splits: [DatasetSplit] = [.train]
  /// Output sides are rounded to a multiple of this.
  public var align = 1
  /// Codecs and resampling.
  public var output = SlimOutputOptions()
  /// Shard rollover by bytes (`nil`: ``defaultShardSize`` unless ``shardSamples`` is given).
  public var shardSize: Int?
  /// Shard rollover by samples.
  public var shardSamples: Int?
  /// A control for experiments: the policy's decisions handed to the samples in this seed's
  /// pseudo-random order instead of by complexity, without loss weights unless ``weights`` asks for
  /// them, which then follow the rank handed out (``Planner/shuffled(_:inputs:seed:align:weights:)``).
  public var randomAssignment: UInt64?
  /// Plan only: record and report the plan, write no shard.
  public var dryRun = false
  /// Empty a non-empty output directory (only the files Dance's manifests list) and forget its rows first.
  public var overwrite = false
  /// Stop at the first sample that fails instead of recording it and going on.
  public var failFast = false

  /// The defaults: DANCE's quantile bands ranked by si-mean, with linear loss weights, on train.
  public init() {}

  /// Each policy's parameter setting with its value as given.
  private var policyParameters: [(setting: NumericSetting, value: Double?)] {
    [(Settings.drop, drop), (Settings.budget, budget), (Settings.scale, scale)]
  }

  /// The policy with its parameter as given, else its default.
  public var resolvedPolicy: SlimmingPolicy {
    let resolved = policy.policy(parameter: policyParameters.first { $0.setting == policy.parameter }?.value)
    if case .budget(let budget, _) = resolved, let budgetScales { return .budget(pixelBudget: budget, scales: budgetScales) }
    return resolved
  }

  /// How the planner ranks, and whether the budget solver may drop.
  public var planning: PlanningOptions { PlanningOptions(rankGroups: rankGroups, budgetMayDrop: budgetMayDrop, rankOrder: rankOrder) }

  /// The loss weights of the slimmed splits: with a random assignment none unless asked for.
  public var weightScheme: WeightScheme {
    let name = weights ?? (randomAssignment != nil ? .none : policy.defaultWeights)
    guard name == .linear, let weightRange else { return name.scheme }
    return .linear(minimum: weightRange.lowerBound, maximum: weightRange.upperBound)
  }

  /// Shard rollover by bytes in effect.
  public var shardMaxBytes: Int? { shardSize ?? (shardSamples == nil ? Self.defaultShardSize : nil) }

  /// The indicators the plan reads: the ranking one, and the label fidelities the budget solver weighs.
  public var neededIndicators: [Indicator] {
    var needed = [indicator]
    if policy == .budget { needed += [.fidelity75, .fidelity50, .fidelity25] }
    return needed
  }

  /// What the plan needs scored: ``neededIndicators`` on every split (every written sample
  /// carries them, so a shard's bytes never depend on what else happens to be cached).
  public var scoreRequest: ScoreOptions { ScoreOptions(indicators: neededIndicators, splits: nil, failFast: failFast) }

  /// The first thing wrong with these settings, or `nil`: a value out of range, a policy
  /// parameter given with another policy, or settings that contradict each other.
  public var problem: SettingProblem? {
    for (setting, value) in policyParameters {
      guard let value else { continue }
      if let owner = SlimPolicyName.owner(of: setting), owner != policy {
        return .belongsToOtherPolicy(setting, owner: owner.rawValue, policy: policy.rawValue)
      }
      if !setting.allows(value) { return .outOfRange(setting, given: NumericSetting.format(value)) }
    }
    let checks: [(NumericSetting, Int?)] = [
      (Settings.align, align), (Settings.jpegQuality, output.jpegQuality), (Settings.pngLevel, output.pngLevel),
      (Settings.shardSize, shardSize), (Settings.shardSamples, shardSamples),
    ]
    for (setting, value) in checks {
      if let value, !setting.allows(value) { return .outOfRange(setting, given: String(value)) }
    }
    if splits.isEmpty { return .invalid(setting: "splits", reason: "must name at least one split") }
    if let weightRange, !(weightRange.lowerBound >= 0 && weightRange.upperBound.isFinite && weightRange.upperBound > 0) {
      return .invalid(setting: "weight-range", reason: "must be MIN,MAX with 0 ≤ MIN ≤ MAX and MAX > 0, got \(weightRange.lowerBound),\(weightRange.upperBound)")
    }
    if weightRange != nil && weightScheme == .none {
      return .invalid(setting: "weight-range", reason: "applies to linear weights only")
    }
    if budgetScales != nil || !budgetMayDrop, policy != .budget {
      return .invalid(setting: budgetScales != nil ? "scales" : "downsample-only", reason: "applies to the budget policy only")
    }
    do throws(SlimmingError) { try resolvedPolicy.validate() } catch { return .invalid(setting: "policy", reason: error.description) }
    return nil
  }
}

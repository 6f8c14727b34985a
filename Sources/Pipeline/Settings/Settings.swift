public import DanceCore
import Datasets
public import Slimming

/// The numeric settings of the `dance` commands and of pipeline files, each defined once: the
/// command line's `validate()` and the pipeline-file parser both check against these.
public enum Settings {
  /// `--drop` / `drop:`: the fraction of the simplest samples the quantile policy drops.
  public static let drop = NumericSetting(name: "drop", bounds: .number(lower: 0, includesLower: true, upper: 1, includesUpper: false))
  /// `--budget` / `budget:`: the fraction of the split's pixels the budget policy keeps.
  /// Defined by the planner's ``SlimmingPolicy/pixelBudget``, which `dance experiment` checks too.
  public static let budget = SlimmingPolicy.pixelBudget
  /// `--scale` / `scale:`: the scale of every sample under the fixed policy.
  public static let scale = NumericSetting(name: "scale", bounds: .number(lower: 0, includesLower: false, upper: 1, includesUpper: true))
  /// `--align` / `align:`: output sides are rounded to a multiple of this.
  public static let align = NumericSetting(name: "align", bounds: .wholeNumber(1...4096), unit: "pixels")
  /// `--jpeg-quality` / `jpeg_quality:`.
  public static let jpegQuality = NumericSetting(name: "jpeg-quality", bounds: .wholeNumber(1...100))
  /// `--png-level` / `png_level:`: the zlib level of image PNGs.
  public static let pngLevel = NumericSetting(name: "png-level", bounds: .wholeNumber(0...9))
  /// `--shard-size` / `shard_size:`: at least the smallest tar archive (10 KiB); written as a
  /// ``ByteSize`` (`64MiB`).
  public static let shardSize = NumericSetting(name: "shard-size", bounds: .wholeNumber(10240...Int.max), unit: "bytes")
  /// `--shard-size` of `dance export mds`: what MDS's 32-bit shard offsets can address.
  public static let mdsShardSize = NumericSetting(name: "shard-size", bounds: .wholeNumber(1...4_294_967_295), unit: "bytes")
  /// `--shard-samples` / `shard_samples:`.
  public static let shardSamples = NumericSetting(name: "shard-samples", bounds: .wholeNumber(1...Int.max), unit: "samples")
  /// `--workers` / `workers:`: worker threads.
  public static let workers = NumericSetting(name: "workers", bounds: .wholeNumber(1...4096), unit: "threads")
  /// `--partitions`: the number of parts of a Kubernetes Indexed Job.
  public static let partitions = NumericSetting(name: "partitions", bounds: .wholeNumber(1...Int.max), unit: "parts")
  /// `--extremes` / `extremes:`: least and most complex images in the audit.
  public static let extremes = NumericSetting(name: "extremes", bounds: .wholeNumber(0...1000), unit: "images")
  /// `--max-problems`: problems listed in the scan's text report.
  public static let maxProblems = NumericSetting(name: "max-problems", bounds: .wholeNumber(0...Int.max), unit: "problems")
  /// `--max-pixels` of inspect: the largest image decoded.
  public static let maxPixels = NumericSetting(name: "max-pixels", bounds: .wholeNumber(1...Int.max), unit: "pixels")
  /// `--train` / `train:` of synth.
  public static let trainSamples = NumericSetting(name: DatasetSplit.train.rawValue, bounds: .wholeNumber(0...Int.max), unit: "samples")
  /// `--val` / `val:` of synth.
  public static let valSamples = NumericSetting(name: DatasetSplit.val.rawValue, bounds: .wholeNumber(0...Int.max), unit: "samples")
  /// `--test` / `test:` of synth.
  public static let testSamples = NumericSetting(name: DatasetSplit.test.rawValue, bounds: .wholeNumber(0...Int.max), unit: "samples")

  /// The split names a command or file may give: `train, val, test`.
  public static let knownSplits = DatasetSplit.allCases.map(\.rawValue)
}

/// A slimming policy by the name the command line (`--policy`) and pipeline files (`policy:`) use.
public enum SlimPolicyName: String, CaseIterable, Sendable, Codable {
  /// DANCE bands, with `--drop`.
  case quantile
  /// A pixel budget, with `--budget`.
  case budget
  /// One scale for every sample (a baseline), with `--scale`.
  case fixed
  /// Everything at full resolution (a baseline).
  case none

  /// The policy's one parameter (`--drop`, `--budget`, `--scale`); `nil` for `none`. The other
  /// policies' parameters are refused with this policy.
  public var parameter: NumericSetting? {
    switch self {
    case .quantile: Settings.drop
    case .budget: Settings.budget
    case .fixed: Settings.scale
    case .none: nil
    }
  }

  /// The parameter's value when none is given: drop 0.1, budget 0.5, scale 0.5.
  public var defaultParameter: Double? {
    switch self {
    case .quantile: SlimmingPolicy.defaultDrop
    case .budget: SlimmingPolicy.defaultPixelBudget
    case .fixed: 0.5
    case .none: nil
    }
  }

  /// The policy whose parameter is `setting`, if any.
  public static func owner(of setting: NumericSetting) -> SlimPolicyName? {
    allCases.first { $0.parameter == setting }
  }

  /// The policy with `parameter`, or ``defaultParameter`` when it is `nil`.
  public func policy(parameter: Double?) -> SlimmingPolicy {
    let value = parameter ?? defaultParameter ?? 0
    switch self {
    case .quantile: return .quantile(drop: value, bands: SlimmingPolicy.defaultBands)
    case .budget: return .budget(pixelBudget: value, scales: SlimmingPolicy.defaultBudgetScales)
    case .fixed: return .fixed(scale: value)
    case .none: return .none
    }
  }

  /// The loss weights when none are asked for: linear for DANCE's quantile and budget, none for
  /// the baselines fixed and none (a baseline should not carry DANCE's weights).
  public var defaultWeights: WeightsName {
    switch self {
    case .quantile, .budget: .linear
    case .fixed, .none: .none
    }
  }
}

/// A loss-weight scheme by the name the command line (`--weights`) and pipeline files (`weights:`) use.
public enum WeightsName: String, CaseIterable, Sendable, Codable {
  /// 0.5 … 1.5 by complexity rank, mean 1.
  case linear
  /// Every sample weighs 1.
  case none

  /// The scheme this name stands for.
  public var scheme: WeightScheme {
    switch self {
    case .linear: .standard
    case .none: .none
    }
  }
}

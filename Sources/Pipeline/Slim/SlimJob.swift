import Complexity
import Datasets
import Foundation
import ImageCodecs
import Shards
public import Slimming

/// One slim job: the dataset, the output directory and the settings, as the job's steps read them.
struct SlimConfiguration: Sendable {
  /// The dataset root (scanned and scored into the catalog before the job runs).
  var root: String
  /// Where the shards go: `OUT/<split>/<split>-000000.tar`, `shardindex.json` and `.idx` files.
  var outputDirectory: String
  /// The stage's settings.
  var options: SlimOptions
  /// Write only the samples of this partition (the plan is still made over the whole split).
  var partition: Partition?
  /// Threads, progress and decode limits.
  var context: StageContext

  var policy: SlimmingPolicy { options.resolvedPolicy }
  var indicator: Indicator { options.indicator }
  var weights: WeightScheme { options.weightScheme }
  var slimmedSplits: [String] { options.splits.map(\.rawValue) }
  var align: Int { options.align }
  var output: SlimOutputOptions { options.output }
  var shardMaxBytes: Int? { options.shardMaxBytes }
  var shardMaxSamples: Int? { options.shardSamples }
  var dryRun: Bool { options.dryRun }
  var overwrite: Bool { options.overwrite }
  var randomAssignmentSeed: UInt64? { options.randomAssignment }
  var failFast: Bool { options.failFast }
  var workers: Int? { context.workers }
  var progress: ProgressReporter.Style { context.progress }
  var decodeOptions: DecodeOptions { context.decodeOptions }
}

/// The outcome of `dance slim`.
public struct SlimReport: Sendable, Codable {
  /// One split's plan and output.
  public struct Split: Sendable, Codable {
    /// The split.
    public var split: String
    /// The policy applied, with its parameters.
    public var policy: PolicySummary
    /// Samples planned.
    public var samples: Int
    /// Samples kept.
    public var kept: Int
    /// Kept samples per scale (`"0.5": 12`).
    public var byScale: [String: Int]
    /// Kept pixels over original pixels.
    public var pixelFraction: Double
    /// The loss weights of kept samples, or `nil` when none is kept.
    public var weights: WeightSummary?
    /// The budget solver's λ.
    public var lambda: Double?
    /// Shards written.
    public var shards: Int
    /// Bytes written in shards.
    public var bytes: Int

    enum CodingKeys: String, CodingKey {
      case split, policy, samples, kept, weights, lambda, shards, bytes
      case byScale = "by_scale"
      case pixelFraction = "pixel_fraction"
    }
  }

  /// A policy and its parameters, for machine-readable reports.
  public struct PolicySummary: Sendable, Codable, Equatable {
    /// `none`, `fixed`, `quantile` or `budget`.
    public var name: String
    /// The human-readable form, e.g. `quantile(drop 0.1; r<0.4→0.5, r<0.8→0.75, else 1)`.
    public var text: String
    /// Quantile: the fraction of the simplest samples dropped.
    public var drop: Double?
    /// Quantile: the bands, `{up_to, scale}` by percentile rank.
    public var bands: [Band]?
    /// Budget: the fraction of the split's pixels kept.
    public var pixelBudget: Double?
    /// Budget: the scales the solver may choose.
    public var scales: [Double]?
    /// Fixed: the one scale.
    public var scale: Double?

    /// One quantile band.
    public struct Band: Sendable, Codable, Equatable {
      /// Upper bound of the band's percentile ranks (exclusive).
      public var upTo: Double
      /// The band's scale.
      public var scale: Double

      enum CodingKeys: String, CodingKey {
        case scale
        case upTo = "up_to"
      }
    }

    enum CodingKeys: String, CodingKey {
      case name, text, drop, bands, scales, scale
      case pixelBudget = "pixel_budget"
    }

    /// The summary of `policy`.
    public init(_ policy: SlimmingPolicy) {
      text = policy.description
      switch policy {
      case .none: name = "none"
      case .fixed(let scale):
        name = "fixed"
        self.scale = scale
      case .quantile(let drop, let bands):
        name = "quantile"
        self.drop = drop
        self.bands = bands.map { Band(upTo: $0.upTo, scale: $0.scale) }
      case .budget(let pixelBudget, let scales):
        name = "budget"
        self.pixelBudget = pixelBudget
        self.scales = scales
      }
    }
  }

  /// Minimum, mean and maximum of a set of loss weights.
  public struct WeightSummary: Sendable, Codable, Equatable {
    /// The smallest weight.
    public var min: Double
    /// The mean weight.
    public var mean: Double
    /// The largest weight.
    public var max: Double
  }

  /// The output directory.
  public var output: String
  /// Per split, train first.
  public var splits: [Split]
  /// Samples whose image was copied byte for byte.
  public var copiedImages: Int
  /// Samples that failed (each in the catalog's `slimFailure` table).
  public var failures: [String]
  /// What resuming found wrong with the shards an earlier run recorded, and rewrote.
  public var repairs: [String]
  /// Whether this was a dry run.
  public var dryRun: Bool
  /// Wall time in seconds.
  public var seconds: Double

  enum CodingKeys: String, CodingKey {
    case output, splits, failures, repairs, seconds
    case copiedImages = "copied_images"
    case dryRun = "dry_run"
  }
}

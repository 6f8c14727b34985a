import Complexity
import DanceCore
import Datasets
import Foundation
import ImageCodecs
import OutputStore
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
  var slimmedSplits: [DatasetSplit] { options.splits }
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

  /// A policy and its parameters, for machine-readable reports (defined in Slimming, where the
  /// audit's policy previews use it too).
  public typealias PolicySummary = SlimmingPolicy.Summary

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
  /// Samples the scan found invalid and the plan left out, as `key: reason` (set by
  /// ``PipelineRunner``; a run with any exits 3).
  public var leftOut: [String] = []
  /// What resuming found wrong with the shards an earlier run recorded, and rewrote.
  public var repairs: [String]
  /// What the run wrote but may not be what was meant (a partition that holds no sample of a split).
  public var warnings: [String]
  /// Whether this was a dry run.
  public var dryRun: Bool
  /// Whether the output was already complete, written before with this configuration, and this
  /// run found nothing to write or repair.
  public var alreadyComplete = false
  /// Wall time in seconds.
  public var seconds: Double

  enum CodingKeys: String, CodingKey {
    case output, splits, failures, repairs, warnings, seconds
    case copiedImages = "copied_images"
    case dryRun = "dry_run"
    case alreadyComplete = "already_complete"
    case leftOut = "left_out"
  }
}

public import Catalog
public import Complexity
public import Datasets
import Foundation
public import ImageCodecs
import Shards
public import Slimming

/// What `dance slim` does: options.
public struct SlimConfiguration: Sendable {
  /// The dataset root (scanned and scored first, from the catalog's caches).
  public var root: String
  /// The catalog file.
  public var catalogPath: String
  /// Where the shards go: `OUT/<split>/<split>-000000.tar`, `shardindex.json` and `.idx` files.
  public var outputDirectory: String
  /// Format and CamVid grouping.
  public var discovery: DiscoveryOptions
  /// The policy for the slimmed splits.
  public var policy: SlimmingPolicy
  /// The indicator that ranks samples.
  public var indicator: Indicator
  /// Loss weights of the slimmed splits (other splits weigh 1).
  public var weights: WeightScheme
  /// The splits the policy applies to; the others are written at full resolution. Default train.
  public var slimmedSplits: [String]
  /// Output sizes are rounded to a multiple of this.
  public var align: Int
  /// Codecs and resampling.
  public var output: SlimOutputOptions
  /// Shard rollover: at most this many bytes per shard (default 256 MiB).
  public var shardMaxBytes: Int?
  /// Shard rollover: at most this many samples per shard.
  public var shardMaxSamples: Int?
  /// Plan only: record and report the plan, write no shard.
  public var dryRun: Bool
  /// Empty a non-empty output directory (and forget its catalog rows) first.
  public var overwrite: Bool
  /// Stop at the first failing sample.
  public var failFast: Bool
  /// Worker threads (default: all cores).
  public var workers: Int?
  /// How progress is shown.
  public var progress: ProgressReporter.Style
  /// Write only the samples of this partition (the plan is still made over the whole split).
  public var partition: Partition?
  /// Limits and strictness for every decode (the scan and scoring first, then the encoding).
  public var decodeOptions = DecodeOptions()
  /// A control for experiments: when set, the slimmed splits' decisions are handed to the samples
  /// in this seed's pseudo-random order instead of by complexity, without loss weights
  /// (``Planner/shuffled(_:inputs:seed:align:)``).
  public var randomAssignmentSeed: UInt64?

  /// Creates a configuration with the DANCE defaults.
  public init(
    root: String, catalogPath: String, outputDirectory: String, discovery: DiscoveryOptions = DiscoveryOptions(),
    policy: SlimmingPolicy = .quantileDefault, indicator: Indicator = .siMean, weights: WeightScheme = .standard,
    slimmedSplits: [String] = ["train"], align: Int = 1, output: SlimOutputOptions = SlimOutputOptions(),
    shardMaxBytes: Int? = 256 << 20, shardMaxSamples: Int? = nil, dryRun: Bool = false, overwrite: Bool = false,
    failFast: Bool = false, workers: Int? = nil, progress: ProgressReporter.Style = .automatic
  ) {
    self.root = root
    self.catalogPath = catalogPath
    self.outputDirectory = outputDirectory
    self.discovery = discovery
    self.policy = policy
    self.indicator = indicator
    self.weights = weights
    self.slimmedSplits = slimmedSplits
    self.align = align
    self.output = output
    self.shardMaxBytes = shardMaxBytes
    self.shardMaxSamples = shardMaxSamples
    self.dryRun = dryRun
    self.overwrite = overwrite
    self.failFast = failFast
    self.workers = workers
    self.progress = progress
    partition = nil
  }
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

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
    /// The policy applied.
    public var policy: String
    /// Samples planned.
    public var samples: Int
    /// Samples kept.
    public var kept: Int
    /// Kept samples per scale (`"0.5": 12`).
    public var byScale: [String: Int]
    /// Kept pixels over original pixels.
    public var pixelFraction: Double
    /// Minimum, mean and maximum loss weight of kept samples.
    public var weights: [Double]
    /// The budget solver's λ.
    public var lambda: Double?
    /// Shards written.
    public var shards: Int
    /// Bytes written in shards.
    public var bytes: Int
  }

  /// The output directory.
  public var output: String
  /// Per split, train first.
  public var splits: [Split]
  /// Samples whose image was copied byte for byte.
  public var copiedImages: Int
  /// Samples that failed (each in the catalog's `slimFailure` table).
  public var failures: [String]
  /// Whether this was a dry run.
  public var dryRun: Bool
  /// Wall time in seconds.
  public var seconds: Double
}

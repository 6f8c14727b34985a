import Foundation
import Shards

/// `OUT/manifest.json`: what a `dance slim` run wrote and from what, so that the output describes
/// itself without a catalog.
///
/// It holds the configuration (a JSON object since version 2, a string of JSON in version 1) and
/// the SHA-256 of its canonical JSON, the dataset's identity, and per split every finished
/// shard with its size, SHA-256 and sample count. It is rewritten (atomically) after every shard,
/// so after an interruption it still lists everything the run finished. A partition writes
/// `manifest.partIofN.json` instead. `dance verify OUT` checks the shards against it;
/// `--overwrite` removes only the files it lists (see ``ownedFiles``).
public struct OutputManifest: Codable, Sendable, Equatable {
  /// The manifest format's version: 2 stores the configuration as a JSON object; 1 (still read)
  /// stored it as a string of JSON.
  public static let currentVersion = 2

  /// One class of a label space that is not one of Dance's standard ones (a generic dataset's).
  public struct LabelClass: Codable, Sendable, Equatable {
    /// The class name.
    public var name: String
    /// `[R, G, B]`, 0…255.
    public var color: [Int]

    /// Creates a class entry.
    public init(name: String, color: [Int]) {
      self.name = name
      self.color = color
    }
  }

  /// The dataset the output was made from.
  public struct Dataset: Codable, Sendable, Equatable {
    /// The dataset's name (the first part of its sample keys).
    public var name: String
    /// The dataset root when the output was written.
    public var root: String
    /// `cityscapes`, `camvid`, `ade20k`, `voc` or `generic`.
    public var format: String
    /// The label space of the `seg.png` members.
    public var labelSpace: String
    /// The classes of ``labelSpace`` in train-id order, when it is not a standard space (a generic
    /// dataset's `classes.yaml`), so that the output describes its labels without the dataset.
    public var labelClasses: [LabelClass]?
    /// Valid samples the plan was made over.
    public var samples: Int
    /// SHA-256 over the sorted lines `key<TAB>image bytes<TAB>label bytes` of those samples.
    public var samplesSHA256: String

    enum CodingKeys: String, CodingKey {
      case name, root, format, samples
      case labelSpace = "label_space"
      case labelClasses = "label_classes"
      case samplesSHA256 = "samples_sha256"
    }

    /// Creates a dataset's identity.
    public init(
      name: String, root: String, format: String, labelSpace: String, labelClasses: [LabelClass]? = nil, samples: Int,
      samplesSHA256: String
    ) {
      self.name = name
      self.root = root
      self.format = format
      self.labelSpace = labelSpace
      self.labelClasses = labelClasses
      self.samples = samples
      self.samplesSHA256 = samplesSHA256
    }
  }

  /// One finished shard.
  public struct Shard: Codable, Sendable, Equatable {
    /// Path relative to the output directory, e.g. `train/train-000000.tar`.
    public var path: String
    /// File size in bytes.
    public var bytes: Int
    /// SHA-256 of the file, lowercase hex.
    public var sha256: String
    /// MD5 of the file, lowercase hex (what wids checks).
    public var md5: String
    /// Samples in the shard.
    public var samples: Int

    /// Creates a shard entry.
    public init(path: String, bytes: Int, sha256: String, md5: String, samples: Int) {
      self.path = path
      self.bytes = bytes
      self.sha256 = sha256
      self.md5 = md5
      self.samples = samples
    }
  }

  /// One split's output.
  public struct Split: Codable, Sendable, Equatable {
    /// The shard-name prefix (`train`, or `train-part0of4` for a partition).
    public var shardPrefix: String
    /// The wids index file in the split's directory.
    public var index: String
    /// The finished shards, in order.
    public var shards: [Shard]

    /// Samples in all shards.
    public var samples: Int { shards.reduce(0) { $0 + $1.samples } }

    enum CodingKeys: String, CodingKey {
      case index, shards
      case shardPrefix = "shard_prefix"
    }

    /// Creates a split's entry.
    public init(shardPrefix: String, index: String, shards: [Shard]) {
      self.shardPrefix = shardPrefix
      self.index = index
      self.shards = shards
    }
  }

  /// The manifest format's version (``currentVersion``).
  public var version: Int
  /// The partition (`part0of4`), if this is one partition's manifest.
  public var partition: String?
  /// Whether the run finished.
  public var complete: Bool
  /// The configuration as canonical JSON (``SlimFingerprint/canonicalJSON()``): what a rerun must
  /// match to resume, and what the catalog's output row records. On disk it is a JSON object
  /// (a string in version 1, read as it is).
  public var configuration: String
  /// SHA-256 of ``configuration``.
  public var configurationSHA256: String
  /// The dataset.
  public var dataset: Dataset
  /// SHA-256 of ``dataset`` as canonical JSON (``digest(of:)``), so that `dance verify` notices an
  /// edited dataset block; absent in manifests written before it existed.
  public var datasetSHA256: String?
  /// Per split name.
  public var splits: [String: Split]

  enum CodingKeys: String, CodingKey {
    case version, partition, complete, configuration, dataset, splits
    case configurationSHA256 = "configuration_sha256"
    case datasetSHA256 = "dataset_sha256"
  }

  /// Creates a manifest of the current version for the configuration `fingerprint`; both SHA-256
  /// values are computed.
  public init(partition: String?, complete: Bool, configuration fingerprint: SlimFingerprint, dataset: Dataset, splits: [String: Split])
    throws
  {
    self.init(
      version: Self.currentVersion, partition: partition, complete: complete, configuration: try fingerprint.canonicalJSON(),
      dataset: dataset, splits: splits)
  }

  /// Creates a manifest of `version` whose configuration is the canonical JSON `configuration`.
  init(version: Int, partition: String?, complete: Bool, configuration: String, dataset: Dataset, splits: [String: Split]) {
    self.version = version
    self.partition = partition
    self.complete = complete
    self.configuration = configuration
    configurationSHA256 = Self.digest(configuration)
    self.dataset = dataset
    datasetSHA256 = Self.digest(of: dataset)
    self.splits = splits
  }

  /// The manifest's file name: `manifest.json`, or `manifest.partIofN.json` for a partition.
  public static func fileName(partition: String?) -> String {
    partition.map { "manifest.\($0).json" } ?? "manifest.json"
  }

  /// A split name, index or shard path that does not stay inside the output's split folders
  /// (absolute, `..`, a shard outside its split's folder), or nil when every one does.
  var pathOutsideTheOutput: String? {
    func isPlainName(_ name: String) -> Bool {
      !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\u{0}")
    }
    for (split, content) in splits {
      guard isPlainName(split) else { return split }
      guard isPlainName(content.index) else { return content.index }
      for shard in content.shards {
        let parts = shard.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, parts[0] == split, isPlainName(parts[1]) else { return shard.path }
      }
    }
    return nil
  }

  /// The files this manifest's run wrote, relative to the output directory: every listed shard, its
  /// DALI index, each split's wids index and the manifest itself; plus, per split, the next shard
  /// (and its index) and the temporary files of both, which an interrupted run may have left.
  public var ownedFiles: [String] {
    var files = [Self.fileName(partition: partition)]
    for (split, output) in splits {
      var shardNames = output.shards.map { ($0.path as NSString).lastPathComponent }
      shardNames.append(ShardWriterConfiguration.fileName(prefix: output.shardPrefix, index: output.shards.count))
      for name in shardNames {
        let idx = DALIIndex.path(forShard: name)
        files += [name, idx, "." + name + ".partial", "." + idx + ".partial"].map { split + "/" + $0 }
      }
      files += [output.index, "." + output.index + ".partial"].map { split + "/" + $0 }
    }
    return files.sorted()
  }

  /// SHA-256 of a configuration's canonical JSON.
  public static func digest(_ configuration: String) -> String { ShardDigest.sha256(Array(configuration.utf8)) }

  /// SHA-256 of a dataset block as canonical JSON (sorted keys).
  public static func digest(of dataset: Dataset) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return ShardDigest.sha256(Array((try? encoder.encode(dataset)) ?? Data()))
  }

  /// What in the manifest contradicts itself: a configuration or dataset block that no longer
  /// matches its recorded SHA-256 (edited after the run wrote it).
  public var inconsistencies: [String] {
    var problems: [String] = []
    if Self.digest(configuration) != configurationSHA256 {
      problems.append("the configuration does not match its configuration_sha256 (edited after the run wrote it)")
    }
    if let datasetSHA256, Self.digest(of: dataset) != datasetSHA256 {
      problems.append("the dataset block (name, root, samples, …) does not match its dataset_sha256 (edited after the run wrote it)")
    }
    return problems
  }
}

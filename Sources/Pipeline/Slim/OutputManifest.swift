import Catalog
import DanceCore
import Foundation
import Shards

/// `OUT/manifest.json`: what a `dance slim` run wrote and from what, so that the output describes
/// itself without a catalog.
///
/// It holds the configuration and its SHA-256, the dataset's identity, and per split every finished
/// shard with its size, SHA-256 and sample count. It is rewritten (atomically) after every shard,
/// so after an interruption it still lists everything the run finished. A partition writes
/// `manifest.partIofN.json` instead. `dance verify OUT` checks the shards against it;
/// `--overwrite` removes only the files it lists (see ``ownedFiles``).
public struct OutputManifest: Codable, Sendable, Equatable {
  /// The manifest format's version.
  public static let currentVersion = 1

  /// The dataset the output was made from.
  public struct Dataset: Codable, Sendable, Equatable {
    /// The dataset's name (the first part of its sample keys).
    public var name: String
    /// The dataset root when the output was written.
    public var root: String
    /// `cityscapes`, `camvid` or `ade20k`.
    public var format: String
    /// The label space of the `seg.png` members.
    public var labelSpace: String
    /// Valid samples the plan was made over.
    public var samples: Int
    /// SHA-256 over the sorted lines `key<TAB>image bytes<TAB>label bytes` of those samples.
    public var samplesSHA256: String

    enum CodingKeys: String, CodingKey {
      case name, root, format, samples
      case labelSpace = "label_space"
      case samplesSHA256 = "samples_sha256"
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
  }

  /// The manifest format's version (``currentVersion``).
  public var version: Int
  /// The partition (`part0of4`), if this is one partition's manifest.
  public var partition: String?
  /// Whether the run finished.
  public var complete: Bool
  /// The configuration, as canonical JSON (what a rerun must match to resume).
  public var configuration: String
  /// SHA-256 of ``configuration``.
  public var configurationSHA256: String
  /// The dataset.
  public var dataset: Dataset
  /// Per split name.
  public var splits: [String: Split]

  enum CodingKeys: String, CodingKey {
    case version, partition, complete, configuration, dataset, splits
    case configurationSHA256 = "configuration_sha256"
  }

  /// The manifest's file name: `manifest.json`, or `manifest.partIofN.json` for a partition.
  public static func fileName(partition: String?) -> String {
    partition.map { "manifest.\($0).json" } ?? "manifest.json"
  }

  /// Every manifest in `directory`: `manifest.json`, else the partitions' (sorted); empty when none.
  /// - Throws: ``PipelineError/output(path:reason:)`` for a manifest that cannot be read or parsed.
  public static func all(in directory: String) throws(PipelineError) -> [OutputManifest] {
    let whole = directory + "/" + fileName(partition: nil)
    if FileManager.default.fileExists(atPath: whole) { return [try read(whole)] }
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
      $0.hasPrefix("manifest.part") && $0.hasSuffix(".json")
    }
    var manifests: [OutputManifest] = []
    for name in names.sorted() { manifests.append(try read(directory + "/" + name)) }
    return manifests
  }

  /// Reads and parses one manifest.
  public static func read(_ path: String) throws(PipelineError) -> OutputManifest {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .output(path: path, reason: "cannot read the manifest")
    }
    do {
      let manifest = try JSONDecoder().decode(OutputManifest.self, from: data)
      guard manifest.version <= currentVersion else {
        throw PipelineError.output(path: path, reason: "manifest version \(manifest.version) is newer than this Dance reads")
      }
      return manifest
    } catch let error as PipelineError {
      throw error
    } catch {
      throw .output(path: path, reason: "not a Dance manifest: \(error)")
    }
  }

  /// Writes the manifest into `directory` atomically (a temporary file renamed over the old one).
  func write(into directory: String) throws(PipelineError) {
    let path = directory + "/" + Self.fileName(partition: partition)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do {
      var data = try encoder.encode(self)
      data.append(0x0A)
      try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw .output(path: path, reason: "cannot write the manifest: \(FileSystemFailure.reason(of: error))")
    }
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
  static func digest(_ configuration: String) -> String { ShardDigest.sha256(Array(configuration.utf8)) }
}

extension OutputManifest.Dataset {
  /// The identity of `dataset` and the valid samples a plan is made over.
  init(_ dataset: DatasetRecord, samples: [SampleRecord]) {
    let lines = samples.map { "\($0.key)\t\($0.imageIdentity?.bytes ?? 0)\t\($0.labelIdentity?.bytes ?? 0)\n" }.sorted()
    self.init(
      name: dataset.name, root: dataset.root, format: dataset.format.rawValue, labelSpace: dataset.labelSpace,
      samples: samples.count, samplesSHA256: ShardDigest.sha256(Array(lines.joined().utf8)))
  }
}

/// Keeps a run's manifest current: every finished shard is added and the file rewritten.
final class ManifestRecorder {
  private let directory: String
  private var manifest: OutputManifest
  /// Files the manifest owned when the run started (an interrupted run's), by split.
  private let previous: [String: Set<String>]

  init(directory: String, manifest: OutputManifest) {
    self.directory = directory
    self.manifest = manifest
    let path = directory + "/" + OutputManifest.fileName(partition: manifest.partition)
    let owned = (try? OutputManifest.read(path))?.ownedFiles ?? []
    var bySplit: [String: Set<String>] = [:]
    for file in owned {
      let parts = file.split(separator: "/", maxSplits: 1).map(String.init)
      if parts.count == 2 { bySplit[parts[0], default: []].insert(parts[1]) }
    }
    previous = bySplit
  }

  /// File names in `split`'s directory that this run may remove or replace: what the previous
  /// manifest owned, and what this one owns.
  func ownedFiles(split: String) -> Set<String> {
    let current = manifest.ownedFiles.compactMap { file -> String? in
      file.hasPrefix(split + "/") ? String(file.dropFirst(split.count + 1)) : nil
    }
    return previous[split, default: []].union(current)
  }

  /// Declares a split the run writes (so that its first shard's temporary files are owned too).
  func declare(split: String, prefix: String, index: String) {
    if manifest.splits[split] == nil { manifest.splits[split] = OutputManifest.Split(shardPrefix: prefix, index: index, shards: []) }
  }

  /// Adds a shard kept from an interrupted run, without writing.
  func note(_ shard: ShardRecord, prefix: String, index: String) {
    manifest.splits[shard.split.rawValue, default: OutputManifest.Split(shardPrefix: prefix, index: index, shards: [])].shards
      .append(OutputManifest.Shard(path: shard.path, bytes: shard.bytes, sha256: shard.sha256, md5: shard.md5, samples: shard.samples))
  }

  /// Adds a finished shard and rewrites the manifest.
  func add(_ shard: ShardRecord, prefix: String, index: String) throws(PipelineError) {
    note(shard, prefix: prefix, index: index)
    try save()
  }

  /// Writes the manifest as it stands.
  func save() throws(PipelineError) { try manifest.write(into: directory) }

  /// Marks the run complete and writes the manifest.
  func finish() throws(PipelineError) {
    manifest.complete = true
    try save()
  }
}

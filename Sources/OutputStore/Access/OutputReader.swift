import DanceCore
public import Datasets
import Foundation
public import Shards

/// The one reader of a slimmed output, for everything that reads one back: the trainer, `dance
/// verify` and the exports.
///
/// It reads the manifests (``OutputManifest/read(_:)``: a newer version and any path outside the
/// split folders refused), a split's `shardindex.json` (typed; every URL must stay inside the
/// split's folder), and shards, each checked against its record (size and SHA-256) before it is
/// read, so nothing damaged or changed is carried onward.
public struct OutputReader: Sendable {
  /// The output directory (absolute, standardised).
  public let directory: String
  /// The manifests: `manifest.json`, or the partitions' (sorted); none for an output written
  /// before manifests existed.
  public let manifests: [OutputManifest]

  /// Reads the manifests of the output at `path`.
  /// - Throws: ``OutputStoreError/invalid(path:reason:)`` for a manifest that cannot be read.
  public init(_ path: String) throws(OutputStoreError) {
    directory = URL(fileURLWithPath: path).standardizedFileURL.path
    manifests = try OutputManifest.all(in: directory)
  }

  /// Refuses an output whose manifests say a run has not finished writing it.
  /// - Throws: ``OutputStoreError/invalid(path:reason:)`` naming the unfinished manifest.
  public func requireFinished() throws(OutputStoreError) {
    if let unfinished = manifests.first(where: { !$0.complete }) {
      throw .invalid(
        path: directory + "/" + OutputManifest.fileName(partition: unfinished.partition),
        reason: "the dance slim run that writes this output has not finished (\"complete\": false); "
          + "rerun the same dance slim command first")
    }
  }

  /// Refuses a directory without a manifest, then an unfinished output: what the exports read.
  /// - Throws: ``OutputStoreError/notAnOutput(path:reason:)`` or ``OutputStoreError/invalid(path:reason:)``.
  public func requireFinishedManifest() throws(OutputStoreError) {
    guard !manifests.isEmpty else {
      throw .notAnOutput(path: directory, reason: "no manifest.json; is this the output directory of `dance slim`?")
    }
    try requireFinished()
  }

  /// Per split, in train, val, test order (others after, by name): the shards the manifests list.
  public var splits: [(name: String, shards: [OutputManifest.Shard])] {
    let order = DatasetSplit.allCases.map(\.rawValue)
    let names = Set(manifests.flatMap(\.splits.keys)).sorted {
      (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1)
    }
    return names.map { name in (name, manifests.flatMap { $0.splits[name]?.shards ?? [] }) }
  }

  /// The samples in all shards, as the manifests count them.
  public var sampleCount: Int { splits.reduce(0) { $0 + $1.shards.reduce(0) { $0 + $1.samples } } }

  /// The label space of the `seg.png` members, as the manifests record it.
  public var labelSpace: LabelSpace? { manifests.first?.dataset.space }

  /// Every shard of `split` the manifests list, by absolute path.
  public func recordedShards(split: String) -> [String: OutputManifest.Shard] {
    var shards: [String: OutputManifest.Shard] = [:]
    for manifest in manifests {
      for shard in manifest.splits[split]?.shards ?? [] { shards[directory + "/" + shard.path] = shard }
    }
    return shards
  }

  /// The samples of one shard, after checking the file against the manifest (size and SHA-256).
  /// - Throws: ``OutputStoreError/invalid(path:reason:)`` for a missing, changed or unreadable shard.
  public func samples(of shard: OutputManifest.Shard) throws(OutputStoreError) -> [ShardSample] {
    let path = directory + "/" + shard.path
    switch ShardFileProblem.of(path, bytes: shard.bytes, sha256: shard.sha256) {
    case nil: break
    case .missing?, .unreadable?: throw .invalid(path: path, reason: "missing or unreadable")
    case .size?, .checksum?: throw .invalid(path: path, reason: "differs from the manifest (size or SHA-256); run `dance verify \(directory)`")
    }
    do throws(ShardError) { return try TarReader(path: path).samples() } catch { throw .invalid(path: path, reason: error.reason) }
  }

  /// The wids index of `split` (`OUT/<split>/shardindex.json`), or nil when the split has none.
  /// - Throws: ``OutputStoreError/invalid(path:reason:)`` when it is not a wids index or an entry's
  ///   URL leaves the split's folder.
  public func shardIndex(split: String) throws(OutputStoreError) -> ShardIndexJSON? {
    let path = directory + "/" + split + "/" + ShardIndexJSON.defaultFileName
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    let index: ShardIndexJSON
    do throws(ShardError) { index = try ShardIndexJSON(parsing: Array(data), path: path) } catch {
      throw .invalid(path: path, reason: error.reason)
    }
    if let shard = index.shards.first(where: { $0.url.hasPrefix("/") || $0.url.split(separator: "/").contains("..") }) {
      throw .invalid(path: path, reason: "the shardlist entry \(shard.url) leaves the split folder")
    }
    return index
  }

  /// Whether `directory` looks like a slimmed output: some split folder holds a `shardindex.json`.
  public static func isOutput(_ directory: String) -> Bool {
    DatasetSplit.allCases.contains { isSplitFolder(directory + "/" + $0.rawValue) }
  }

  /// Whether `folder` is one split's folder of an output: it holds a `shardindex.json`.
  public static func isSplitFolder(_ folder: String) -> Bool {
    FileManager.default.fileExists(atPath: folder + "/" + ShardIndexJSON.defaultFileName)
  }

  /// The `json` member of a sample, decoded.
  /// - Throws: ``OutputStoreError/invalid(path:reason:)`` naming the shard when it is missing or unreadable.
  public static func metadata(_ sample: ShardSample, shard: String) throws(OutputStoreError) -> SampleMetadata {
    guard let bytes = sample[.metadata], let metadata = try? SampleMetadata(member: bytes) else {
      throw .invalid(path: shard, reason: "sample \(sample.key) has no readable json member")
    }
    return metadata
  }
}

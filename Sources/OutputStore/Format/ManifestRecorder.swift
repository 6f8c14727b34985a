public import Catalog
public import Datasets
import DanceCore
import Foundation
import Shards

extension OutputManifest.Dataset {
  /// The identity of `dataset` and the valid samples a plan is made over; the classes of `space`
  /// are recorded when it is not a standard label space.
  public init(_ dataset: DatasetRecord, samples: [SampleRecord], space: LabelSpace) {
    let lines = samples.map { "\($0.key)\t\($0.imageIdentity?.bytes ?? 0)\t\($0.labelIdentity?.bytes ?? 0)\n" }.sorted()
    let classes = space.recordedClasses?.map { OutputManifest.LabelClass(name: $0.name, color: $0.color) }
    self.init(
      name: dataset.name, root: dataset.root, format: dataset.format.rawValue, labelSpace: space.id, labelClasses: classes,
      samples: samples.count, samplesSHA256: ShardDigest.sha256(Array(lines.joined().utf8)))
  }

  /// The label space of the `seg.png` members: a standard one by its id, or the recorded classes.
  public var space: LabelSpace? { LabelSpace.recorded(id: labelSpace, classes: labelClasses?.map { ($0.name, $0.color) }) }
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
  func add(_ shard: ShardRecord, prefix: String, index: String) throws(OutputStoreError) {
    note(shard, prefix: prefix, index: index)
    try save()
  }

  /// Writes the manifest as it stands.
  func save() throws(OutputStoreError) { try manifest.write(into: directory) }

  /// Marks the run complete and writes the manifest.
  func finish() throws(OutputStoreError) {
    manifest.complete = true
    try save()
  }
}

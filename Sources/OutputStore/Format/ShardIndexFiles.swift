public import Catalog
import Foundation
public import Shards

extension ShardIndexJSON {
  /// The wids index of one split's shards as Dance records them (catalog rows or a manifest's
  /// list): each shard by its file name, sample count, size and MD5. The one place slim, merge and
  /// verify build an index, so what verify expects is what the others write.
  public init(split: String, shards: [(path: String, samples: Int, bytes: Int, md5: String?)]) {
    self.init(
      name: split,
      shards: shards.map { .init(url: ($0.path as NSString).lastPathComponent, sampleCount: $0.samples, byteCount: $0.bytes, md5: $0.md5) })
  }

  /// The wids index of `shards`, catalog rows of one split.
  public init(split: String, records shards: [ShardRecord]) {
    self.init(split: split, shards: shards.map { ($0.path, $0.samples, $0.bytes, $0.md5) })
  }

  /// `shardindex.json`, or `shardindex.<prefix>.json` for a partition's shards (prefix
  /// `train-part1of3`; merged later by `dance catalog merge`).
  public static func fileName(partitionPrefix: String?) -> String {
    partitionPrefix.map { "shardindex.\($0).json" } ?? defaultFileName
  }
}

extension OutputPartition {
  /// `part1of3`: the partition's manifest, lock and catalog files carry it in their names.
  public var name: String { "part\(index)of\(count)" }

  /// The partition's catalog file, inside the output directory.
  public var catalogFileName: String { Self.catalogFileName(partitionName: name) }

  /// `catalog.part1of3.sqlite`: the catalog file of the partition named `partitionName`.
  public static func catalogFileName(partitionName: String) -> String { "catalog.\(partitionName).sqlite" }

  /// `train-part1of3`: shards `train-part1of3-000000.tar`.
  public func shardPrefix(split: String) -> String { split + "-" + name }
}

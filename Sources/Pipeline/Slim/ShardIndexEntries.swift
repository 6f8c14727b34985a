import Foundation
import Shards

extension ShardIndexJSON {
  /// The wids index of one split's shards as Dance records them (catalog rows or a manifest's
  /// list): each shard by its file name, sample count, size and MD5. The one place slim, merge and
  /// verify build an index, so what verify expects is what the others write.
  init(split: String, shards: [(path: String, samples: Int, bytes: Int, md5: String?)]) {
    self.init(
      name: split,
      shards: shards.map { .init(url: ($0.path as NSString).lastPathComponent, sampleCount: $0.samples, byteCount: $0.bytes, md5: $0.md5) })
  }
}

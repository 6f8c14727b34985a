/// A shard that is complete on disk: synced, checksummed and renamed to its final name.
///
/// ``ShardWriter`` hands one to its `onShardFinished` callback per shard; it carries what the
/// catalog records (file, size, count, hashes, per-member offsets) and what the sidecars need.
public struct FinishedShard: Hashable, Sendable {
  /// The shard's number: `PREFIX-000042.tar` has index 42.
  public var index: Int
  /// The file name, e.g. `train-000042.tar`.
  public var fileName: String
  /// The full path of the file.
  public var path: String
  /// The file's length in bytes (a multiple of 10240).
  public var byteCount: Int
  /// The lowercase hexadecimal SHA-256 of the file.
  public var sha256: String
  /// The lowercase hexadecimal MD5 of the file (wids' optional `md5sum`).
  public var md5: String
  /// Each sample's key and members with header offsets, data offsets and sizes, in file order.
  public var samples: [SampleLayout]

  /// Creates a description of a finished shard.
  public init(
    index: Int, fileName: String, path: String, byteCount: Int, sha256: String, md5: String,
    samples: [SampleLayout]
  ) {
    self.index = index
    self.fileName = fileName
    self.path = path
    self.byteCount = byteCount
    self.sha256 = sha256
    self.md5 = md5
    self.samples = samples
  }

  /// The number of samples in the shard.
  public var sampleCount: Int { samples.count }
}

/// The DALI index sidecar of a shard (`wds2idx` format v1.2), one `.idx` file per `.tar`.
///
/// Line 1 is `v1.2 <number of samples>`; then one line per sample listing, for each member,
/// `<field> <data offset> <size> <member name>`, all separated by single spaces. For a shard
/// with one sample `aachen_000000_000019` holding a 1000-byte `jpg` and a 10-byte `seg.png`:
///
/// ```
/// v1.2 1
/// jpg 512 1000 aachen_000000_000019.jpg seg.png 2048 10 aachen_000000_000019.seg.png
/// ```
///
/// Every line ends with a newline. Pass the full field (`seg.png`) as DALI's `ext` argument.
public enum DALIIndex {
  /// The format version written on the first line.
  public static let version = "v1.2"

  /// The index text for the samples of one shard.
  public static func rendered(_ samples: [SampleLayout]) -> String {
    var text = "\(version) \(samples.count)\n"
    for sample in samples {
      let entries = sample.members.map {
        "\(sample.field(of: $0)) \($0.dataOffset) \($0.size) \($0.name)"
      }
      text += entries.joined(separator: " ") + "\n"
    }
    return text
  }

  /// The index path of a shard: its path with `.tar` replaced by `.idx` (`.idx` appended if it
  /// has no `.tar` suffix).
  public static func path(forShard shardPath: String) -> String {
    (shardPath.hasSuffix(".tar") ? String(shardPath.dropLast(4)) : shardPath) + ".idx"
  }

  /// Writes the index of `shard` beside it, atomically (temporary file, `fsync`, rename).
  ///
  /// - Returns: the path written.
  /// - Throws: ``ShardError/io(path:reason:)`` if writing fails.
  @discardableResult
  public static func write(for shard: FinishedShard) throws(ShardError) -> String {
    let path = path(forShard: shard.path)
    try PosixFile.writeAtomically(Array(rendered(shard.samples).utf8), to: path)
    return path
  }
}

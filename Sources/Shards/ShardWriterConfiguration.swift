/// Where ``ShardWriter`` writes shards, how it names them and when it starts a new one.
public struct ShardWriterConfiguration: Hashable, Sendable {
  /// The directory the shards go into; it must exist.
  public var directory: String
  /// The file-name prefix: shards are named `PREFIX-000000.tar`, `PREFIX-000001.tar`, ….
  public var prefix: String
  /// The most samples per shard, or `nil` for no limit.
  public var maxSamples: Int?
  /// The largest shard file in bytes (headers, padding and trailer included), or `nil` for no
  /// limit. A sample that alone exceeds it gets a shard of its own.
  public var maxBytes: Int?
  /// The number of the first shard (a resumed run continues after its last finished shard).
  public var firstShardIndex: Int
  /// The `uname` of every member (default empty).
  public var userName: String
  /// The `gname` of every member (default empty).
  public var groupName: String

  /// Creates a configuration.
  ///
  /// - Parameters:
  ///   - directory: an existing directory for the shards.
  ///   - prefix: the file-name prefix (no `/`, not starting with `.`).
  ///   - maxSamples: the most samples per shard (at least 1), or `nil`.
  ///   - maxBytes: the largest shard file in bytes (at least 10240), or `nil`.
  ///   - firstShardIndex: the number of the first shard (default 0).
  ///   - userName: the `uname` of every member (default empty).
  ///   - groupName: the `gname` of every member (default empty).
  public init(
    directory: String, prefix: String, maxSamples: Int? = nil, maxBytes: Int? = nil,
    firstShardIndex: Int = 0, userName: String = "", groupName: String = ""
  ) {
    self.directory = directory
    self.prefix = prefix
    self.maxSamples = maxSamples
    self.maxBytes = maxBytes
    self.firstShardIndex = firstShardIndex
    self.userName = userName
    self.groupName = groupName
  }

  /// The file name of shard `index`: the prefix, a dash, six or more digits, `.tar`.
  public func fileName(forShard index: Int) -> String { Self.fileName(prefix: prefix, index: index) }

  /// The file name of shard `index` of `prefix`: `train-000003.tar`.
  public static func fileName(prefix: String, index: Int) -> String {
    let digits = String(index)
    return prefix + "-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".tar"
  }

  /// The full path of shard `index`.
  public func path(forShard index: Int) -> String {
    (directory.hasSuffix("/") ? directory : directory + "/") + fileName(forShard: index)
  }

  /// Checks the limits and the prefix.
  ///
  /// - Throws: ``ShardError/invalidConfiguration(path:reason:)`` naming the directory.
  public func validate() throws(ShardError) {
    func invalid(_ reason: String) -> ShardError { .invalidConfiguration(path: directory, reason: reason) }
    if directory.isEmpty { throw invalid("the shard directory is empty") }
    if prefix.isEmpty || prefix.contains("/") || prefix.hasPrefix(".") || prefix.utf8.contains(0) {
      throw invalid("shard prefix \"\(prefix)\" must be non-empty, without \"/\" or NUL, not starting with \".\"")
    }
    if let maxSamples, maxSamples < 1 { throw invalid("maxSamples is \(maxSamples); it must be at least 1") }
    if let maxBytes, maxBytes < 10240 {
      throw invalid("maxBytes is \(maxBytes); it must be at least 10240, the smallest tar archive")
    }
    if firstShardIndex < 0 { throw invalid("firstShardIndex is \(firstShardIndex); it must not be negative") }
    for (label, name) in [("user", userName), ("group", groupName)] where name.utf8.count > 32 {
      throw invalid("\(label) name \"\(name)\" is longer than 32 bytes")
    }
  }
}

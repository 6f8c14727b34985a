/// Writes samples into a sequence of tar shards, `PREFIX-000000.tar`, `PREFIX-000001.tar`, …,
/// starting a new shard when a limit would be exceeded.
///
/// Rollover: before a sample is added, the current shard is closed if it already holds
/// `maxSamples` samples, or if adding the sample would make the finished file larger than
/// `maxBytes` (headers, padding, zero blocks and the 10240-byte record padding included). A
/// sample is never split, and a sample that alone exceeds `maxBytes` gets a shard of its own, so
/// every shard holds at least one sample and a shard over `maxBytes` holds exactly one. A shard
/// that reaches `maxSamples` is closed at once, so the callback does not wait for the next sample.
///
/// Durability: a shard is written under the hidden temporary name `.PREFIX-000000.tar.partial`;
/// closing it writes the tar trailer, `fsync`s the file, renames it into place and `fsync`s the
/// directory; only then is `onShardFinished` called with the ``FinishedShard`` (size, SHA-256 and
/// MD5 computed while writing, per-member offsets). A killed run leaves at most one `.partial`
/// file, which the next run with the same index overwrites.
///
/// Determinism: the same samples in the same order with the same configuration give
/// byte-identical shards (fixed header attributes, fields sorted by name).
///
/// The writer is not thread-safe; one task owns it. Call ``finish()`` to close the last shard;
/// a writer released without it deletes its unfinished shard.
public final class ShardWriter {
  /// The configuration the writer was created with.
  public let configuration: ShardWriterConfiguration
  /// The number of shards finished so far.
  public private(set) var finishedShardCount = 0

  private let onShardFinished: (FinishedShard) throws -> Void
  private var current: OpenShard?
  private var nextIndex: Int
  private var failure: ShardError?
  private var isFinished = false

  /// The shard being written.
  private struct OpenShard {
    var index: Int
    var temporaryPath: String
    var writer: TarWriter
    var samples: [SampleLayout] = []
  }

  /// Creates a writer; no file is created until the first sample arrives.
  ///
  /// - Parameters:
  ///   - configuration: directory, prefix, limits and owner names.
  ///   - onShardFinished: called after each shard is renamed into place, in shard order. An
  ///     error it throws is rethrown by the ``write(_:)`` or ``finish()`` call that closed the shard.
  /// - Throws: ``ShardError/invalidConfiguration(path:reason:)`` for an invalid configuration.
  public init(
    configuration: ShardWriterConfiguration,
    onShardFinished: @escaping (FinishedShard) throws -> Void = { _ in }
  ) throws(ShardError) {
    try configuration.validate()
    self.configuration = configuration
    self.onShardFinished = onShardFinished
    self.nextIndex = configuration.firstShardIndex
  }

  deinit {
    if let current { PosixFile.removeIfPresent(current.temporaryPath) }
  }

  /// Writes one sample, first closing the current shard if the sample would exceed a limit.
  ///
  /// An invalid sample (key, field or name rules) throws before anything is written and leaves
  /// the writer usable. After an I/O error the unfinished shard is deleted and every later call
  /// rethrows that error.
  /// - Throws: ``ShardError`` for invalid samples and I/O failures; whatever `onShardFinished` throws.
  public func write(_ sample: ShardSample) throws {
    precondition(!isFinished, "ShardWriter.write after finish()")
    if let failure { throw failure }
    try sample.validate(archive: configuration.path(forShard: current?.index ?? nextIndex))
    if let open = current, needsRollover(open, before: sample) {
      try closeCurrent()
    }
    if current == nil { try openShard() }
    guard var open = current else { preconditionFailure("no open shard") }
    do throws(ShardError) {
      open.samples.append(try open.writer.append(sample))
    } catch {
      abandon(error)
      throw error
    }
    current = open
    if let maxSamples = configuration.maxSamples, open.samples.count >= maxSamples {
      try closeCurrent()
    }
  }

  /// Closes the last shard (if it holds any sample) and ends writing.
  ///
  /// - Returns: the shard this call closed, or `nil` if there was none open.
  /// - Throws: ``ShardError`` for I/O failures; whatever `onShardFinished` throws.
  @discardableResult
  public func finish() throws -> FinishedShard? {
    if let failure { throw failure }
    guard !isFinished else { return nil }
    isFinished = true
    return try closeCurrent()
  }

  /// Runs `body` with a new writer and finishes it afterwards; if `body` throws, the unfinished
  /// shard is deleted and the error rethrown.
  ///
  /// - Returns: what `body` returns.
  public static func withShardWriter<Result>(
    configuration: ShardWriterConfiguration,
    onShardFinished: @escaping (FinishedShard) throws -> Void = { _ in },
    _ body: (ShardWriter) throws -> Result
  ) throws -> Result {
    let writer = try ShardWriter(configuration: configuration, onShardFinished: onShardFinished)
    let result = try body(writer)
    try writer.finish()
    return result
  }

  /// Whether adding `sample` to `open` would break a limit (only when `open` is not empty).
  private func needsRollover(_ open: OpenShard, before sample: ShardSample) -> Bool {
    guard !open.samples.isEmpty else { return false }
    if let maxSamples = configuration.maxSamples, open.samples.count >= maxSamples { return true }
    if let maxBytes = configuration.maxBytes {
      let size = TarWriter.archiveSize(contentSize: open.writer.offset + sample.archiveSize)
      if size > maxBytes { return true }
    }
    return false
  }

  private func openShard() throws(ShardError) {
    let index = nextIndex
    let temporaryPath = PosixFile.temporaryPath(for: configuration.path(forShard: index))
    do throws(ShardError) {
      let file = try PosixFile.create(temporaryPath)
      let writer = try TarWriter(
        file: file, userName: configuration.userName, groupName: configuration.groupName)
      current = OpenShard(index: index, temporaryPath: temporaryPath, writer: writer)
    } catch {
      abandon(error)
      throw error
    }
  }

  /// Finishes, syncs and renames the open shard, then reports it.
  @discardableResult
  private func closeCurrent() throws -> FinishedShard? {
    guard let open = current else { return nil }
    let path = configuration.path(forShard: open.index)
    let summary: TarArchiveSummary
    do throws(ShardError) {
      summary = try open.writer.finish()
      try PosixFile.rename(open.temporaryPath, to: path)
    } catch {
      abandon(error)
      throw error
    }
    current = nil
    nextIndex = open.index + 1
    finishedShardCount += 1
    let shard = FinishedShard(
      index: open.index, fileName: configuration.fileName(forShard: open.index), path: path,
      byteCount: summary.byteCount, sha256: summary.sha256, md5: summary.md5, samples: open.samples)
    try onShardFinished(shard)
    return shard
  }

  /// Deletes the unfinished shard and remembers `error` for later calls.
  private func abandon(_ error: ShardError) {
    if let open = current { PosixFile.removeIfPresent(open.temporaryPath) }
    current = nil
    failure = error
  }
}

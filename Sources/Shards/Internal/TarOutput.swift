internal import Crypto

/// The byte sink behind ``TarWriter``: an in-memory buffer or a buffered file, hashing every
/// byte (SHA-256 and MD5) as it passes, so a finished shard never has to be read back.
final class TarOutput {
  /// Bytes collected before a file write; one `write` call per this many bytes.
  private static let flushThreshold = 1 << 20

  /// The archive so far (memory) or the bytes not yet written (file).
  private(set) var buffer: [UInt8] = []
  /// The number of bytes emitted so far: the offset of the next byte.
  private(set) var offset = 0
  private let file: PosixFile?
  private var sha256 = SHA256()
  private var md5 = Insecure.MD5()

  /// An output that keeps the whole archive in ``buffer``.
  init() { file = nil }

  /// An output that writes to `file`.
  init(file: PosixFile) {
    self.file = file
    buffer.reserveCapacity(Self.flushThreshold + TarHeader.blockSize)
  }

  /// Appends `bytes`.
  func append(_ bytes: [UInt8]) throws(ShardError) {
    sha256.update(data: bytes)
    md5.update(data: bytes)
    offset += bytes.count
    if let file, buffer.isEmpty, bytes.count >= Self.flushThreshold {
      try file.writeAll(bytes)
      return
    }
    buffer.append(contentsOf: bytes)
    if file != nil && buffer.count >= Self.flushThreshold { try flush() }
  }

  /// Appends `count` zero bytes.
  func appendZeros(_ count: Int) throws(ShardError) {
    guard count > 0 else { return }
    try append([UInt8](repeating: 0, count: count))
  }

  /// Writes buffered bytes to the file (nothing for a memory output).
  func flush() throws(ShardError) {
    guard let file, !buffer.isEmpty else { return }
    try file.writeAll(buffer)
    buffer.removeAll(keepingCapacity: true)
  }

  /// The lowercase hexadecimal SHA-256 and MD5 of everything appended.
  func digests() -> (sha256: String, md5: String) {
    (ShardDigest.hex(sha256.finalize()), ShardDigest.hex(md5.finalize()))
  }

}

/// Reads a tar archive (a file or bytes): lists and validates its members, groups them into
/// samples, and reads any member by random access at a known data offset.
///
/// Only plain USTAR (or GNU-magic) headers of regular files are accepted. Every header's
/// checksum, magic and octal fields are validated; an archive that ends inside a header or a
/// member's data, or before its end-of-archive zero blocks, is rejected. Failures are typed
/// ``ShardError`` values naming the archive and the byte offset, never a crash.
public final class TarReader {
  /// The archive path named in errors (`<memory>` for bytes unless another name was given).
  public let path: String
  /// The archive's length in bytes.
  public let byteCount: Int

  private let bytes: [UInt8]
  private let file: PosixFile?

  /// Opens the archive at `path` for reading; members are read on demand with `pread`.
  ///
  /// - Throws: ``ShardError/io(path:reason:)`` if the file cannot be opened.
  public init(path: String) throws(ShardError) {
    let file = try PosixFile.openForReading(path)
    self.file = file
    self.path = path
    self.bytes = []
    self.byteCount = try file.size()
  }

  /// Reads an archive held in memory.
  ///
  /// - Parameter path: the name used in errors (default `<memory>`).
  public init(bytes: [UInt8], path: String = "<memory>") {
    self.file = nil
    self.path = path
    self.bytes = bytes
    self.byteCount = bytes.count
  }

  /// Lists the archive's members in order, validating every header.
  ///
  /// - Throws: ``ShardError/truncated(path:reason:)``, ``ShardError/corruptHeader(path:reason:)``
  ///   or ``ShardError/unsupportedMember(path:reason:)`` with the offending offset;
  ///   ``ShardError/io(path:reason:)`` if reading fails.
  public func members() throws(ShardError) -> [TarMember] {
    var members: [TarMember] = []
    try walk { (member) throws(ShardError) in members.append(member) }
    return members
  }

  /// Validates every header in archive order and hands each member to `visit`.
  func walk(_ visit: (TarMember) throws(ShardError) -> Void) throws(ShardError) {
    var offset = 0
    let block = TarHeader.blockSize
    while true {
      if offset + block > byteCount {
        let reason =
          offset == byteCount
          ? "archive ends at offset \(offset) without the end-of-archive zero blocks"
          : "archive ends inside the header at offset \(offset) (length \(byteCount))"
        throw .truncated(path: path, reason: reason)
      }
      let header = try read(offset: offset, count: block)
      if TarHeader.isZero(header[...]) {
        if offset + 2 * block > byteCount {
          throw .truncated(path: path, reason: "archive ends after one zero block at offset \(offset)")
        }
        return
      }
      let decoded = try TarHeader.decode(header[...], offset: offset, path: path)
      let member = TarMember(name: decoded.name, headerOffset: offset, size: decoded.size)
      if member.endOffset > byteCount {
        throw .truncated(
          path: path,
          reason: "member \"\(member.name)\" at offset \(offset) needs \(member.size) bytes of data (padded to \(member.endOffset)), archive length is \(byteCount)"
        )
      }
      try visit(member)
      offset = member.endOffset
    }
  }

  /// Lists the members and groups them into samples (see ``TarSampleGrouper``).
  ///
  /// - Throws: everything ``members()`` and ``TarSampleGrouper/group(_:path:)`` throw.
  public func sampleLayouts() throws(ShardError) -> [SampleLayout] {
    try TarSampleGrouper.group(members(), path: path)
  }

  /// Reads every sample with its field payloads.
  ///
  /// - Throws: everything ``sampleLayouts()`` throws.
  public func samples() throws(ShardError) -> [ShardSample] {
    var samples: [ShardSample] = []
    for layout in try sampleLayouts() {
      var fields: [String: [UInt8]] = [:]
      for member in layout.members {
        fields[layout.field(of: member)] = try read(member)
      }
      samples.append(ShardSample(key: layout.key, fields: fields))
    }
    return samples
  }

  /// Reads the data of `member`.
  ///
  /// - Throws: see ``read(dataOffset:size:)``.
  public func read(_ member: TarMember) throws(ShardError) -> [UInt8] {
    try read(dataOffset: member.dataOffset, size: member.size)
  }

  /// Reads `size` bytes at `dataOffset` without scanning the archive (offsets from the catalog
  /// or a DALI index).
  ///
  /// - Throws: ``ShardError/truncated(path:reason:)`` if the range runs past the end of the
  ///   archive, ``ShardError/io(path:reason:)`` if reading fails.
  /// - Precondition: `dataOffset` and `size` are not negative.
  public func read(dataOffset: Int, size: Int) throws(ShardError) -> [UInt8] {
    precondition(dataOffset >= 0 && size >= 0, "negative offset or size")
    guard dataOffset <= byteCount, size <= byteCount - dataOffset else {
      throw .truncated(
        path: path,
        reason: "\(size) bytes at offset \(dataOffset) run past the end of the archive (length \(byteCount))"
      )
    }
    return try read(offset: dataOffset, count: size)
  }

  /// `count` bytes at `offset`; the caller has checked the range.
  func read(offset: Int, count: Int) throws(ShardError) -> [UInt8] {
    guard let file else { return Array(bytes[offset..<(offset + count)]) }
    let result = try file.read(count: count, at: offset)
    guard result.count == count else {
      throw .truncated(path: path, reason: "file shrank while reading \(count) bytes at offset \(offset)")
    }
    return result
  }
}

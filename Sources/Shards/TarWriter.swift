/// Writes one plain USTAR archive, to a file or to memory, with fixed member attributes so the
/// same members always give the same bytes.
///
/// Every member is a regular file (typeflag `0`) with mode 0444, uid and gid 0, mtime 0, magic
/// `ustar\0`, version `00`, and the owner names given at creation (empty by default; the
/// WebDataset reference writer uses `bigdata`). Names longer than 100 bytes are an error: no
/// prefix split, PAX or GNU long-name header is ever written, so `wids` and DALI read every name.
/// Sizes are octal, so a member must be smaller than 8 GiB. Data is zero-padded to 512 bytes;
/// ``finish()`` writes two zero blocks and pads the archive to a multiple of 10240 bytes, as
/// Python's `tarfile` does, so the output matches Python byte for byte.
///
/// SHA-256 and MD5 of the archive are computed while writing and returned by ``finish()``.
///
/// ```swift
/// let writer = try TarWriter(path: "/data/shard-000000.tar")
/// let layout = try writer.append(ShardSample(key: "a", fields: ["png": png, "seg.png": mask]))
/// let summary = try writer.finish()
/// ```
public final class TarWriter {
  /// The archive path named in errors (`<memory>` for an in-memory archive).
  public let path: String
  /// The `uname` header field of every member.
  public let userName: String
  /// The `gname` header field of every member.
  public let groupName: String

  private let output: TarOutput
  private let file: PosixFile?
  private let userNameBytes: [UInt8]
  private let groupNameBytes: [UInt8]
  private var summary: TarArchiveSummary?

  /// Creates a writer that builds the archive in memory; read it from ``bytes``.
  ///
  /// - Parameters:
  ///   - userName: the `uname` of every member, at most 32 bytes (default empty).
  ///   - groupName: the `gname` of every member, at most 32 bytes (default empty).
  /// - Throws: ``ShardError/invalidConfiguration(path:reason:)`` for an owner name over 32 bytes.
  public convenience init(userName: String = "", groupName: String = "") throws(ShardError) {
    try self.init(output: TarOutput(), file: nil, path: "<memory>", userName: userName, groupName: groupName)
  }

  /// Creates (or truncates) the file at `path` and writes the archive into it.
  ///
  /// The file is written in place; ``ShardWriter`` adds the temporary name and rename.
  /// - Throws: ``ShardError/io(path:reason:)`` if the file cannot be created,
  ///   ``ShardError/invalidConfiguration(path:reason:)`` for an owner name over 32 bytes.
  public convenience init(path: String, userName: String = "", groupName: String = "") throws(ShardError) {
    try Self.validateOwner(userName, groupName, path: path)
    let file = try PosixFile.create(path)
    try self.init(output: TarOutput(file: file), file: file, path: path, userName: userName, groupName: groupName)
  }

  /// Creates a writer over an open file (used by ``ShardWriter``).
  convenience init(file: PosixFile, userName: String, groupName: String) throws(ShardError) {
    try self.init(output: TarOutput(file: file), file: file, path: file.path, userName: userName, groupName: groupName)
  }

  private init(
    output: TarOutput, file: PosixFile?, path: String, userName: String, groupName: String
  ) throws(ShardError) {
    try Self.validateOwner(userName, groupName, path: path)
    self.output = output
    self.file = file
    self.path = path
    self.userName = userName
    self.groupName = groupName
    self.userNameBytes = Array(userName.utf8)
    self.groupNameBytes = Array(groupName.utf8)
  }

  /// The number of bytes written so far: the header offset of the next member.
  public var offset: Int { output.offset }

  /// Whether ``finish()`` has completed.
  public var isFinished: Bool { summary != nil }

  /// The archive built so far by an in-memory writer (complete after ``finish()``); empty for a
  /// file writer.
  public var bytes: [UInt8] { file == nil ? output.buffer : [] }

  /// Appends one regular file.
  ///
  /// - Parameters:
  ///   - name: the member name, 1…100 bytes of UTF-8 without NUL.
  ///   - contents: the member's data, smaller than 8 GiB.
  /// - Returns: where the member landed (header offset, data offset, size).
  /// - Throws: ``ShardError/invalidName(path:reason:)`` for a bad name or oversized member,
  ///   ``ShardError/io(path:reason:)`` if writing fails.
  /// - Precondition: ``finish()`` has not been called.
  @discardableResult
  public func append(name: String, contents: [UInt8]) throws(ShardError) -> TarMember {
    precondition(summary == nil, "TarWriter.append after finish()")
    let nameBytes = Array(name.utf8)
    if nameBytes.isEmpty || nameBytes.contains(0) {
      throw .invalidName(path: path, reason: "member name \"\(name)\" is empty or contains NUL")
    }
    if nameBytes.count > TarHeader.maximumNameLength {
      throw .invalidName(
        path: path,
        reason: "member name \"\(name)\" is \(nameBytes.count) bytes; plain USTAR allows at most 100"
      )
    }
    if contents.count > TarHeader.maximumMemberSize {
      throw .invalidName(path: path, reason: "member \"\(name)\" is \(contents.count) bytes; the octal size field allows under 8 GiB")
    }
    let member = TarMember(name: name, headerOffset: output.offset, size: contents.count)
    try output.append(
      TarHeader.encode(name: nameBytes, size: contents.count, userName: userNameBytes, groupName: groupNameBytes)
    )
    try output.append(contents)
    try output.appendZeros(TarMember.paddedSize(contents.count) - contents.count)
    return member
  }

  /// Appends a sample: one member `<key>.<field>` per field, fields sorted by name.
  ///
  /// The sample is validated as a whole first (``ShardSample/validate(archive:)``), so an
  /// invalid sample writes nothing.
  /// - Returns: the sample's key and members with their offsets.
  /// - Throws: ``ShardError/invalidKey(path:reason:)``, ``ShardError/invalidName(path:reason:)``
  ///   or ``ShardError/io(path:reason:)``.
  @discardableResult
  public func append(_ sample: ShardSample) throws(ShardError) -> SampleLayout {
    try sample.validate(archive: path)
    var members: [TarMember] = []
    for field in sample.sortedFieldNames {
      members.append(try append(name: sample.memberName(field: field), contents: sample.fields[field] ?? []))
    }
    return SampleLayout(key: sample.key, members: members)
  }

  /// Ends the archive: two zero blocks, zero padding to a multiple of 10240 bytes, then (for a
  /// file) flush, `fsync` and close.
  ///
  /// Calling it again returns the same summary without writing.
  /// - Returns: the archive's length, SHA-256 and MD5.
  /// - Throws: ``ShardError/io(path:reason:)`` if writing, syncing or closing fails.
  @discardableResult
  public func finish() throws(ShardError) -> TarArchiveSummary {
    if let summary { return summary }
    let end = output.offset + 2 * TarHeader.blockSize
    let total = Self.archiveSize(contentSize: output.offset)
    try output.appendZeros(total - output.offset)
    precondition(output.offset == total && total >= end, "tar trailer arithmetic")
    try output.flush()
    if let file {
      try file.sync()
      try file.close()
    }
    let digests = output.digests()
    let summary = TarArchiveSummary(byteCount: total, sha256: digests.sha256, md5: digests.md5)
    self.summary = summary
    return summary
  }

  /// The length of a finished archive whose members occupy `contentSize` bytes (headers and
  /// padded data): two zero blocks added, rounded up to a multiple of 10240.
  public static func archiveSize(contentSize: Int) -> Int {
    let end = contentSize + 2 * TarHeader.blockSize
    return (end + TarHeader.recordSize - 1) / TarHeader.recordSize * TarHeader.recordSize
  }

  private static func validateOwner(_ userName: String, _ groupName: String, path: String) throws(ShardError) {
    for (label, name) in [("user", userName), ("group", groupName)] {
      if name.utf8.count > 32 || name.utf8.contains(0) {
        throw .invalidConfiguration(path: path, reason: "\(label) name \"\(name)\" must be at most 32 bytes without NUL")
      }
    }
  }
}

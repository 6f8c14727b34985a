import Crypto

/// What one pass over an archive found: its members and the SHA-256 of the whole file.
public struct TarStreamSummary: Sendable {
  /// The members read before the end of the archive or the first error, in archive order.
  public var members: [TarMember]
  /// The lowercase hex SHA-256 of every byte of the file (including what follows an error), or
  /// `nil` when the file could not be read to its end.
  public var sha256: String?
  /// Why the archive is not a valid tar (the first error), or `nil`.
  public var failure: ShardError?
}

extension TarReader {
  /// Reads the archive once from start to end, validating every header as ``members()`` does and
  /// handing each member's data to `body` as it passes, while hashing every byte of the file.
  ///
  /// At most one member's data is held at a time, so memory does not grow with the archive.
  /// After an invalid header the rest of the file is still hashed (in 1 MiB pieces), so the
  /// summary says both that the tar is broken and whether the file is the one recorded.
  public func stream(_ body: (TarMember, [UInt8]) -> Void) -> TarStreamSummary {
    var hasher = SHA256()
    var hashed = 0  // every byte before this offset went into the hasher
    var members: [TarMember] = []
    var failure: ShardError?
    do throws(ShardError) {
      try walk { (member) throws(ShardError) in
        members.append(member)
        let header = try read(offset: member.headerOffset, count: TarHeader.blockSize)
        let data = try read(offset: member.dataOffset, count: member.size)
        let padding = try read(offset: member.dataOffset + member.size, count: member.endOffset - member.dataOffset - member.size)
        hasher.update(data: header)
        hasher.update(data: data)
        hasher.update(data: padding)
        hashed = member.endOffset
        body(member, data)
      }
    } catch {
      failure = error
    }
    // The end-of-archive blocks and anything after them, or everything after the failed header.
    let piece = 1 << 20
    while hashed < byteCount {
      guard let bytes = try? read(offset: hashed, count: min(piece, byteCount - hashed)) else {
        return TarStreamSummary(members: members, sha256: nil, failure: failure)
      }
      hasher.update(data: bytes)
      hashed += bytes.count
    }
    return TarStreamSummary(members: members, sha256: ShardDigest.hex(hasher.finalize()), failure: failure)
  }
}

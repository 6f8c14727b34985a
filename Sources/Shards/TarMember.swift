/// Where one regular file sits in a tar archive: its name, header offset and data size.
///
/// In a plain USTAR archive (no PAX or GNU extension headers) a member's data always starts in
/// the block right after its header, so ``dataOffset`` is `headerOffset + 512`. Reading `size`
/// bytes at ``dataOffset`` returns the member's contents without scanning the archive.
public struct TarMember: Hashable, Sendable {
  /// The member's name in the archive, e.g. `aachen_000000_000019.seg.png`.
  public var name: String
  /// The byte offset of the member's 512-byte header.
  public var headerOffset: Int
  /// The member's size in bytes (without padding).
  public var size: Int

  /// Creates a member location.
  public init(name: String, headerOffset: Int, size: Int) {
    self.name = name
    self.headerOffset = headerOffset
    self.size = size
  }

  /// The byte offset of the member's data: `headerOffset + 512`.
  public var dataOffset: Int { headerOffset + 512 }

  /// The offset just past the member's data padded to a 512-byte block: the next header.
  public var endOffset: Int { dataOffset + TarMember.paddedSize(size) }

  /// `size` rounded up to a multiple of 512 bytes.
  static func paddedSize(_ size: Int) -> Int { (size + 511) / 512 * 512 }
}

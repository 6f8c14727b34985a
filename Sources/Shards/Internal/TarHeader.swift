/// The 512-byte USTAR header: encoding for the writer, validation and decoding for the reader.
///
/// Field layout (offset, length): name 0/100, mode 100/8, uid 108/8, gid 116/8, size 124/12,
/// mtime 136/12, chksum 148/8, typeflag 156/1, linkname 157/100, magic 257/6, version 263/2,
/// uname 265/32, gname 297/32, devmajor 329/8, devminor 337/8, prefix 345/155, padding 500/12.
/// Numbers are octal ASCII followed by NUL, written exactly as Python's `tarfile` does in USTAR
/// format; the checksum is six octal digits, NUL, space.
enum TarHeader {
  /// The size of a header and the unit data is padded to.
  static let blockSize = 512
  /// Python's `tarfile.RECORDSIZE`: finished archives are padded to a multiple of this.
  static let recordSize = 10240
  /// The largest member a 12-byte octal size field can describe (8 GiB − 1).
  static let maximumMemberSize = (1 << 33) - 1
  /// The longest name the 100-byte `name` field holds (no prefix, PAX or GNU extension).
  static let maximumNameLength = 100

  /// A header the reader accepted.
  struct Decoded {
    var name: String
    var size: Int
  }

  /// The header block of a regular file with the fixed attributes of a Dance shard.
  ///
  /// - Precondition: `name` is 1…100 bytes, `size` fits the octal field and the owner names
  ///   fit their 32-byte fields (the writer validates all three before calling).
  static func encode(name: [UInt8], size: Int, userName: [UInt8], groupName: [UInt8]) -> [UInt8] {
    precondition(!name.isEmpty && name.count <= maximumNameLength, "member name length")
    precondition(size >= 0 && size <= maximumMemberSize, "member size")
    precondition(userName.count <= 32 && groupName.count <= 32, "owner name length")
    var block = [UInt8](repeating: 0, count: blockSize)
    block.replaceSubrange(0..<name.count, with: name)
    put(octal(0o444, width: 8), at: 100, in: &block)  // mode
    put(octal(0, width: 8), at: 108, in: &block)  // uid
    put(octal(0, width: 8), at: 116, in: &block)  // gid
    put(octal(size, width: 12), at: 124, in: &block)
    put(octal(0, width: 12), at: 136, in: &block)  // mtime
    put([UInt8](repeating: 0x20, count: 8), at: 148, in: &block)  // chksum placeholder
    block[156] = UInt8(ascii: "0")  // typeflag: regular file
    put(Array("ustar\0".utf8) + Array("00".utf8), at: 257, in: &block)
    put(userName, at: 265, in: &block)
    put(groupName, at: 297, in: &block)
    let sum = block.reduce(0) { $0 + Int($1) }
    put(octal(sum, width: 7), at: 148, in: &block)  // six digits and NUL; byte 155 stays a space
    return block
  }

  /// Whether `block` is all zeros (the end-of-archive marker).
  static func isZero(_ block: ArraySlice<UInt8>) -> Bool {
    block.allSatisfy { $0 == 0 }
  }

  /// Validates a header block and returns the name and size of the regular file it describes.
  ///
  /// - Throws: ``ShardError/corruptHeader(path:reason:)`` for a bad checksum, magic, version,
  ///   octal field or name; ``ShardError/unsupportedMember(path:reason:)`` for anything but a
  ///   regular file.
  static func decode(_ block: ArraySlice<UInt8>, offset: Int, path: String) throws(ShardError) -> Decoded {
    precondition(block.count == blockSize, "header block size")
    let base = block.startIndex
    func field(_ start: Int, _ length: Int) -> ArraySlice<UInt8> {
      block[(base + start)..<(base + start + length)]
    }
    func corrupt(_ reason: String) -> ShardError {
      .corruptHeader(path: path, reason: "header at offset \(offset): \(reason)")
    }

    guard let stored = parseOctal(field(148, 8)) else { throw corrupt("checksum field is not octal") }
    var unsigned = 0
    var signed = 0
    for (index, byte) in block.enumerated() {
      let value = (148..<156).contains(index) ? 0x20 : byte
      unsigned += Int(value)
      signed += Int(Int8(bitPattern: value))
    }
    guard stored == unsigned || stored == signed else {
      throw corrupt("checksum mismatch (stored \(stored), computed \(unsigned))")
    }

    let magic = Array(field(257, 8))
    let posix = Array("ustar\0".utf8) + Array("00".utf8)
    let gnu = Array("ustar  \0".utf8)
    guard magic == posix || magic == gnu else { throw corrupt("magic is not \"ustar\\0\" version \"00\"") }

    for (name, start, length) in [("mode", 100, 8), ("uid", 108, 8), ("gid", 116, 8), ("mtime", 136, 12)]
    where parseOctal(field(start, length)) == nil {
      throw corrupt("\(name) field is not octal")
    }
    guard let size = parseOctal(field(124, 12)) else {
      throw corrupt("size field is not octal (base-256 sizes are not supported)")
    }

    var nameBytes = Array(cString(field(0, 100)))
    let prefix = Array(cString(field(345, 155)))
    if magic == posix && !prefix.isEmpty { nameBytes = prefix + [UInt8(ascii: "/")] + nameBytes }
    guard let name = String(validating: nameBytes, as: UTF8.self), !name.isEmpty else {
      throw corrupt("member name is empty or not UTF-8")
    }

    let typeflag = block[base + 156]
    guard typeflag == UInt8(ascii: "0") || typeflag == 0 else {
      let shown = (0x21...0x7E).contains(typeflag) ? "'\(Character(Unicode.Scalar(typeflag)))'" : "\(typeflag)"
      throw .unsupportedMember(
        path: path,
        reason: "member \"\(name)\" at offset \(offset) has typeflag \(shown); only regular files are supported"
      )
    }
    return Decoded(name: name, size: size)
  }

  /// The bytes of `value` as zero-padded octal digits followed by NUL, `width` bytes in all.
  private static func octal(_ value: Int, width: Int) -> [UInt8] {
    let digits = Array(String(value, radix: 8).utf8)
    precondition(digits.count <= width - 1, "octal field overflow")
    return [UInt8](repeating: UInt8(ascii: "0"), count: width - 1 - digits.count) + digits + [0]
  }

  /// Parses an octal field the way Python's `nti` does: up to the first NUL, surrounding spaces
  /// ignored, empty means zero. Returns `nil` for base-256 or non-octal content.
  private static func parseOctal(_ field: ArraySlice<UInt8>) -> Int? {
    guard let first = field.first, first & 0x80 == 0 else { return nil }
    let text = cString(field).drop { $0 == 0x20 }
    let trimmed = text.reversed().drop { $0 == 0x20 }.reversed()
    var value = 0
    for byte in trimmed {
      guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) else { return nil }
      let (shifted, overflow) = value.multipliedReportingOverflow(by: 8)
      guard !overflow else { return nil }
      value = shifted + Int(byte - UInt8(ascii: "0"))
    }
    return value
  }

  /// The bytes of a NUL-terminated (or full-length) field before the first NUL.
  private static func cString(_ field: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    field.prefix { $0 != 0 }
  }

  private static func put(_ bytes: [UInt8], at offset: Int, in block: inout [UInt8]) {
    block.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
  }
}

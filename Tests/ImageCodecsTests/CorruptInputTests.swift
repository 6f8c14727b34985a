import DanceCore
import Foundation
import ImageCodecs
import TestSupport
import Testing

/// Bad input never crashes the decoder and always names the file: truncated and bit-flipped
/// versions of valid files, empty, mislabelled and oversized files.
@Suite struct CorruptInputTests {
  static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path

  /// Valid files of every kind the decoder reads: PngSuite samples and the JPEG fixtures.
  static let validFiles = [
    "pngsuite/basn0g01.png", "pngsuite/basn0g16.png", "pngsuite/basn2c08.png", "pngsuite/basn3p04.png",
    "pngsuite/basn6a16.png", "pngsuite/ibasn2c08.png", "pngsuite/ftbrn2c08.png",
    "jpeg/baseline.jpg", "jpeg/progressive.jpg", "jpeg/gray.jpg",
  ]

  /// About `count` prefix lengths spread over `bytes`, with the last two bytes missing as well.
  static func prefixLengths(of bytes: [UInt8], count: Int) -> Set<Int> {
    Set(Array(stride(from: 0, to: bytes.count, by: max(1, bytes.count / count))) + [bytes.count - 1, bytes.count - 2, bytes.count - 12])
  }

  static func bytes(of name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name)))
  }

  @Test(arguments: validFiles)
  func everyTruncationIsATypedErrorNamingTheFile(name: String) throws {
    let valid = try Self.bytes(of: name)
    try withTemporaryDirectory { directory in
      let path = directory + "/" + (name as NSString).lastPathComponent
      // Every prefix shorter than the file: the decoder must report it, never return a partial image.
      for length in Self.prefixLengths(of: valid, count: 150) {
        try writeFile(Array(valid.prefix(length)), to: path)
        #expect(throws: ImageCodecError.self, "prefix of \(length) bytes of \(name)") {
          try ImageDecoder().decode(contentsOf: path)
        }
        do throws(ImageCodecError) {
          _ = try ImageDecoder().decode(contentsOf: path)
        } catch {
          #expect(error.source == path)
          #expect(error.description.hasPrefix(path + ": "))
        }
      }
    }
  }

  @Test(arguments: validFiles)
  func bitFlipsDecodeOrFailCleanly(name: String) throws {
    let valid = try Self.bytes(of: name)
    var generator = SplitMix(seed: UInt64(name.utf8.count))
    var failures = 0
    for _ in 0..<300 {
      var flipped = valid
      let position = Int(generator.next() % UInt64(valid.count))
      flipped[position] ^= UInt8(1 << (generator.next() % 8))
      do throws(ImageCodecError) {
        let file = try ImageDecoder().decode(flipped, source: "flipped-\(name)")
        #expect(file.image.width > 0)
      } catch {
        failures += 1
        #expect(error.source == "flipped-\(name)")
      }
    }
    // PNG checks a CRC on every critical chunk, so most flips must be caught there.
    if name.hasSuffix(".png") { #expect(failures > 100) }
  }

  @Test func emptyFile() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/empty.png"
      try writeFile([], to: path)
      #expect(throws: ImageCodecError.empty(source: path)) { try ImageDecoder().decode(contentsOf: path) }
    }
  }

  @Test func missingFileAndDirectory() throws {
    try withTemporaryDirectory { directory in
      #expect(throws: ImageCodecError.unreadable(source: directory + "/none.png", reason: "no such file")) {
        try ImageDecoder().decode(contentsOf: directory + "/none.png")
      }
      #expect(throws: ImageCodecError.unreadable(source: directory, reason: "is a directory")) {
        try ImageDecoder().decode(contentsOf: directory)
      }
    }
  }

  @Test func textIsNotAnImage() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/notes.png"
      try writeFile(Array("hello world".utf8), to: path)
      #expect(throws: ImageCodecError.unrecognizedFormat(source: path, leadingBytes: "68 65 6c 6c 6f 20 77 6f")) {
        try ImageDecoder().decode(contentsOf: path)
      }
    }
  }

  @Test(arguments: [("pngsuite/basn2c08.png", "jpg", ImageCodec.png), ("jpeg/baseline.jpg", "png", .jpeg)])
  func wrongExtensionIsReported(name: String, fileExtension: String, detected: ImageCodec) throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/image." + fileExtension
      try writeFile(try Self.bytes(of: name), to: path)
      #expect(throws: ImageCodecError.extensionMismatch(source: path, fileExtension: fileExtension, detected: detected)) {
        try ImageDecoder().decode(contentsOf: path)
      }
      let lenient = ImageDecoder(options: DecodeOptions(rejectsExtensionMismatch: false))
      #expect(try lenient.decode(contentsOf: path).header.codec == detected)
    }
  }

  @Test func pixelLimitIsCheckedBeforeDecoding() throws {
    let png = try Self.bytes(of: "pngsuite/basn2c08.png")
    let jpeg = try Self.bytes(of: "jpeg/baseline.jpg")
    let strict = ImageDecoder(options: DecodeOptions(maxPixels: 1000))
    #expect(throws: ImageCodecError.tooLarge(source: "a.png", width: 32, height: 32, limit: 1000)) {
      try strict.decode(png, source: "a.png")
    }
    #expect(throws: ImageCodecError.tooLarge(source: "b.jpg", width: 33, height: 17, limit: 33 * 17 - 1)) {
      try ImageDecoder(options: DecodeOptions(maxPixels: 33 * 17 - 1)).decode(jpeg, source: "b.jpg")
    }
    #expect(try ImageDecoder(options: DecodeOptions(maxPixels: 32 * 32)).decode(png, source: "a.png").image.width == 32)
  }

  /// A 60000 × 60000 header with a valid CRC: refused from the header alone (no 10 GiB allocation).
  @Test func hugeHeaderIsRefused() throws {
    var png = try Self.bytes(of: "pngsuite/basn2c08.png")
    // IHDR data starts at byte 16: width and height big-endian, then the CRC over type + data.
    let side: [UInt8] = [0, 0, 0xEA, 0x60]
    png.replaceSubrange(16..<20, with: side)
    png.replaceSubrange(20..<24, with: side)
    let crc = crc32(png[12..<29])
    png.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
    #expect(throws: ImageCodecError.tooLarge(source: "huge.png", width: 60000, height: 60000, limit: 1 << 28)) {
      try ImageDecoder().decode(png, source: "huge.png")
    }
  }

  @Test func fileSizeLimitIsCheckedBeforeReading() throws {
    let path = Self.fixtures + "/pngsuite/basn2c08.png"
    let decoder = ImageDecoder(options: DecodeOptions(maxFileBytes: 100))
    #expect {
      try decoder.decode(contentsOf: path)
    } throws: { error in
      guard case .unreadable(let source, let reason) = error as? ImageCodecError else { return false }
      return source == path && reason.contains("file-size limit")
    }
  }

  /// CRC-32 (ISO 3309, as PNG uses it), bitwise.
  func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }
}

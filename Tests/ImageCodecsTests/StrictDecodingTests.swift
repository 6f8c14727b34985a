import CPNG
import Foundation
@testable import ImageCodecs
import TestSupport
import Testing

/// Issue 12, B1–B3 and B5: corrupt data is never accepted silently. Strict mode (the default)
/// refuses what libjpeg and libpng would work around; lenient mode accepts it with a warning.
@Suite struct StrictDecodingTests {
  static let lenient = ImageDecoder(options: DecodeOptions(strictness: .lenient))

  // MARK: - Helpers that build damaged files

  /// `jpeg` cut inside its entropy-coded data with an end-of-image marker appended: what libjpeg
  /// reports as "premature end of data segment" and fills with gray.
  static func truncatedWithEOI(_ jpeg: [UInt8]) -> [UInt8] {
    let sos = jpeg.count - scanBytes(jpeg)
    // The end of the first scan's entropy-coded data: the next marker that is not a stuffed zero.
    let end = (sos + 2..<jpeg.count - 1).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] != 0 } ?? jpeg.count
    return Array(jpeg.prefix((sos + end) / 2 + 8)) + [0xFF, 0xD9]
  }

  /// The bytes from the first start-of-scan marker to the end of `jpeg`.
  static func scanBytes(_ jpeg: [UInt8]) -> Int {
    let sos = (0..<jpeg.count - 1).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA } ?? 0
    return jpeg.count - sos
  }

  /// `jpeg` with junk bytes between two header markers: "N extraneous bytes before marker".
  static func extraneousBytes(_ jpeg: [UInt8]) -> [UInt8] {
    // The first marker after SOI is APP0 (or another segment): skip it and insert after it.
    let length = Int(jpeg[4]) << 8 | Int(jpeg[5])
    let end = 4 + length
    return Array(jpeg[..<end]) + [0x12, 0x34, 0x56] + Array(jpeg[end...])
  }

  /// The (offset, length) of every chunk's data whose name is `name`.
  static func chunks(_ png: [UInt8], named name: String) -> [(offset: Int, length: Int)] {
    var found: [(Int, Int)] = []
    var position = 8
    while position + 12 <= png.count {
      let length = png[position..<position + 4].reduce(0) { $0 << 8 | Int($1) }
      if png[position + 4..<position + 8].elementsEqual(name.utf8) { found.append((position + 8, length)) }
      position += 12 + length
    }
    return found
  }

  /// Recomputes the CRC of the chunk whose data starts at `offset`.
  static func fixCRC(_ png: inout [UInt8], dataOffset offset: Int, length: Int) {
    let crc = png.withUnsafeBufferPointer { cpng_crc32($0.baseAddress! + offset - 4, length + 4) }
    png.replaceSubrange(
      offset + length..<offset + length + 4,
      with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
  }

  /// An uncompressed (stored) PNG with one pixel byte changed and the IDAT CRC recomputed: the
  /// change reaches the pixels and only the zlib stream's Adler-32 tells.
  static func pixelChangedBehindTheCRC(_ png: [UInt8]) -> [UInt8] {
    var png = png
    let idat = chunks(png, named: "IDAT")[0]
    // zlib header (2), stored block header (5), then the first row's filter byte and samples.
    png[idat.offset + 2 + 5 + 3] ^= 0x40
    fixCRC(&png, dataOffset: idat.offset, length: idat.length)
    return png
  }

  static func gradient(width: Int, height: Int, channels: Int) -> Image8 {
    var samples = [UInt8](repeating: 0, count: width * height * channels)
    for index in samples.indices { samples[index] = UInt8(truncatingIfNeeded: index * 7 / channels) }
    return Image8(width: width, height: height, channels: channels, samples: samples)
  }

  final class Warnings: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [DecodeWarning] = []
    func append(_ warning: DecodeWarning) { lock.withLock { list.append(warning) } }
    var all: [DecodeWarning] { lock.withLock { list } }
  }

  // MARK: - B1: libjpeg warnings

  @Test(arguments: ["baseline.jpg", "progressive.jpg", "gray.jpg"])
  func jpegTruncatedWithEOIAppendedIsRefusedInStrictMode(name: String) throws {
    let damaged = Self.truncatedWithEOI(try CorruptInputTests.bytes(of: "jpeg/" + name))
    #expect {
      try ImageDecoder().decode(damaged, source: name)
    } throws: { error in
      guard case .strictWarning(let source, .jpeg, let warning) = error as? ImageCodecError else { return false }
      return source == name && !warning.isEmpty
    }
  }

  @Test func jpegExtraneousBytesAreRefusedNamingTheWarning() throws {
    let damaged = Self.extraneousBytes(try CorruptInputTests.bytes(of: "jpeg/baseline.jpg"))
    let expected = ImageCodecError.strictWarning(
      source: "x.jpg", codec: .jpeg, warning: "Corrupt JPEG data: 3 extraneous bytes before marker 0xdb")
    #expect(throws: expected) { try ImageDecoder().decode(damaged, source: "x.jpg") }
    #expect(expected.description.hasPrefix("x.jpg: corrupt JPEG data: Corrupt JPEG data: 3 extraneous bytes"))
    // The warning is in the header, so the header-only scan refuses it too.
    try withTemporaryDirectory { directory in
      try writeFile(damaged, to: directory + "/x.jpg")
      #expect(throws: ImageCodecError.self) { try ImageDecoder().readHeader(contentsOf: directory + "/x.jpg") }
    }
  }

  @Test func lenientModeAcceptsJPEGWarningsAndRecordsThem() throws {
    let valid = try CorruptInputTests.bytes(of: "jpeg/baseline.jpg")
    let warnings = Warnings()
    let decoder = ImageDecoder(options: DecodeOptions(strictness: .lenient, warningHandler: { warnings.append($0) }))
    let extraneous = try decoder.decode(Self.extraneousBytes(valid), source: "x.jpg")
    #expect(extraneous.warnings == [
      DecodeWarning(source: "x.jpg", codec: .jpeg, message: "Corrupt JPEG data: 3 extraneous bytes before marker 0xdb")
    ])
    #expect(extraneous.image == (try ImageDecoder().decode(valid, source: "v.jpg")).image)
    let truncated = try decoder.decode(Self.truncatedWithEOI(valid), source: "t.jpg")
    #expect(truncated.warnings.count == 1)
    #expect(truncated.warnings.first?.message.contains("premature end of data segment") == true)
    #expect(warnings.all == extraneous.warnings + truncated.warnings)
    // A valid file has no warnings, and a file that really ends early stays an error.
    #expect(try decoder.decode(valid, source: "v.jpg").warnings.isEmpty)
    #expect(throws: ImageCodecError.self) { try decoder.decode(Array(valid.prefix(valid.count - 40)), source: "c.jpg") }
  }

  // MARK: - B2: Adler-32

  /// A stored PNG of each kind: RGB 8-bit (the fast path) and RGB 16-bit and gray 8 with the
  /// libpng path forced by interlacing being unavailable to the encoder, so 16-bit stands for libpng.
  static func storedPNGs() throws -> [(name: String, bytes: [UInt8])] {
    let encoder = PNGEncoder(compressionLevel: 0, filter: .none)
    let rgb = gradient(width: 20, height: 6, channels: 3)
    let wide = Image16(width: 20, height: 6, channels: 3, samples: rgb.samples.map { UInt16($0) * 257 })
    return [("rgb8.png", try encoder.encode(rgb)), ("rgb16.png", try encoder.encode(wide))]
  }

  @Test func aWrongAdler32WithRecomputedCRCsIsRefusedOnBothPaths() throws {
    for (name, valid) in try Self.storedPNGs() {
      let damaged = Self.pixelChangedBehindTheCRC(valid)
      #expect(throws: ImageCodecError.self, "\(name) whole") { try ImageDecoder().decode(damaged, source: name) }
      #expect(throws: ImageCodecError.self, "\(name) libpng path") {
        try damaged.withUnsafeBufferPointer { (bytes) throws(ImageCodecError) in
          try PNGCodec.decodeWithLibpng(bytes, source: name, label: false, maxPixels: 1 << 28)
        }
      }
      #expect(throws: ImageCodecError.self, "\(name) label") { try ImageDecoder().decodeLabel(damaged, source: name) }
      try withTemporaryDirectory { directory in
        try writeFile(damaged, to: directory + "/" + name)
        var collector = RowDecodingTests.Collector()
        #expect(throws: ImageCodecError.self, "\(name) rows") {
          try ImageDecoder().decodeRows(contentsOf: directory + "/" + name, into: &collector)
        }
      }
      // Lenient: the changed pixels, with the refusal recorded.
      let accepted = try Self.lenient.decode(damaged, source: name)
      #expect(accepted.warnings.count == 1, "\(name)")
      #expect(accepted.image != (try ImageDecoder().decode(valid, source: name)).image)
    }
  }

  @Test func theFastPathItselfChecksTheAdler32() throws {
    let damaged = Self.pixelChangedBehindTheCRC(try Self.storedPNGs()[0].bytes)
    try damaged.withUnsafeBufferPointer { (bytes) throws in
      let layout = try #require(try PNGCodec.FastPath.probe(bytes, source: "m", label: false, maxPixels: 1 << 28))
      #expect(PNGCodec.FastPath.decode(bytes, layout) == nil)
    }
  }

  // MARK: - B3: claimed size against byte count

  /// A JPEG of a few KB whose frame header claims 16000 × 16000.
  static func jpegClaiming16000() throws -> [UInt8] {
    var jpeg = try CorruptInputTests.bytes(of: "jpeg/baseline.jpg")
    let sof = try #require((0..<jpeg.count - 1).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
    jpeg.replaceSubrange(sof + 5..<sof + 9, with: [0x3E, 0x80, 0x3E, 0x80])  // height, width
    return jpeg
  }

  @Test func aTinyJPEGClaiming16000SquaredIsRefusedFast() throws {
    let jpeg = try Self.jpegClaiming16000()
    let clock = ContinuousClock()
    let elapsed = clock.measure {
      #expect(
        throws: ImageCodecError.implausibleSize(
          source: "big.jpg", codec: .jpeg, width: 16000, height: 16000, byteCount: jpeg.count, maxPixelsPerByte: 512)
      ) { try ImageDecoder().decode(jpeg, source: "big.jpg") }
      #expect(throws: ImageCodecError.self) { try Self.lenient.decode(jpeg, source: "big.jpg") }
    }
    #expect(elapsed < .seconds(1))
    try withTemporaryDirectory { directory in
      try writeFile(jpeg, to: directory + "/big.jpg")
      #expect {
        try ImageDecoder().readHeader(contentsOf: directory + "/big.jpg")
      } throws: { error in
        if case .implausibleSize = error as? ImageCodecError { return true } else { return false }
      }
    }
  }

  @Test func aTinyPNGClaiming16000SquaredIsRefusedFast() throws {
    var png = try CorruptInputTests.bytes(of: "pngsuite/basn2c08.png")
    png.replaceSubrange(16..<24, with: [0, 0, 0x3E, 0x80, 0, 0, 0x3E, 0x80])
    Self.fixCRC(&png, dataOffset: 16, length: 13)
    let expected = ImageCodecError.implausibleSize(
      source: "big.png", codec: .png, width: 16000, height: 16000, byteCount: png.count, maxPixelsPerByte: 8256)
    #expect(throws: expected) { try ImageDecoder().decode(png, source: "big.png") }
    try withTemporaryDirectory { directory in
      try writeFile(png, to: directory + "/big.png")
      #expect(throws: ImageCodecError.implausibleSize(
        source: directory + "/big.png", codec: .png, width: 16000, height: 16000, byteCount: png.count,
        maxPixelsPerByte: 8256)) { try ImageDecoder().readHeader(contentsOf: directory + "/big.png") }
    }
  }

  /// Flat images compress best: they pass the default ratios and are refused only by a ratio
  /// set far below what the codec can reach, which shows the ratio is a setting.
  @Test func flatImagesPassTheDefaultRatiosAndTheRatioIsASetting() throws {
    let flat = Image8(width: 1024, height: 1024, channels: 1, repeating: 128)
    let png = try PNGEncoder(compressionLevel: 9).encode(flat)
    let jpeg = try JPEGEncoder(quality: 10).encode(flat)
    #expect(try ImageDecoder().decode(png, source: "f.png").image.width == 1024)
    #expect(try ImageDecoder().decode(jpeg, source: "f.jpg").image.width == 1024)
    let tight = ImageDecoder(options: DecodeOptions(pngMaxPixelsPerByte: 10, jpegMaxPixelsPerByte: 10))
    #expect(throws: ImageCodecError.self) { try tight.decode(png, source: "f.png") }
    #expect(throws: ImageCodecError.self) { try tight.decode(jpeg, source: "f.jpg") }
  }

  @Test func theDecoderWorkingMemoryIsCapped() throws {
    let progressive = try CorruptInputTests.bytes(of: "jpeg/progressive.jpg")
    let capped = ImageDecoder(options: DecodeOptions(maxDecoderMemory: 4096))
    #expect {
      try capped.decode(progressive, source: "p.jpg")
    } throws: { error in
      if case .memoryLimit(source: "p.jpg", codec: .jpeg, _) = error as? ImageCodecError { return true } else { return false }
    }
    // A baseline decode keeps no coefficient buffer and fits in the same cap.
    #expect(try capped.decode(try CorruptInputTests.bytes(of: "jpeg/baseline.jpg"), source: "b.jpg").image.width > 0)
  }

  // MARK: - B5: the trailer catches truncation in a header-only read

  @Test(arguments: ["pngsuite/basn2c08.png", "pngsuite/basn3p04.png", "jpeg/baseline.jpg", "jpeg/progressive.jpg"])
  func aHeaderOnlyReadCatchesTruncation(name: String) throws {
    let valid = try CorruptInputTests.bytes(of: name)
    try withTemporaryDirectory { directory in
      let path = directory + "/" + (name as NSString).lastPathComponent
      try writeFile(valid, to: path)
      _ = try ImageDecoder().readHeader(contentsOf: path)
      // Cuts that leave the header whole (a JPEG's markers up to its first scan).
      let longest = name.hasSuffix(".jpg") ? StrictDecodingTests.scanBytes(valid) / 2 : valid.count / 3
      for cut in [1, 12, longest] {
        try writeFile(Array(valid.prefix(valid.count - cut)), to: path)
        #expect(throws: ImageCodecError.self, "\(name) without its last \(cut) bytes") {
          try ImageDecoder().readHeader(contentsOf: path)
        }
        let warnings = Warnings()
        let lenient = ImageDecoder(options: DecodeOptions(strictness: .lenient, warningHandler: { warnings.append($0) }))
        _ = try lenient.readHeader(contentsOf: path)
        #expect(warnings.all.count == 1)
      }
      try writeFile(valid + [0, 0, 0], to: path)
      #expect(throws: ImageCodecError.self, "\(name) with bytes appended") { try ImageDecoder().readHeader(contentsOf: path) }
    }
  }
}

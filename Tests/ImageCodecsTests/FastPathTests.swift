import CPNG
import DanceCore
import Foundation
@testable import ImageCodecs
import TestSupport
import Testing

/// The fast path takes the common layouts and only those, and decodes them exactly as libpng
/// does (the PngSuite hashes and the round trips run through it as well).
@Suite struct FastPathTests {
  static func probe(_ name: String, label: Bool = false) throws -> Bool {
    let bytes = try CorruptInputTests.bytes(of: "pngsuite/" + name)
    return try bytes.withUnsafeBufferPointer { (bytes) throws(ImageCodecError) in
      try PNGCodec.FastPath.probe(bytes, source: name, label: label, maxPixels: 1 << 28) != nil
    }
  }

  @Test(arguments: ["basn0g08.png", "basn2c08.png", "basn4a08.png", "basn6a08.png", "ftp0n0g08.png", "ftp0n2c08.png"])
  func takesEightBitNonInterlacedFiles(name: String) throws {
    #expect(try Self.probe(name))
  }

  @Test(arguments: [
    "basn0g04.png", "basn0g16.png", "basn3p08.png", "ibasn2c08.png", "ibasn0g08.png", "ftbbn0g04.png",
    "ftbrn2c08.png",  // tRNS
  ])
  func leavesEverythingElseToLibpng(name: String) throws {
    #expect(try !Self.probe(name))
  }

  @Test func labelModeLeavesAlphaToLibpng() throws {
    #expect(try Self.probe("basn0g08.png", label: true))
    #expect(try Self.probe("basn2c08.png", label: true))
    #expect(try !Self.probe("basn6a08.png", label: true))
  }

  /// Large enough for libpng to write several IDAT chunks, in every filter; decoded by the fast
  /// path (whole and row by row) to the original pixels.
  @Test(arguments: [1, 3, 4], PNGEncoder.Filter.allCases)
  func manyChunksAndEveryFilterDecodeExactly(channels: Int, filter: PNGEncoder.Filter) throws {
    let image = RoundTripTests.pattern(width: 301, height: 97, channels: channels, seed: 11)
    let bytes = try PNGEncoder(compressionLevel: 1, filter: filter).encode(image)
    try bytes.withUnsafeBufferPointer { (bytes) throws in
      let layout = try #require(try PNGCodec.FastPath.probe(bytes, source: "m", label: false, maxPixels: 1 << 28))
      #expect(layout.idat_chunks > 1)
      #expect(PNGCodec.FastPath.decode(bytes, layout) == image)
      var collector = RowDecodingTests.Collector()
      #expect(PNGCodec.FastPath.decodeRows(bytes, layout, into: &collector))
      #expect(Array(collector.rows.joined()) == image.samples)
    }
  }

  @Test func aBadCRCIsLeftToLibpngWhichRefusesIt() throws {
    var bytes = try PNGEncoder().encode(RoundTripTests.pattern(width: 40, height: 30, channels: 3, seed: 2))
    bytes[bytes.count - 20] ^= 0x10  // inside the last IDAT chunk
    let taken = try bytes.withUnsafeBufferPointer { (bytes) throws(ImageCodecError) in
      try PNGCodec.FastPath.probe(bytes, source: "m", label: false, maxPixels: 1 << 28) != nil
    }
    #expect(!taken)
    #expect(throws: ImageCodecError.self) { try ImageDecoder().decode(bytes, source: "m.png") }
  }

  @Test func thePixelLimitIsCheckedBeforeAllocating() throws {
    let bytes = try PNGEncoder().encode(RoundTripTests.pattern(width: 40, height: 30, channels: 3, seed: 2))
    #expect(throws: ImageCodecError.self) {
      try bytes.withUnsafeBufferPointer { (bytes) throws(ImageCodecError) in
        _ = try PNGCodec.FastPath.probe(bytes, source: "m", label: false, maxPixels: 1000)
      }
    }
  }
}

/// Corruption that keeps every CRC valid (a bit flipped in the image data or the header, the chunk's
/// CRC recomputed) reaches the fast path's own checks: whatever it accepts, libpng must accept with
/// the same pixels, and the whole decoder (fast path, then libpng) never crashes. In practice the
/// fast path refuses every such file (zlib checks the stream and its Adler-32, the probe the
/// header), and libpng decides.
@Suite struct FastPathAgreementTests {
  static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }

  /// The chunks of `png` as (offset of the length field, data length).
  static func chunks(_ png: [UInt8]) -> [(offset: Int, length: Int)] {
    var result: [(Int, Int)] = []
    var offset = 8
    while offset + 12 <= png.count {
      let length = png[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
      result.append((offset, length))
      offset += 12 + length
    }
    return result
  }

  @Test(arguments: [PNGEncoder.Filter.adaptive, .paeth])
  func flipsWithValidCRCsAgreeWithLibpng(filter: PNGEncoder.Filter) throws {
    let image = RoundTripTests.pattern(width: 160, height: 120, channels: 3, seed: 77)
    let valid = try PNGEncoder(compressionLevel: 1, filter: filter).encode(image)
    let chunks = Self.chunks(valid)
    #expect(chunks.count > 3, "several IDAT chunks")
    var generator = SplitMix(seed: 99)
    var accepted = 0
    for _ in 0..<300 {
      var png = valid
      // Any chunk but IEND; the first one is IHDR.
      let chunk = chunks[Int(generator.next() % UInt64(chunks.count - 1))]
      guard chunk.length > 0 else { continue }
      let position = chunk.offset + 8 + Int(generator.next() % UInt64(chunk.length))
      png[position] ^= UInt8(1 << (generator.next() % 8))
      let crc = Self.crc32(png[(chunk.offset + 4)..<(chunk.offset + 8 + chunk.length)])
      for i in 0..<4 { png[chunk.offset + 8 + chunk.length + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * i)) }
      _ = try? ImageDecoder().decode(png, source: "flipped.png")
      try png.withUnsafeBufferPointer { (bytes) throws(ImageCodecError) in
        guard let layout = try PNGCodec.FastPath.probe(bytes, source: "m", label: false, maxPixels: 1 << 28),
          let fast = PNGCodec.FastPath.decode(bytes, layout)
        else { return }
        accepted += 1
        let reference = try? PNGCodec.decodeWithLibpng(bytes, source: "m", label: false, maxPixels: 1 << 28)
        #expect(reference?.image == .uint8(fast), "the fast path accepted what libpng \(reference == nil ? "refuses" : "decodes differently")")
      }
    }
    #expect(accepted < 300, "most flips break the stream or the header")
  }
}

import CPNG
import Foundation
@testable import ImageCodecs
import TestSupport
import Testing

/// The libdeflate path takes the common layouts and only those, and decodes them exactly as libpng
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
    struct Collect: ImageRowConsumer {
      var rows: [UInt8] = []
      mutating func begin(width: Int, height: Int, channels: Int) {}
      mutating func consume(row: UnsafeBufferPointer<UInt8>) { rows += row }
    }
    try bytes.withUnsafeBufferPointer { (bytes) throws in
      let layout = try #require(try PNGCodec.FastPath.probe(bytes, source: "m", label: false, maxPixels: 1 << 28))
      #expect(layout.idat_chunks > 1)
      #expect(PNGCodec.FastPath.decode(bytes, layout) == image)
      var collector = Collect()
      #expect(PNGCodec.FastPath.decodeRows(bytes, layout, into: &collector))
      #expect(collector.rows == image.samples)
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

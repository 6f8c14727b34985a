import CPNG
@testable import ImageCodecs
import Testing

/// The fast path inflates 32 KiB-window streams raw and checks their zlib header and Adler-32
/// itself: every header zlib refuses, and a changed Adler-32, still make it fall back to libpng,
/// which refuses the file; an intact file decodes exactly.
@Suite struct ZlibHeaderTests {
  /// A PNG with one IDAT chunk whose zlib stream is changed by `change`, the chunk's CRC recomputed.
  static func png(changing change: (inout [UInt8]) -> Void) throws -> (bytes: [UInt8], image: Image8) {
    let image = RoundTripTests.pattern(width: 45, height: 21, channels: 3, seed: 13)
    var bytes = try PNGEncoder(compressionLevel: 6, filter: .paeth).encode(image)
    let idat = try #require((8..<bytes.count - 4).first { bytes[$0..<($0 + 4)] == [0x49, 0x44, 0x41, 0x54] })
    let length = bytes[(idat - 4)..<idat].reduce(0) { $0 << 8 | Int($1) }
    var stream = Array(bytes[(idat + 4)..<(idat + 4 + length)])
    change(&stream)
    bytes.replaceSubrange((idat + 4)..<(idat + 4 + length), with: stream)
    let crc = cpng_crc32(Array(bytes[idat..<(idat + 4 + length)]), 4 + length)
    bytes.replaceSubrange((idat + 4 + length)..<(idat + 8 + length), with: (0..<4).map { UInt8(truncatingIfNeeded: crc >> (24 - 8 * $0)) })
    return (bytes, image)
  }

  static func fastPathDecodes(_ bytes: [UInt8]) throws -> Image8? {
    try bytes.withUnsafeBufferPointer { (bytes) throws in
      let layout = try #require(try PNGCodec.FastPath.probe(bytes, source: "m", label: false, maxPixels: 1 << 28))
      return PNGCodec.FastPath.decode(bytes, layout)
    }
  }

  @Test func anIntactStreamDecodesOnTheFastPath() throws {
    let (bytes, image) = try Self.png { _ in }
    #expect(try Self.fastPathDecodes(bytes) == image)
  }

  /// Header changes with a valid header check where needed: preset dictionary, another method,
  /// a window above 32 KiB, a broken check; and a changed Adler-32 trailer.
  @Test(arguments: ["dictionary", "method", "window", "check", "adler"])
  func zlibRefusalsFallBackAndLibpngRefuses(change: String) throws {
    let (bytes, _) = try Self.png { stream in
      func fixCheck() { stream[1] = (stream[1] & 0xE0) + UInt8((31 - (Int(stream[0]) << 8 | Int(stream[1] & 0xE0)) % 31) % 31) }
      switch change {
      case "dictionary": stream[1] |= 0x20; fixCheck()
      case "method": stream[0] = (stream[0] & 0xF0) | 7; fixCheck()
      case "window": stream[0] = (stream[0] & 0x0F) | 0x80; fixCheck()
      case "check": stream[1] ^= 0x01
      default: stream[stream.count - 1] ^= 0x40
      }
    }
    #expect(try Self.fastPathDecodes(bytes) == nil, "\(change)")
    #expect(throws: ImageCodecError.self, "\(change)") { try ImageDecoder().decode(bytes, source: "m.png") }
  }
}

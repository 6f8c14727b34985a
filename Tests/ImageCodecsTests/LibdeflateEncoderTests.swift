import CPNG
import Foundation
import Synchronization
@testable import ImageCodecs
import Testing

/// The libdeflate encoder (``PNGEncoder/Strategy/libdeflate``) writes PNGs libpng itself reads back
/// exactly, in every filter, channel count and bit depth, and the same bytes on any thread.
@Suite struct LibdeflateEncoderTests {
  @Test(arguments: [1, 2, 3, 4], PNGEncoder.Filter.allCases)
  func eightBitRoundTripsThroughLibpng(channels: Int, filter: PNGEncoder.Filter) throws {
    let image = RoundTripTests.pattern(width: 37, height: 23, channels: channels, seed: UInt64(channels + 20))
    let bytes = try PNGEncoder(compressionLevel: 3, filter: filter, strategy: .libdeflate).encode(image)
    let viaLibpng = try bytes.withUnsafeBufferPointer { (bytes) throws(ImageCodecError) in
      try PNGCodec.decodeWithLibpng(bytes, source: "m.png", label: false, maxPixels: 1 << 28)
    }
    #expect(viaLibpng.image == .uint8(image))
    #expect(try ImageDecoder().decode(bytes, source: "m.png").image == .uint8(image))
  }

  @Test(arguments: [1, 2, 3, 4], [PNGEncoder.Filter.adaptive, .sub, .paeth])
  func sixteenBitRoundTripsThroughLibpng(channels: Int, filter: PNGEncoder.Filter) throws {
    var state: UInt32 = 77
    let samples = (0..<(19 * 11 * channels)).map { index -> UInt16 in
      state = state &* 1_664_525 &+ 1_013_904_223
      return UInt16(truncatingIfNeeded: index * 300) &+ UInt16(truncatingIfNeeded: state >> 22)
    }
    let image = Image16(width: 19, height: 11, channels: channels, samples: samples)
    let bytes = try PNGEncoder(compressionLevel: 6, filter: filter, strategy: .libdeflate).encode(image)
    #expect(try ImageDecoder().decode(bytes, source: "m.png").image == .uint16(image))
  }

  @Test(arguments: [0, 1, 3, 6, 9])
  func everyLevelRoundTrips(level: Int) throws {
    let image = RoundTripTests.pattern(width: 64, height: 40, channels: 3, seed: 8)
    let bytes = try PNGEncoder(compressionLevel: level, filter: .sub, strategy: .libdeflate).encode(image)
    #expect(try ImageDecoder().decode(bytes, source: "m.png").image == .uint8(image))
  }

  /// Large enough that the fast path's one-call inflate and libpng's row-by-row reading both take it.
  @Test func largeImageDecodesOnTheFastPath() throws {
    let image = RoundTripTests.pattern(width: 640, height: 480, channels: 3, seed: 4)
    let bytes = try PNGEncoder(compressionLevel: 3, filter: .sub, strategy: .libdeflate).encode(image)
    try bytes.withUnsafeBufferPointer { (bytes) throws in
      let layout = try #require(try PNGCodec.FastPath.probe(bytes, source: "m", label: false, maxPixels: 1 << 28))
      #expect(layout.idat_chunks == 1)
      #expect(PNGCodec.FastPath.decode(bytes, layout) == image)
    }
  }

  @Test func sameBytesOnEveryThread() throws {
    let image = RoundTripTests.pattern(width: 300, height: 200, channels: 3, seed: 6)
    let encoder = PNGEncoder(compressionLevel: 3, filter: .sub, strategy: .libdeflate)
    let expected = try encoder.encode(image)
    let results = Mutex<[[UInt8]]>([])
    DispatchQueue.concurrentPerform(iterations: 8) { _ in
      let bytes = (try? encoder.encode(image)) ?? []
      results.withLock { $0.append(bytes) }
    }
    #expect(results.withLock { $0 }.allSatisfy { $0 == expected })
  }
}

import CPNG
import DanceCore
@testable import ImageCodecs
import Testing

/// The ISA-L encoder (`cpng_encode_isal`): every filter and level round-trips through the strict
/// decoder's fast path (ISA-L's inflate) and through libpng, equal input gives equal bytes, and the
/// adaptive choice picks, row by row, the filter a hand-made image is built for.
@Suite struct ISALEncoderTests {
  /// `bytes` decoded three ways: the strict decoder, the fast path alone, and libpng alone.
  static func decodedEveryWay(_ bytes: [UInt8]) throws -> (strict: DecodedImage, fast: Image8?, libpng: DecodedImage) {
    let strict = try ImageDecoder().decode(bytes, source: "isal.png").image
    return try bytes.withUnsafeBufferPointer { (bytes) throws in
      let layout = try #require(try PNGCodec.FastPath.probe(bytes, source: "isal.png", label: false, maxPixels: 1 << 28))
      let fast = PNGCodec.FastPath.decode(bytes, layout)
      let libpng = try PNGCodec.decodeWithLibpng(bytes, source: "isal.png", label: false, maxPixels: 1 << 28).image
      return (strict, fast, libpng)
    }
  }

  @Test(arguments: [1, 2, 3, 4], PNGEncoder.Filter.allCases)
  func everyFilterRoundTripsThroughBothDecoders(channels: Int, filter: PNGEncoder.Filter) throws {
    let image = RoundTripTests.pattern(width: 53, height: 29, channels: channels, seed: UInt64(10 + channels))
    let bytes = try PNGEncoder(compressionLevel: 2, filter: filter, deflater: .isal).encode(image)
    let decoded = try Self.decodedEveryWay(bytes)
    #expect(decoded.strict == .uint8(image))
    #expect(decoded.fast == image)
    #expect(decoded.libpng == .uint8(image))
  }

  /// Every ISA-L level, on an image large enough for several deflate blocks; each encoded twice.
  @Test(arguments: 0...2, [PNGEncoder.Filter.sub, .adaptive])
  func everyLevelRoundTripsDeterministically(level: Int, filter: PNGEncoder.Filter) throws {
    let image = RoundTripTests.pattern(width: 640, height: 200, channels: 3, seed: 29)
    let encoder = PNGEncoder(compressionLevel: level, filter: filter, deflater: .isal)
    let bytes = try encoder.encode(image)
    #expect(try encoder.encode(image) == bytes)
    let decoded = try Self.decodedEveryWay(bytes)
    #expect(decoded.strict == .uint8(image))
    #expect(decoded.fast == image)
    #expect(decoded.libpng == .uint8(image))
  }

  @Test func levelsAreClampedToISALsRange() {
    #expect(PNGEncoder(compressionLevel: 9, deflater: .isal).compressionLevel == 2)
    #expect(PNGEncoder(compressionLevel: -1, deflater: .isal).compressionLevel == 0)
    #expect(PNGEncoder(compressionLevel: 9).compressionLevel == 9)
  }

  /// Palette and 16-bit images are not ISA-L's: they are written by libpng and zlib and still decode.
  @Test func paletteAndSixteenBitImagesGoThroughZlib() throws {
    let indices = Image8(width: 9, height: 4, channels: 1, samples: (0..<36).map { UInt8($0 % 3) })
    let encoder = PNGEncoder(compressionLevel: 3, filter: .none, deflater: .isal)
    let palette = try encoder.encode(indices: indices, palette: [0, 0, 0, 255, 0, 0, 0, 255, 0])
    #expect(try ImageDecoder().decodeLabel(palette, source: "p.png").image == .uint8(indices))
    let deep = Image16(width: 5, height: 3, channels: 1, samples: (0..<15).map { UInt16($0 * 4000) })
    #expect(try ImageDecoder().decode(try encoder.encode(deep), source: "d.png").image == .uint16(deep))
  }

  /// One gray image of 16 columns whose rows are each made for one filter: zeros (all filters cost
  /// nothing: none, the first), a ramp then a flat run over zeros (sub; Paeth ties with it and
  /// comes later), the same row again (up), the ramp again with a different flat run (Paeth: exact
  /// but for the step), and a row that is the floor of the mean of its left and upper neighbours
  /// (average).
  static let madeForEachFilter: (image: Image8, filters: [UInt8]) = {
    let ramp = (0..<8).map { UInt8(50 + 10 * $0) }
    let rows: [[UInt8]] = [
      [UInt8](repeating: 0, count: 16),
      ramp + [UInt8](repeating: 30, count: 8),
      ramp + [UInt8](repeating: 30, count: 8),
      ramp + [UInt8](repeating: 200, count: 8),
    ]
    var mean: [UInt8] = []
    for x in 0..<16 { mean.append(UInt8((Int(x > 0 ? mean[x - 1] : 0) + Int(rows[3][x])) / 2)) }
    return (Image8(width: 16, height: 5, channels: 1, samples: Array((rows + [mean]).joined())), [0, 1, 2, 4, 3])
  }()

  @Test func theAdaptiveChoiceIsTheFilterEachRowWasMadeFor() throws {
    let (image, expected) = Self.madeForEachFilter
    var filtered = [UInt8](repeating: 0, count: 17 * 5)
    #expect(cpng_filter_rows(image.samples, 16, 5, 1, -1, &filtered) == CPNG_OK)
    #expect((0..<5).map { filtered[$0 * 17] } == expected)
    // A row made for a filter costs nothing under it (the first row, the step rows aside).
    #expect(filtered[(2 * 17 + 1)..<(3 * 17)].allSatisfy { $0 == 0 })
    #expect(filtered[(4 * 17 + 1)..<(5 * 17)].allSatisfy { $0 == 0 })
    let bytes = try PNGEncoder(compressionLevel: 1, filter: .adaptive, deflater: .isal).encode(image)
    #expect(try Self.decodedEveryWay(bytes).fast == image)
  }

  /// Each fixed filter gives rows that the decoder's unfiltering turns back into the image exactly.
  @Test(arguments: 0...4)
  func fixedFiltersInvertExactly(filter: Int32) throws {
    let image = RoundTripTests.pattern(width: 31, height: 7, channels: 3, seed: 3)
    var filtered = [UInt8](repeating: 0, count: 7 * (31 * 3 + 1))
    #expect(cpng_filter_rows(image.samples, 31, 7, 3, filter, &filtered) == CPNG_OK)
    var restored = [UInt8](repeating: 0, count: 7 * 31 * 3)
    for y in 0..<7 {
      filtered.withUnsafeBufferPointer { rows in
        restored.withUnsafeMutableBufferPointer { out in
          let previous = y > 0 ? UnsafePointer(out.baseAddress! + (y - 1) * 93) : nil
          cpng_unfilter_row_scalar(rows.baseAddress! + y * 94, previous, out.baseAddress! + y * 93, 93, 3)
        }
      }
    }
    #expect(restored == image.samples)
  }

  @Test func badArgumentsAreRefused() {
    var out = [UInt8](repeating: 0, count: 16)
    #expect(cpng_filter_rows([0, 0, 0], 1, 1, 3, 5, &out) == CPNG_ERROR)
    #expect(cpng_filter_rows([0, 0, 0], 1, 1, 5, 1, &out) == CPNG_ERROR)
    var encoded: UnsafeMutablePointer<UInt8>?
    var size = 0
    var message = [CChar](repeating: 0, count: Int(CPNG_MESSAGE_CAPACITY))
    // ISA-L's level 3 writes bytes that depend on the instruction set: refused.
    #expect(cpng_encode_isal([0, 0, 0], 1, 1, 3, 3, 1, &encoded, &size, &message) == CPNG_ERROR)
    #expect(encoded == nil)
  }
}

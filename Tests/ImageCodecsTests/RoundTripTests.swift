import DanceCore
import Foundation
import ImageCodecs
import TestSupport
import Testing

/// Every encoder: encode → decode gives the pixels back (exactly for PNG, closely for JPEG), and
/// equal input gives equal bytes.
@Suite struct RoundTripTests {
  static func pattern(width: Int, height: Int, channels: Int, seed: UInt64) -> Image8 {
    var generator = SplitMix(seed: seed)
    var image = Image8(width: width, height: height, channels: channels)
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<channels {
          // Smooth gradients plus a little noise: realistic for JPEG, arbitrary enough for PNG.
          let base = x * 150 / max(width - 1, 1) + y * 50 / max(height - 1, 1) + c * 15
          image[x, y, c] = UInt8(base + Int(generator.next() % 7))
        }
      }
    }
    return image
  }

  @Test(arguments: [1, 2, 3, 4], PNGEncoder.Filter.allCases)
  func png8RoundTripIsExact(channels: Int, filter: PNGEncoder.Filter) throws {
    let image = Self.pattern(width: 37, height: 23, channels: channels, seed: UInt64(channels))
    let bytes = try PNGEncoder(compressionLevel: 3, filter: filter).encode(image)
    let decoded = try ImageDecoder().decode(bytes, source: "memory.png")
    #expect(decoded.header.codec == .png)
    #expect(decoded.image == .uint8(image))
  }

  @Test(arguments: PNGEncoder.Strategy.allCases, [PNGEncoder.Filter.sub, .up, .none])
  func everyStrategyRoundTripsDeterministically(strategy: PNGEncoder.Strategy, filter: PNGEncoder.Filter) throws {
    let image = Self.pattern(width: 61, height: 17, channels: 3, seed: 5)
    let encoder = PNGEncoder(compressionLevel: 3, filter: filter, strategy: strategy)
    let bytes = try encoder.encode(image)
    #expect(try ImageDecoder().decode(bytes, source: "memory.png").image == .uint8(image))
    #expect(try encoder.encode(image) == bytes)
  }

  @Test func strategiesReallyDiffer() throws {
    // Runs of 7 equal bytes (run-length beats Huffman-only) in a sequence that repeats every 35
    // bytes (string matching beats run-length).
    let image = Image8(width: 64, height: 64, channels: 3, samples: (0..<(64 * 64 * 3)).map { (index: Int) -> UInt8 in UInt8(index / 7 % 5 * 40) })
    let sizes = try PNGEncoder.Strategy.allCases.map { try PNGEncoder(compressionLevel: 6, filter: .none, strategy: $0).encode(image).count }
    #expect(Set(sizes).count == sizes.count, "sizes \(sizes)")
  }

  /// With the run-length strategy zlib ignores the level above 0 (and writes the same header), so
  /// slim's `--png-level` 2 (the default since ISA-L) and 3 (the level before) give the same zlib bytes.
  @Test func runLengthWritesTheSameBytesAtEveryLevelAboveZero() throws {
    let image = Self.pattern(width: 300, height: 120, channels: 3, seed: 3)
    let encodings = try (1...9).map { try PNGEncoder(compressionLevel: $0, filter: .sub, strategy: .rle).encode(image) }
    #expect(Set(encodings).count == 1)
    #expect(try PNGEncoder(compressionLevel: 0, filter: .sub, strategy: .rle).encode(image) != encodings[0])
  }

  @Test(arguments: [1, 3])
  func png16RoundTripIsExact(channels: Int) throws {
    var generator = SplitMix(seed: 16)
    let samples = (0..<(19 * 11 * channels)).map { _ in UInt16(truncatingIfNeeded: generator.next()) }
    let image = Image16(width: 19, height: 11, channels: channels, samples: samples)
    let bytes = try PNGEncoder().encode(image)
    #expect(try ImageDecoder().decode(bytes, source: "memory.png").image == .uint16(image))
    #expect(try ImageDecoder().decodeLabel(bytes, source: "memory.png").image == .uint16(image))
  }

  @Test(arguments: 0...9)
  func everyCompressionLevelRoundTrips(level: Int) throws {
    let image = Self.pattern(width: 16, height: 9, channels: 3, seed: 9)
    let bytes = try PNGEncoder(compressionLevel: level).encode(image)
    #expect(try ImageDecoder().decode(bytes, source: "m").image == .uint8(image))
  }

  @Test(arguments: [1, 3])
  func pngEncodingIsDeterministic(channels: Int) throws {
    let image = Self.pattern(width: 40, height: 30, channels: channels, seed: 3)
    #expect(try PNGEncoder().encode(image) == PNGEncoder().encode(image))
  }

  @Test(arguments: [JPEGEncoder.Subsampling.s444, .s422, .s420], [false, true])
  func jpegRoundTripIsClose(subsampling: JPEGEncoder.Subsampling, progressive: Bool) throws {
    let image = Self.pattern(width: 48, height: 32, channels: 3, seed: 7)
    let bytes = try JPEGEncoder(quality: 95, subsampling: subsampling, progressive: progressive).encode(image)
    let decoded = try ImageDecoder().decode(bytes, source: "memory.jpg")
    #expect(decoded.header.storage.hasSuffix(progressive ? "progressive" : "baseline"))
    guard case .uint8(let back) = decoded.image else {
      Issue.record("JPEG decodes to 8 bits")
      return
    }
    #expect(back.width == 48 && back.height == 32 && back.channels == 3)
    let meanError = zip(image.samples, back.samples).map { abs(Int($0) - Int($1)) }.reduce(0, +) / image.samples.count
    #expect(meanError <= 4)
    #expect(try JPEGEncoder(quality: 95, subsampling: subsampling, progressive: progressive).encode(image) == bytes)
  }

  @Test func jpegGrayRoundTripIsClose() throws {
    let image = Self.pattern(width: 30, height: 20, channels: 1, seed: 5)
    let decoded = try ImageDecoder().decode(JPEGEncoder(quality: 90).encode(image), source: "gray.jpg")
    guard case .uint8(let back) = decoded.image else {
      Issue.record("JPEG decodes to 8 bits")
      return
    }
    #expect(back.channels == 1)
    #expect(zip(image.samples, back.samples).allSatisfy { abs(Int($0) - Int($1)) <= 12 })
  }

  @Test func jpegQualityChangesSize() throws {
    let image = Self.pattern(width: 64, height: 64, channels: 3, seed: 1)
    #expect(try JPEGEncoder(quality: 30).encode(image).count < JPEGEncoder(quality: 95).encode(image).count)
  }

  @Test func jpegRefusesAlpha() {
    let image = Image8(width: 4, height: 4, channels: 4)
    #expect(throws: ImageCodecError.self) { try JPEGEncoder().encode(image) }
  }

  @Test(arguments: [(JPEGScale.half, 24, 16), (.quarter, 12, 8), (.eighth, 6, 4)])
  func jpegScaledDecodeGivesSmallerImage(scale: JPEGScale, width: Int, height: Int) throws {
    let image = Self.pattern(width: 48, height: 32, channels: 3, seed: 2)
    let bytes = try JPEGEncoder(quality: 95).encode(image)
    let decoded = try ImageDecoder(options: DecodeOptions(jpegScale: scale)).decode(bytes, source: "m.jpg")
    #expect(decoded.header.width == 48 && decoded.header.height == 32)
    #expect(decoded.image.width == width && decoded.image.height == height)
  }
}

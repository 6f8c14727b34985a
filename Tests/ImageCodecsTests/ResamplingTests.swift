import ImageCodecs
import Testing

/// The centre-aligned nearest label resampler, against indices worked out by hand from
/// `srcX = min(W − 1, floor((dstX + 0.5) · W / W′))`.
@Suite struct ResamplingTests {
  /// An image whose sample at `(x, y, c)` is `10·y + x + 100·c`, so every output sample names its source.
  static func coordinates(width: Int, height: Int, channels: Int = 1) -> Image8 {
    var image = Image8(width: width, height: height, channels: channels)
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<channels { image[x, y, c] = UInt8(10 * y + x + 100 * c) }
      }
    }
    return image
  }

  @Test(arguments: [
    // (length, scale, expected output length): round half away from zero, never below 1.
    (2048, 0.5, 1024), (2048, 0.75, 1536), (1024, 0.25, 256), (5, 0.5, 3), (6, 0.75, 5), (3, 0.25, 1),
    (1, 0.1, 1), (7, 0.5, 4), (9, 0.25, 2), (10, 0.25, 3), (3, 1.5, 5), (2, 2.0, 4),
  ])
  func scaledLengthRoundsHalfUp(length: Int, scale: Double, expected: Int) {
    #expect(NearestResampler.scaledLength(length, scale: scale) == expected)
  }

  @Test(arguments: [
    // Integer downscale: ×0.5 picks the odd indices, ×0.25 every fourth from 2.
    (8, 4, [1, 3, 5, 7]), (8, 2, [2, 6]),
    // Fractional: 5 → 3 is (0.83, 2.5, 4.17) → 0, 2, 4; 6 → 5 is (0.6, 1.8, 3.0, 4.2, 5.4).
    (5, 3, [0, 2, 4]), (6, 5, [0, 1, 3, 4, 5]), (3, 1, [1]), (7, 4, [0, 2, 4, 6]),
    // Upsampling: 2 → 4 repeats, 2 → 3 is (0.33, 1.0, 1.67), 3 → 5 is (0.3, 0.9, 1.5, 2.1, 2.7).
    (2, 4, [0, 0, 1, 1]), (2, 3, [0, 1, 1]), (3, 5, [0, 0, 1, 2, 2]), (1, 3, [0, 0, 0]),
    // Identity.
    (4, 4, [0, 1, 2, 3]),
  ])
  func sourceIndicesFollowTheCentreRule(source: Int, destination: Int, expected: [Int]) {
    #expect(NearestResampler.sourceIndices(sourceLength: source, destinationLength: destination) == expected)
  }

  @Test func halvingPicksOddColumnsAndRows() {
    let image = Self.coordinates(width: 4, height: 4)
    let half = image.resizedNearest(scale: 0.5)
    #expect(half == Image8(width: 2, height: 2, channels: 1, samples: [11, 13, 31, 33]))
  }

  @Test func fractionalScaleOnBothAxes() {
    // 5 × 3 at 0.5 → 3 × 2: columns 0, 2, 4; rows (0.75, 2.25) → 0, 2.
    let image = Self.coordinates(width: 5, height: 3)
    let out = image.resizedNearest(scale: 0.5)
    #expect(out == Image8(width: 3, height: 2, channels: 1, samples: [0, 2, 4, 20, 22, 24]))
  }

  @Test func upsamplingRepeatsPixels() {
    let image = Self.coordinates(width: 2, height: 2)
    #expect(image.resizedNearest(scale: 2) == Image8(
      width: 4, height: 4, channels: 1,
      samples: [0, 0, 1, 1, 0, 0, 1, 1, 10, 10, 11, 11, 10, 10, 11, 11]))
    // 2 × 2 → 3 × 1 by explicit size: columns 0, 1, 1; the single row from floor(0.5 · 2 / 1) = 1.
    #expect(image.resizedNearest(width: 3, height: 1) == Image8(width: 3, height: 1, channels: 1, samples: [10, 11, 11]))
  }

  @Test func channelsMoveTogether() {
    let image = Self.coordinates(width: 4, height: 2, channels: 3)
    let out = image.resizedNearest(width: 2, height: 1)
    // Row (0.5 · 2 / 1) = 1; columns 1 and 3.
    #expect(out == Image8(width: 2, height: 1, channels: 3, samples: [11, 111, 211, 13, 113, 213]))
  }

  @Test func sixteenBitSamplesAndTinyOutputs() {
    let image = Image16(width: 3, height: 3, channels: 1, samples: [0, 1, 2, 300, 400, 500, 6000, 7000, 8000])
    // 3 × 3 at 0.25 → 1 × 1: the centre pixel.
    #expect(image.resizedNearest(scale: 0.25) == Image16(width: 1, height: 1, channels: 1, samples: [400]))
    #expect(image.resizedNearest(scale: 1) == image)
  }

  @Test func roundTripOfFourPixelStripesAtHalfIsExact() {
    var image = Image8(width: 16, height: 4, channels: 1)
    for y in 0..<4 { for x in 0..<16 { image[x, y] = UInt8(x / 4) } }
    let back = image.resizedNearest(scale: 0.5).resizedNearest(width: 16, height: 4)
    #expect(back == image)
  }
}

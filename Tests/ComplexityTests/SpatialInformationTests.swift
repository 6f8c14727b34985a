import Complexity
import DanceCore
import ImageCodecs
import Testing

/// `si` and `si-mean` against Sobel statistics worked out by hand and a naive reference.
@Suite struct SpatialInformationTests {
  let scorer = ComplexityScorer(indicators: [.si, .siMean])

  @Test(arguments: [1, 3, 4])
  func constantImageHasNoSpatialInformation(channels: Int) {
    let image = Image8(width: 9, height: 7, channels: channels, repeating: 77)
    let scores = ComplexityScorer(indicators: [.si, .siMean, .edgeDensity]).score(image: image, trainIds: nil)
    #expect(scores == [.si: 0, .siMean: 0, .edgeDensity: 0])
  }

  /// 8 × 6, left half 0, right half 100: interior columns 3 and 4 have |Gx| = 4 · 100 = 400, the
  /// other four interior columns 0, so 8 of the 24 interior magnitudes are 400:
  /// mean = 400 / 3, std = sqrt(400²/3 − (400/3)²) = 400 √2 / 3.
  @Test func verticalStepEdge() {
    let image = Fixtures.gray(8, 6) { x, _ in x < 4 ? 0 : 100 }
    let scores = scorer.score(image: image, trainIds: nil)
    #expect(isClose(scores[.siMean], 400.0 / 3))
    #expect(isClose(scores[.si], 400 * 2.0.squareRoot() / 3))
  }

  /// The transpose: 6 × 8, top half 0, bottom half 100, the same statistics from |Gy|.
  @Test func horizontalStepEdge() {
    let image = Fixtures.gray(6, 8) { _, y in y < 4 ? 0 : 100 }
    let scores = scorer.score(image: image, trainIds: nil)
    #expect(isClose(scores[.siMean], 400.0 / 3))
    #expect(isClose(scores[.si], 400 * 2.0.squareRoot() / 3))
  }

  /// Period 1: the pixels at x − 1 and x + 1 (and y ± 1) always have equal values, so Gx = Gy = 0.
  @Test func checkerboardOfPeriodOneCancels() {
    let image = Fixtures.gray(10, 8) { x, y in (x + y) % 2 == 0 ? 0 : 200 }
    #expect(scorer.score(image: image, trainIds: nil) == [.si: 0, .siMean: 0])
  }

  /// Period 2 (2 × 2 blocks of 0 and 100): with s = ±1 per block column and row,
  /// Y = 50 (1 − s(x) s(y)); |s(x+1) − s(x−1)| = 2 and |s(y−1) + 2 s(y) + s(y+1)| = 2 at every
  /// interior position, so |Gx| = |Gy| = 50 · 2 · 2 = 200 and every magnitude is 200 √2.
  @Test func checkerboardOfPeriodTwo() {
    let image = Fixtures.gray(12, 10) { x, y in (x / 2 + y / 2) % 2 == 0 ? 0 : 100 }
    let scores = scorer.score(image: image, trainIds: nil)
    #expect(isClose(scores[.siMean], 200 * 2.0.squareRoot()))
    #expect(isClose(scores[.si], 0, absolute: 1e-9))
  }

  /// Colours with integer BT.601 luma: (100, 0, 150) → 47, (10, 130, 50) → 85, (0, 160, 220) → 119.
  @Test(arguments: [3, 4])
  func rgbImageScoresLikeItsLuma(channels: Int) {
    let colours: [(rgb: [UInt8], luma: UInt8)] = [([100, 0, 150], 47), ([10, 130, 50], 85), ([0, 160, 220], 119)]
    let pick = { (x: Int, y: Int) in (x * x + 3 * y) % 3 }
    var rgb = Image8(width: 11, height: 9, channels: channels, repeating: 255)
    for y in 0..<9 {
      for x in 0..<11 {
        for c in 0..<3 { rgb[x, y, c] = colours[pick(x, y)].rgb[c] }
      }
    }
    let gray = Fixtures.gray(11, 9) { x, y in colours[pick(x, y)].luma }
    let all = ComplexityScorer(indicators: [.si, .siMean, .edgeDensity, .jpegBitsPerPixel])
    #expect(all.score(image: rgb, trainIds: nil) == all.score(image: gray, trainIds: nil))
  }

  /// The acceptance test: `si` and `si-mean` match the naive P.910 legacy definition to 1e-6.
  /// Widths around 128 and 512 cross the luma chunks and the column blocks of the streaming pass.
  @Test(arguments: [
    (37, 23, 3), (64, 48, 1), (3, 3, 3), (5, 61, 4), (130, 3, 1), (41, 17, 2), (131, 5, 3), (515, 6, 3), (1100, 4, 3),
    (2050, 3, 4),
  ])
  func matchesNaiveReferenceOnNoise(width: Int, height: Int, channels: Int) {
    for seed in UInt64(1)...3 {
      let image = Fixtures.noise(width, height, channels: channels, seed: seed &* 1000 &+ UInt64(width))
      let reference = Fixtures.referenceSobel(image)
      let scores = scorer.score(image: image, trainIds: nil)
      #expect(isClose(scores[.si], reference.std), "seed \(seed)")
      #expect(isClose(scores[.siMean], reference.mean), "seed \(seed)")
    }
  }

  @Test func smoothGradientWithNoiseMatchesReference() {
    let noise = Fixtures.noise(80, 60, channels: 3, seed: 42, range: 0...6)
    var image = noise
    for y in 0..<60 {
      for x in 0..<80 {
        for c in 0..<3 { image[x, y, c] = UInt8(x * 2 + y + Int(noise[x, y, c])) }
      }
    }
    let reference = Fixtures.referenceSobel(image)
    let scores = scorer.score(image: image, trainIds: nil)
    #expect(isClose(scores[.si], reference.std))
    #expect(isClose(scores[.siMean], reference.mean))
  }

  @Test func tooSmallImagesHaveNoInterior() {
    let image = Fixtures.gray(2, 9) { x, y in UInt8(x * 100 + y) }
    #expect(scorer.score(image: image, trainIds: nil) == [.si: 0, .siMean: 0])
  }
}

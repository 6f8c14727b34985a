import Complexity
import DanceCore
import ImageCodecs
import Testing

/// Label indicators on maps whose boundaries, histograms and round trips are counted by hand.
@Suite struct LabelIndicatorTests {
  static let labelSet = Indicator.allCases.filter(\.needsLabel)
  let scorer = ComplexityScorer(indicators: LabelIndicatorTests.labelSet)

  @Test func constantMapIsTrivial() {
    let scores = scorer.score(image: nil, trainIds: Fixtures.gray(13, 7) { _, _ in 3 })
    #expect(scores[.labelBoundary] == 0 && scores[.labelEntropy] == 0 && scores[.classCount] == 1)
    for indicator in Self.labelSet where indicator.scale != nil { #expect(scores[indicator] == 1, "\(indicator)") }
  }

  /// 8 × 4, classes 0 | 1: columns 3 and 4 are boundary, 8 of 32 pixels; two equal classes = 1 bit.
  @Test func twoHalves() {
    let scores = scorer.score(image: nil, trainIds: Fixtures.gray(8, 4) { x, _ in x < 4 ? 0 : 1 })
    #expect(scores[.labelBoundary] == 0.25)
    #expect(scores[.labelEntropy] == 1)
    #expect(scores[.classCount] == 2)
  }

  /// A 2 × 2 checker: every pixel has a neighbour of the other class.
  @Test func twoByTwoChecker() {
    let scores = scorer.score(image: nil, trainIds: Fixtures.gray(2, 2) { x, y in UInt8((x + y) % 2) })
    #expect(scores[.labelBoundary] == 1 && scores[.labelEntropy] == 1 && scores[.classCount] == 2)
  }

  /// A 1-pixel ignore frame around 4 × 4 valid pixels split 0 | 1: ignore pixels are neither
  /// counted nor neighbours, so 8 boundary pixels of 16 valid ones.
  @Test(arguments: [6, 40])
  func ignoreFrameIsExcluded(width: Int) {
    let map = Fixtures.gray(width, 6) { x, y in
      if x == 0 || y == 0 || x == width - 1 || y == 5 { return 255 }
      return x < width / 2 ? 0 : 1
    }
    let scores = scorer.score(image: nil, trainIds: map)
    let valid = Double((width - 2) * 4)
    #expect(scores[.labelBoundary] == 8 / valid)
    #expect(scores[.classCount] == 2)
  }

  /// Classes separated only by ignore pixels are not neighbours.
  @Test func ignoreSeparatesClasses() {
    let map = Image8(width: 3, height: 1, channels: 1, samples: [0, 255, 1])
    let scores = scorer.score(image: nil, trainIds: map)
    #expect(scores[.labelBoundary] == 0 && scores[.classCount] == 2 && scores[.labelEntropy] == 1)
  }

  @Test func allIgnoredMap() {
    let scores = scorer.score(image: nil, trainIds: Image8(width: 5, height: 4, channels: 1, repeating: 255))
    #expect(scores[.labelBoundary] == 0 && scores[.labelEntropy] == 0 && scores[.classCount] == 0)
    #expect(scores[.fidelity50] == 1 && scores[.worstClass50] == 1)
  }

  /// Four equal classes: 2 bits; a 1:3 split: −(¼ log₂ ¼ + ¾ log₂ ¾) = 0.811278…
  @Test func entropyOfKnownDistributions() {
    let four = scorer.score(image: nil, trainIds: Fixtures.gray(4, 3) { x, _ in UInt8(x * 10) })
    #expect(isClose(four[.labelEntropy], 2) && four[.classCount] == 4)
    let skewed = scorer.score(image: nil, trainIds: Fixtures.gray(4, 5) { x, _ in x == 0 ? 7 : 9 })
    #expect(isClose(skewed[.labelEntropy], 0.811_278_124_459_132_9))
  }

  /// The SIMD interior path and the scalar edges agree with a direct count on a noisy map.
  @Test func boundaryMatchesDirectCountOnNoise() {
    let map = Fixtures.noise(53, 11, channels: 1, seed: 5, range: 250...255)
    var boundary = 0
    var valid = 0
    for y in 0..<11 {
      for x in 0..<53 where map[x, y] != 255 {
        valid += 1
        let neighbours = [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)].filter { $0.0 >= 0 && $0.0 < 53 && $0.1 >= 0 && $0.1 < 11 }
        if neighbours.contains(where: { map[$0.0, $0.1] != 255 && map[$0.0, $0.1] != map[x, y] }) { boundary += 1 }
      }
    }
    #expect(scorer.score(image: nil, trainIds: map)[.labelBoundary] == Double(boundary) / Double(valid))
  }

  // MARK: - Fidelity

  /// 1-pixel stripes x mod 2 on 8 columns.
  /// - ×0.5 keeps columns 1, 3, 5, 7 (all class 1) and spreads each back over two: class 0 vanishes.
  /// - ×0.75: down [0, 2, 3, 4, 6, 7], up [0, 1, 1, 2, 3, 4, 4, 5], together [0, 2, 2, 3, 4, 6, 6, 7]:
  ///   classes 0 0 0 1 0 0 0 1 against 0 1 0 1 0 1 0 1, so 6 of 8 survive; class 1 keeps 2 of 4.
  /// - ×0.25: down [2, 6] (class 0), so class 1 vanishes.
  @Test func oneMinusPixelStripes() {
    let scores = scorer.score(image: nil, trainIds: Fixtures.gray(8, 4) { x, _ in UInt8(x % 2) })
    #expect(scores[.fidelity50] == 0.5 && scores[.worstClass50] == 0)
    #expect(scores[.fidelity75] == 0.75 && scores[.worstClass75] == 0.5)
    #expect(scores[.fidelity25] == 0.5 && scores[.worstClass25] == 0)
  }

  /// 4-pixel stripes survive ×0.5 exactly: column x comes back from 2⌊x/2⌋ + 1, in the same stripe.
  @Test func fourPixelStripesSurviveHalving() {
    let scores = scorer.score(image: nil, trainIds: Fixtures.gray(16, 8) { x, _ in UInt8(x / 4 % 2) })
    #expect(scores[.fidelity50] == 1 && scores[.worstClass50] == 1)
  }

  /// A 1-pixel class-7 pole at column 4 of a 16 × 8 class-0 map: ×0.5 brings column 4 back from
  /// column 5, so the pole (8 pixels) is lost and nothing else is.
  @Test func thinClassIsTheWorstClass() {
    let scores = scorer.score(image: nil, trainIds: Fixtures.gray(16, 8) { x, _ in x == 4 ? 7 : 0 })
    #expect(scores[.fidelity50] == 120.0 / 128)
    #expect(scores[.worstClass50] == 0)
  }

  /// Fidelity equals the fraction of valid pixels unchanged by a materialised round trip with the
  /// resampler, for odd sizes and ignore pixels.
  @Test(arguments: [(37, 23), (5, 3), (1, 9), (64, 17)])
  func fidelityMatchesMaterialisedRoundTrip(width: Int, height: Int) {
    let map = Fixtures.gray(width, height) { x, y in
      (x * 7 + y * 3) % 11 == 0 ? 255 : UInt8((x / 3 + y / 2) % 4)
    }
    let scores = scorer.score(image: nil, trainIds: map)
    for (fidelity, worst) in [(Indicator.fidelity75, Indicator.worstClass75), (.fidelity50, .worstClass50), (.fidelity25, .worstClass25)] {
      let scale = fidelity.scale ?? 1
      let back = map.resizedNearest(scale: scale).resizedNearest(width: width, height: height)
      var kept = [Int](repeating: 0, count: 256)
      var total = [Int](repeating: 0, count: 256)
      for (original, returned) in zip(map.samples, back.samples) where original != 255 {
        total[Int(original)] += 1
        if original == returned { kept[Int(original)] += 1 }
      }
      let valid = total.reduce(0, +)
      #expect(scores[fidelity] == (valid == 0 ? 1 : Double(kept.reduce(0, +)) / Double(valid)))
      let ratios = (0..<255).filter { total[$0] > 0 }.map { Double(kept[$0]) / Double(total[$0]) }
      #expect(scores[worst] == ratios.min() ?? 1)
    }
  }
}

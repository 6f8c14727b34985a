import Complexity
import DanceCore
import Foundation
import ImageCodecs
import Testing

/// The streaming passes (16-pixel label steps, 4-pixel luma and Sobel steps, scalar edges and
/// tails) against direct per-pixel definitions, on sizes around every step width.
@Suite struct StreamingPathTests {
  static let labelSet = Indicator.allCases.filter(\.needsLabel)

  /// Every label indicator counted directly: histogram, 4-neighbour boundary, materialised round trip.
  static func referenceLabelScores(_ map: Image8) -> [Indicator: Double] {
    let w = map.width
    let h = map.height
    var total = [Int](repeating: 0, count: 256)
    var boundary = 0
    for y in 0..<h {
      for x in 0..<w where map[x, y] != 255 {
        let c = map[x, y]
        total[Int(c)] += 1
        let neighbours = [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)].filter { $0.0 >= 0 && $0.0 < w && $0.1 >= 0 && $0.1 < h }
        if neighbours.contains(where: { map[$0.0, $0.1] != 255 && map[$0.0, $0.1] != c }) { boundary += 1 }
      }
    }
    let valid = total.reduce(0, +)
    let present = (0..<255).filter { total[$0] > 0 }
    var scores: [Indicator: Double] = [
      .labelBoundary: valid == 0 ? 0 : Double(boundary) / Double(valid),
      .classCount: Double(present.count),
    ]
    var entropy = 0.0
    for c in present {
      let p = Double(total[c]) / Double(valid)
      entropy -= p * log2(p)
    }
    scores[.labelEntropy] = entropy
    for (fidelity, worst) in [(Indicator.fidelity75, Indicator.worstClass75), (.fidelity50, .worstClass50), (.fidelity25, .worstClass25)] {
      let back = map.resizedNearest(scale: fidelity.scale ?? 1).resizedNearest(width: w, height: h)
      var kept = [Int](repeating: 0, count: 256)
      for (original, returned) in zip(map.samples, back.samples) where original != 255 && original == returned {
        kept[Int(original)] += 1
      }
      scores[fidelity] = valid == 0 ? 1 : Double(kept.reduce(0, +)) / Double(valid)
      scores[worst] = present.map { Double(kept[$0]) / Double(total[$0]) }.min() ?? 1
    }
    return scores
  }

  /// A blocky map with runs of varying length, a few ignore pixels and isolated specks, so 16-pixel
  /// steps are sometimes uniform, sometimes split, sometimes a new run from their first pixel.
  static func blockyMap(_ width: Int, _ height: Int, seed: UInt64) -> Image8 {
    let noise = Fixtures.noise(width, height, channels: 1, seed: seed)
    return Fixtures.gray(width, height) { x, y in
      let n = noise[x, y]
      if n < 6 { return 255 }
      if n > 250 { return n % 7 }
      return UInt8((x / (5 + y % 23) + y / 9) % 5)
    }
  }

  @Test(arguments: [1, 2, 3, 15, 16, 17, 18, 19, 31, 33, 34, 35, 49, 50, 64, 100])
  func labelIndicatorsMatchDirectCountsAtEveryWidth(width: Int) {
    for height in [1, 2, 3, 7, 20] {
      let map = Self.blockyMap(width, height, seed: UInt64(width * 100 + height))
      let scores = ComplexityScorer(indicators: Self.labelSet).score(image: nil, trainIds: map)
      let reference = Self.referenceLabelScores(map)
      for indicator in Self.labelSet {
        #expect(isClose(scores[indicator], reference[indicator] ?? -1, relative: 1e-12, absolute: 0), "\(indicator) \(width)×\(height)")
      }
    }
  }

  /// Requesting one scale, two scales or all three gives the same values (unused slots are inert).
  @Test func fidelityScalesAreIndependent() {
    let map = Self.blockyMap(77, 31, seed: 8)
    let all = ComplexityScorer(indicators: Self.labelSet).score(image: nil, trainIds: map)
    for subset: [Indicator] in [[.fidelity25], [.worstClass50, .fidelity75], [.labelEntropy, .worstClass25], [.fidelity50]] {
      let some = ComplexityScorer(indicators: subset).score(image: nil, trainIds: map)
      #expect(some == all.filter { subset.contains($0.key) }, "\(subset)")
    }
  }

  /// Rows longer than 255 steps of 16 pixels: the per-lane boundary tallies are flushed in time.
  @Test func longRowsDoNotWrapTheBoundaryTally() {
    let map = Fixtures.noise(16 * 300 + 21, 3, channels: 1, seed: 12, range: 0...1)
    let scores = ComplexityScorer(indicators: Self.labelSet).score(image: nil, trainIds: map)
    let reference = Self.referenceLabelScores(map)
    for indicator in Self.labelSet {
      #expect(isClose(scores[indicator], reference[indicator] ?? -1, relative: 1e-12, absolute: 0), "\(indicator)")
    }
  }

  /// `si` and `si-mean` at every width around the 4- and 16-wide steps, for 1 to 4 channels.
  @Test(arguments: [1, 2, 3, 4])
  func spatialInformationMatchesReferenceAtEveryWidth(channels: Int) {
    let scorer = ComplexityScorer(indicators: [.si, .siMean])
    for width in [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 16, 17, 18, 21, 22, 23, 24, 25] {
      for height in [1, 2, 3, 4, 6] {
        let image = Fixtures.noise(width, height, channels: channels, seed: UInt64(width * 10 + height))
        let reference = Fixtures.referenceSobel(image)
        let scores = scorer.score(image: image, trainIds: nil)
        #expect(isClose(scores[.si], reference.std), "\(width)×\(height)×\(channels)")
        #expect(isClose(scores[.siMean], reference.mean), "\(width)×\(height)×\(channels)")
      }
    }
  }

  /// The luma rows of the Sobel pass and the luma plane of the other image indicators agree:
  /// an RGB image and its exact gray luma score the same.
  @Test(arguments: [3, 5, 6, 7, 18, 29])
  func rgbAndItsGrayLumaAgree(width: Int) {
    // (100, 0, 150) → 47, (10, 130, 50) → 85, (0, 160, 220) → 119, (0, 0, 0) → 0, (255, 255, 255) → 255.
    let colours: [(rgb: [UInt8], luma: UInt8)] = [
      ([100, 0, 150], 47), ([10, 130, 50], 85), ([0, 160, 220], 119), ([0, 0, 0], 0), ([255, 255, 255], 255),
    ]
    let pick = { (x: Int, y: Int) in (x * 3 + y * y + x * y) % colours.count }
    var rgb = Image8(width: width, height: 9, channels: 3)
    for y in 0..<9 {
      for x in 0..<width {
        for c in 0..<3 { rgb[x, y, c] = colours[pick(x, y)].rgb[c] }
      }
    }
    let gray = Fixtures.gray(width, 9) { x, y in colours[pick(x, y)].luma }
    let scorer = ComplexityScorer(indicators: [.si, .siMean, .edgeDensity, .jpegBitsPerPixel])
    #expect(scorer.score(image: rgb, trainIds: nil) == scorer.score(image: gray, trainIds: nil))
  }
}

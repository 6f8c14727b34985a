import Complexity
import DanceCore
import ImageCodecs
import Foundation
import Testing

/// The indicator ids, variants and sets are stable public contract.
@Suite struct IndicatorTests {
  @Test func idsAreTheDocumentedOnes() {
    #expect(Indicator.allCases.map(\.rawValue) == [
      "si", "si-mean", "edge-density", "jpeg-bpp", "label-boundary", "label-entropy", "class-count",
      "fidelity@0.75", "fidelity@0.5", "fidelity@0.25", "worst-class@0.75", "worst-class@0.5", "worst-class@0.25",
    ])
  }

  @Test func defaultSetLeavesOutTheExpensiveIndicators() {
    #expect(Indicator.defaultSet.count == Indicator.allCases.count - 2)
    #expect(!Indicator.defaultSet.contains(.edgeDensity))
    #expect(!Indicator.defaultSet.contains(.jpegBitsPerPixel))
  }

  @Test(arguments: Indicator.allCases)
  func codableRoundTripsThroughTheId(indicator: Indicator) throws {
    let data = try JSONEncoder().encode([indicator])
    #expect(String(decoding: data, as: UTF8.self) == "[\"\(indicator.rawValue)\"]")
    #expect(try JSONDecoder().decode([Indicator].self, from: data) == [indicator])
    #expect(!indicator.variant.isEmpty)
    #expect(indicator.needsImage != indicator.needsLabel)
  }

  @Test func variantsNameTheDefinitions() {
    #expect(Indicator.si.variant.hasPrefix("p910-legacy-fullrange;luma=bt601"))
    #expect(Indicator.edgeDensity.variant.contains("low50;high100;8conn"))
    #expect(Indicator.jpegBitsPerPixel.variant.hasPrefix("libjpeg-q75-gray-baseline"))
    #expect(Indicator.fidelity50.variant.hasPrefix("nearest-centre"))
    #expect(Indicator.fidelity50.scale == 0.5 && Indicator.worstClass25.scale == 0.25 && Indicator.si.scale == nil)
  }
}

/// What the scorer returns: exactly the requested indicators whose input is present.
@Suite struct ScorerTests {
  @Test func onlyRequestedIndicatorsWithInputsArePresent() {
    let image = Fixtures.noise(12, 10, channels: 3, seed: 1)
    let labels = Fixtures.gray(12, 10) { x, _ in UInt8(x / 4) }
    let all = ComplexityScorer(indicators: Indicator.allCases)
    #expect(Set(all.score(image: image, trainIds: labels).keys) == Set(Indicator.allCases))
    #expect(Set(all.score(image: image, trainIds: nil).keys) == Set(Indicator.allCases.filter(\.needsImage)))
    #expect(Set(all.score(image: nil, trainIds: labels).keys) == Set(Indicator.allCases.filter(\.needsLabel)))
    #expect(all.score(image: nil, trainIds: nil).isEmpty)
    let some = ComplexityScorer(indicators: [.classCount, .si, .classCount])
    #expect(Set(some.score(image: image, trainIds: labels).keys) == [.classCount, .si])
    #expect(ComplexityScorer().indicators == Indicator.defaultSet)
  }

  /// Scoring a file (rows streamed into the Sobel pass for si and si-mean, a whole decode for the
  /// others) gives exactly the values of scoring the decoded image.
  @Test(arguments: [[Indicator.si, .siMean], [.siMean], [.si, .edgeDensity, .jpegBitsPerPixel]], [1, 3, 4])
  func scoringAFileEqualsScoringItsPixels(indicators: [Indicator], channels: Int) throws {
    let image = Fixtures.noise(37, 19, channels: channels, seed: UInt64(channels))
    let directory = NSTemporaryDirectory() + "dance-scorer-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/image.png"
    #expect(FileManager.default.createFile(atPath: path, contents: Data(try PNGEncoder().encode(image))))
    let scorer = ComplexityScorer(indicators: indicators + [.classCount])
    let fromFile = try scorer.scoreImage(contentsOf: path, decoder: ImageDecoder())
    #expect(fromFile.scores == scorer.score(image: image, trainIds: nil))
    #expect(fromFile.width == 37 && fromFile.height == 19)
  }

  @Test func sharedWorkGivesTheSameValuesAsSeparateRequests() {
    let image = Fixtures.noise(30, 20, channels: 3, seed: 4)
    let labels = Fixtures.gray(30, 20) { x, y in UInt8((x / 5 + y / 3) % 3) }
    let together = ComplexityScorer(indicators: Indicator.allCases).score(image: image, trainIds: labels)
    for indicator in Indicator.allCases {
      let alone = ComplexityScorer(indicators: [indicator]).score(image: image, trainIds: labels)
      #expect(alone == [indicator: together[indicator] ?? -1], "\(indicator)")
    }
  }
}

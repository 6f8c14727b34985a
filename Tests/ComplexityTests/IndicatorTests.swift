import Complexity
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

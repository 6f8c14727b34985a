import Complexity
import DanceCore
import ImageCodecs
import Testing

/// `edge-density` (Canny) and `jpeg-bpp` on images with known answers.
@Suite struct EdgeAndCompressionTests {
  let edges = ComplexityScorer(indicators: [.edgeDensity])
  let jpeg = ComplexityScorer(indicators: [.jpegBitsPerPixel])

  /// A clean 0 | 100 step: after the σ = 1.4 blur the two columns beside the step share the peak
  /// magnitude (≈ 217), non-maximum suppression keeps exactly one of them, so one edge pixel per row:
  /// density = H / (W · H) = 1 / W.
  @Test(arguments: [(16, 8), (24, 5), (40, 31)])
  func stepEdgeGivesOneLine(width: Int, height: Int) {
    let vertical = Fixtures.gray(width, height) { x, _ in x < width / 2 ? 0 : 100 }
    #expect(edges.score(image: vertical, trainIds: nil)[.edgeDensity] == 1 / Double(width))
    let horizontal = Fixtures.gray(height, width) { _, y in y < width / 2 ? 0 : 100 }
    #expect(edges.score(image: horizontal, trainIds: nil)[.edgeDensity] == 1 / Double(width))
  }

  /// Two steps (a bright band) give two lines.
  @Test func bandGivesTwoLines() {
    let band = Fixtures.gray(32, 10) { x, _ in (10..<22).contains(x) ? 180 : 20 }
    #expect(edges.score(image: band, trainIds: nil)[.edgeDensity] == 2.0 / 32)
  }

  /// A step of 30 stays below the low threshold (peak magnitude ≈ 65 · 0.3 ≈ 20 < 50).
  @Test func weakStepIsNoEdge() {
    let step = Fixtures.gray(16, 8) { x, _ in x < 8 ? 100 : 130 }
    #expect(edges.score(image: step, trainIds: nil)[.edgeDensity] == 0)
  }

  /// Noise of amplitude 4 cannot reach the low threshold: |Gx|, |Gy| ≤ 16 before blurring.
  @Test func faintNoiseIsNoEdge() {
    let noise = Fixtures.noise(32, 32, channels: 1, seed: 9, range: 126...130)
    #expect(edges.score(image: noise, trainIds: nil)[.edgeDensity] == 0)
    #expect(edges.score(image: Image8(width: 20, height: 20, channels: 3, repeating: 90), trainIds: nil)[.edgeDensity] == 0)
  }

  @Test func strongNoiseHasEdges() {
    let noise = Fixtures.noise(64, 64, channels: 1, seed: 3)
    let density = edges.score(image: noise, trainIds: nil)[.edgeDensity] ?? 0
    #expect(density > 0.05 && density < 1)
  }

  @Test func tinyImagesDoNotCrash() {
    for (w, h) in [(1, 1), (1, 5), (2, 2), (3, 1)] {
      let image = Fixtures.gray(w, h) { x, y in UInt8((x * 200 + y * 90) % 256) }
      #expect(edges.score(image: image, trainIds: nil)[.edgeDensity] != nil)
    }
  }

  // MARK: - jpeg-bpp

  /// The value is 8 · bytes / (W · H) of the q75 gray encoding of the rounded luma.
  @Test func bitsPerPixelIsTheEncoderOutput() throws {
    let gray = Fixtures.noise(48, 40, channels: 1, seed: 11)
    let bytes = try JPEGEncoder(quality: 75).encode(gray)
    #expect(jpeg.score(image: gray, trainIds: nil)[.jpegBitsPerPixel] == 8 * Double(bytes.count) / (48 * 40))
  }

  @Test func noiseCostsFarMoreThanAConstant() throws {
    let constant = try #require(jpeg.score(image: Image8(width: 64, height: 64, channels: 3, repeating: 128), trainIds: nil)[.jpegBitsPerPixel])
    let noisy = try #require(jpeg.score(image: Fixtures.noise(64, 64, channels: 3, seed: 2), trainIds: nil)[.jpegBitsPerPixel])
    #expect(constant > 0 && constant < 1)
    #expect(noisy > 5 * constant)
  }
}

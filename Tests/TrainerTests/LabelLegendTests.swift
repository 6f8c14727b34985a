import Datasets
import ImageCodecs
import Testing
@testable import Trainer

/// The class legend beside `dance predict`'s overlay, and the bitmap font it is drawn with.
@Suite struct LabelLegendTests {
  /// 12 pixels: road 6, sky 4, car 2 (and one ignored value is not a class).
  static let labels = Image8(width: 4, height: 3, channels: 1, samples: [0, 0, 0, 0, 0, 0, 10, 10, 10, 10, 13, 13])

  @Test func entriesListThePredictedClassesMostPixelsFirst() {
    let entries = LabelLegend.entries(Self.labels, space: .cityscapes)
    #expect(entries.map(\.name) == ["road", "sky", "car"])
    #expect(entries.map(\.text) == ["road 50.0%", "sky 33.3%", "car 16.7%"])
    #expect(LabelLegend.Entry(trainId: 0, name: "pole", share: 0.0004).text == "pole <0.1%")
  }

  @Test func theLegendStandsBesideTheUnchangedImage() {
    let image = Image8(width: 4, height: 3, channels: 3, samples: (0..<36).map { UInt8($0) })
    let drawn = LabelLegend.beside(image, labels: Self.labels, space: .cityscapes)
    #expect(drawn.width == 4 + 6 + 9 + 4 + BitmapFont.width(of: "road 50.0%", scale: 1) + 6)
    #expect(drawn.height == 6 + 3 * 12 + 6, "the canvas grows to hold three rows")
    for y in 0..<3 { for x in 0..<4 { for c in 0..<3 { #expect(drawn[x, y, c] == image[x, y, c]) } } }
    // The first row's swatch is road's colour inside a dark frame; its text is black.
    #expect([drawn[4 + 6 + 4, 6 + 4, 0], drawn[4 + 6 + 4, 6 + 4, 1], drawn[4 + 6 + 4, 6 + 4, 2]] == [128, 64, 128])
    #expect(drawn[4 + 6, 6, 0] == 64)
    #expect((0..<drawn.width).contains { drawn[$0, 6 + 1, 0] == 0 }, "text on the first row")
    #expect(LabelLegend.beside(image, labels: Self.labels, space: .cityscapes) == drawn)
    #expect(LabelLegend.beside(image, entries: LabelLegend.entries(Self.labels, space: .cityscapes), space: .cityscapes) == drawn, "predict's entries, counted once")
    #expect(LabelLegend.scale(forHeight: 128) == 1 && LabelLegend.scale(forHeight: 1024) == 5 && LabelLegend.scale(forHeight: 9000) == 6)
  }

  @Test func glyphsAreDrawnPixelForPixelAndClipped() {
    var image = Image8(width: 6, height: 7, channels: 3, repeating: 255)
    BitmapFont.draw("A?", into: &image, x: 0, y: 0, scale: 1, color: (0, 0, 0))
    let rows = (0..<7).map { y in String((0..<5).map { image[$0, y, 0] == 0 ? "#" : "." }) }
    #expect(rows == [".###.", "#...#", "#...#", "#...#", "#####", "#...#", "#...#"])
    #expect(BitmapFont.rows(of: "é") == BitmapFont.rows(of: "?"))
    #expect(BitmapFont.width(of: "ab", scale: 2) == 22)
  }
}

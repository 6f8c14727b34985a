public import Datasets
import Foundation
public import ImageCodecs

/// The class legend `dance predict` draws beside its overlay: one row per class the prediction
/// holds, most pixels first, with the class's colour, name and share of the image.
public enum LabelLegend {
  /// One row of the legend.
  public struct Entry: Sendable, Equatable {
    /// The train id.
    public var trainId: Int
    /// The class name.
    public var name: String
    /// Its fraction of the image's pixels.
    public var share: Double
    /// The row's text: `road 42.1%` (`<0.1%` for a class under a thousandth of the image).
    public var text: String { "\(name) " + (share < 0.0005 ? "<0.1%" : String(format: "%.1f", share * 100) + "%") }
  }

  /// The classes of `labels` (train ids of `space`), most pixels first; ties by train id.
  public static func entries(_ labels: Image8, space: LabelSpace) -> [Entry] {
    var counts = [Int](repeating: 0, count: 256)
    for value in labels.samples { counts[Int(value)] += 1 }
    let total = max(1, labels.pixelCount)
    return space.classes.indices.filter { counts[$0] > 0 }
      .sorted { (counts[$1], $0) < (counts[$0], $1) }
      .map { Entry(trainId: $0, name: space.classes[$0].name, share: Double(counts[$0]) / Double(total)) }
  }

  /// The font scale for an image `height` pixels tall: 1 below 240 pixels, one more per 240 (a
  /// 1024-pixel-tall Cityscapes frame gets 5, so the text stays readable at full size), at most 6.
  public static func scale(forHeight height: Int) -> Int { min(6, max(1, height / 240 + 1)) }

  /// `image` (RGB, usually the overlay) with the legend of `labels` in a white panel to its right;
  /// the canvas grows downwards when the legend is taller than the image.
  public static func beside(_ image: Image8, labels: Image8, space: LabelSpace) -> Image8 {
    beside(image, entries: entries(labels, space: space), space: space)
  }

  /// `image` with the legend `rows` of `space`'s classes (from ``entries(_:space:)``, for a caller
  /// that also prints them).
  public static func beside(_ image: Image8, entries rows: [Entry], space: LabelSpace) -> Image8 {
    let rgb = image.rgb(), scale = scale(forHeight: rgb.height)
    let swatch = 9 * scale, rowHeight = 12 * scale, margin = 6 * scale
    let textWidth = rows.map { BitmapFont.width(of: $0.text, scale: scale) }.max() ?? 0
    let panelWidth = rows.isEmpty ? 0 : margin + swatch + 4 * scale + textWidth + margin
    let height = max(rgb.height, margin + rows.count * rowHeight + margin)
    var canvas = Image8(width: rgb.width + panelWidth, height: height, channels: 3, repeating: 255)
    for y in 0..<rgb.height {
      let source = y * rgb.width * 3, target = y * canvas.width * 3
      canvas.samples.replaceSubrange(target..<(target + rgb.width * 3), with: rgb.samples[source..<(source + rgb.width * 3)])
    }
    for (index, entry) in rows.enumerated() {
      let top = margin + index * rowHeight, left = rgb.width + margin
      let color = space.color(of: UInt8(entry.trainId))
      BitmapFont.fill(&canvas, x: left, y: top, width: swatch, height: swatch, color: (64, 64, 64))
      BitmapFont.fill(&canvas, x: left + scale, y: top + scale, width: swatch - 2 * scale, height: swatch - 2 * scale,
                      color: (color.red, color.green, color.blue))
      BitmapFont.draw(entry.text, into: &canvas, x: left + swatch + 4 * scale, y: top + scale, scale: scale, color: (0, 0, 0))
    }
    return canvas
  }
}

import Datasets
import Foundation

/// The inline SVG charts of the audit page. Every chart has a `viewBox` and scales to the width
/// of its box; the numbers a reader needs (counts, bin edges, cut-offs, shares) are text in the
/// chart, and the exact values are in `data-` attributes and tooltips.
extension AuditHTML {
  static let chartWidth = 340.0
  static let plotHeight = 120.0
  static let plotLeft = 40.0
  static let plotRight = 8.0
  static let axisBelow = 32.0

  /// The step of the count axis: 1, 2 or 5 times a power of ten, so that at most 5 steps reach `peak`.
  static func countStep(_ peak: Int) -> Int {
    var scale = 1
    while true {
      for factor in [1, 2, 5] where peak <= 5 * factor * scale { return factor * scale }
      scale *= 10
    }
  }

  /// The empirical CDF, with a fraction axis (0, 0.5, 1) and the value range below.
  static func cdfSVG(_ item: IndicatorDistribution) -> String {
    let top = 10.0
    let plotWidth = chartWidth - plotLeft - plotRight
    let bottom = top + plotHeight
    let span = item.maximum > item.minimum ? item.maximum - item.minimum : 1
    let count = Double(item.sortedValues.count)
    var points: [String] = []
    for (index, value) in item.sortedValues.enumerated() {
      let x = plotLeft + plotWidth * (value - item.minimum) / span
      points.append(String(
        format: "%.1f,%.1f %.1f,%.1f", x, bottom - plotHeight * Double(index) / count, x,
        bottom - plotHeight * Double(index + 1) / count))
    }
    var svg = String(
      format: "<svg class=\"cdf\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"CDF of %@\">",
      chartWidth, bottom + axisBelow, escape(item.indicator))
    for fraction in [0.0, 0.5, 1.0] {
      let y = bottom - plotHeight * fraction
      svg += String(
        format: "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
          + "<text class=\"tick y\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>",
        plotLeft, plotLeft + plotWidth, y, y, plotLeft - 4, y + 3.5, number(fraction))
    }
    svg += String(format: "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", plotLeft, plotLeft + plotWidth, bottom, bottom)
    svg += String(
      format: "<text class=\"tick x\" x=\"%.1f\" y=\"%.1f\">%@</text><text class=\"tick x\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>",
      plotLeft, bottom + 13, number(item.sortedValues.first ?? item.minimum), plotLeft + plotWidth, bottom + 13,
      number(item.sortedValues.last ?? item.maximum))
    svg += String(
      format: "<text class=\"axis-title\" transform=\"translate(10 %.1f) rotate(-90)\" text-anchor=\"middle\">fraction ≤ x</text>"
        + "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>",
      top + plotHeight / 2, plotLeft + plotWidth / 2, bottom + 27, escape(item.indicator))
    return svg + "<polyline fill=\"none\" stroke=\"#d0604a\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/></svg>"
  }

  /// One bar per class present, largest first, in the class's colour, with its share of the valid pixels.
  static func classShareSVG(_ shares: ClassShares, colors: [RGB]) -> String {
    let fractions = shares.shares
    let present = shares.pixels.indices.filter { shares.pixels[$0] > 0 }.sorted { (-shares.pixels[$0], $0) < (-shares.pixels[$1], $1) }
    guard let largest = present.first.map({ fractions[$0] }) else { return "<p class=\"muted\">No labelled pixels.</p>" }
    let width = 440.0, row = 16.0, nameWidth = 130.0, barLeft = nameWidth + 16, barRight = width - 48
    var svg = String(
      format: "<svg class=\"shares\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"class pixel shares\">", width, row * Double(present.count) + 4)
    for (line, trainId) in present.enumerated() {
      let y = 2 + row * Double(line)
      let name = shares.classNames[trainId]
      let color = trainId < colors.count ? colors[trainId] : RGB(0, 0, 0)
      let length = max(1, (barRight - barLeft) * fractions[trainId] / largest)
      svg += String(
        format: "<g class=\"share\" data-class=\"%@\" data-share=\"%@\"><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>"
          + "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"><title>%@: %d pixels</title></rect>"
          + "<text x=\"%.1f\" y=\"%.1f\">%@</text></g>",
        escape(name), String(fractions[trainId]), nameWidth, y + 11.5, escape(name), barLeft, y + 1, length, row - 3,
        hex(color), escape(name), shares.pixels[trainId], barLeft + length + 4, y + 11.5, percent(fractions[trainId]))
    }
    return svg + "</svg>"
  }

  /// The colour of every class of `space`, and of the ignore value, as swatches with names.
  static func legend(_ space: LabelSpace) -> String {
    var html = "<aside class=\"legend\" data-label-space=\"\(escape(space.id))\"><h3>Label colours</h3>"
      + "<p class=\"muted\">\(escape(space.id))</p><ul\(space.classes.count > 30 ? " class=\"many\"" : "")>"
    for (trainId, labelClass) in space.classes.enumerated() {
      html += "<li data-class=\"\(escape(labelClass.name))\" data-train-id=\"\(trainId)\" data-color=\"\(hex(labelClass.color))\">"
        + "<span class=\"swatch\" style=\"background:\(hex(labelClass.color))\"></span>\(escape(labelClass.name))</li>"
    }
    return html + "<li data-class=\"ignore\" data-train-id=\"255\"><span class=\"swatch\" style=\"background:#000000\"></span>"
      + "ignored (255)</li></ul></aside>"
  }

  static func hex(_ color: RGB) -> String { String(format: "#%02x%02x%02x", color.red, color.green, color.blue) }

  static func percent(_ fraction: Double) -> String {
    fraction >= 0.1 ? String(format: "%.1f%%", fraction * 100) : String(format: "%.2g%%", fraction * 100)
  }
}

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

  /// A histogram with a count axis (left), bin-edge ticks (below) and, when `cutoffs` are given,
  /// one dashed line per policy cut-off labelled with its quantile and value.
  static func histogramSVG(_ item: IndicatorDistribution, cutoffs: [AuditData.PolicyCutoff] = []) -> String {
    let bins = item.histogram.count
    let binWidth = item.maximum > item.minimum ? (item.maximum - item.minimum) / Double(bins) : 1
    let edges = (0...bins).map { item.minimum + Double($0) * binWidth }
    let top = cutoffs.isEmpty ? 10.0 : 8 + 12 * Double(cutoffs.count)
    let plotWidth = chartWidth - plotLeft - plotRight
    let bottom = top + plotHeight
    let peak = item.histogram.max() ?? 0
    let step = countStep(peak)
    let axisTop = max(step, (peak + step - 1) / step * step)
    func x(_ value: Double) -> Double { plotLeft + plotWidth * (value - edges[0]) / (edges[bins] - edges[0]) }
    func y(_ count: Int) -> Double { bottom - plotHeight * Double(count) / Double(axisTop) }
    var svg = String(
      format: "<svg class=\"histogram\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"histogram of %@\">",
      chartWidth, bottom + axisBelow, escape(item.indicator))
    // Count axis: gridlines and labels at multiples of the step.
    for count in stride(from: 0, through: axisTop, by: step) {
      svg += String(
        format: "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
          + "<text class=\"tick y\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d</text>",
        plotLeft, plotLeft + plotWidth, y(count), y(count), plotLeft - 4, y(count) + 3.5, count)
    }
    svg += String(
      format: "<text class=\"axis-title\" transform=\"translate(10 %.1f) rotate(-90)\" text-anchor=\"middle\">samples</text>",
      top + plotHeight / 2)
    if let drop = cutoffs.first(where: { $0.kind == "drop" }) {
      let end = min(max(x(drop.value), plotLeft), plotLeft + plotWidth)
      svg += String(
        format: "<rect class=\"dropped\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", plotLeft, top, end - plotLeft, plotHeight)
    }
    for (index, count) in item.histogram.enumerated() where count > 0 {
      let closing = index == bins - 1 ? "]" : ")"
      svg += String(
        format: "<rect class=\"bar\" data-count=\"%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>[%@, %@%@: %d</title></rect>",
        count, x(edges[index]) + 0.5, y(count), max(plotWidth / Double(bins) - 1, 0.5), bottom - y(count),
        number(edges[index]), number(edges[index + 1]), closing, count)
    }
    // Bin-edge axis: a tick at every edge, a label at every `every`-th.
    svg += String(format: "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", plotLeft, plotLeft + plotWidth, bottom, bottom)
    let every = max(1, bins / 4)
    for (index, edge) in edges.enumerated() {
      let labelled = index % every == 0 || index == bins
      svg += String(
        format: "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", x(edge), x(edge), bottom, bottom + (labelled ? 4 : 2))
      if labelled {
        svg += String(
          format: "<text class=\"tick x\" data-edge=\"%@\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%@\">%@</text>",
          String(edge), x(edge), bottom + 13, index == 0 ? "start" : index == bins ? "end" : "middle", number(edge))
      }
    }
    svg += String(
      format: "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@ (%d bins)</text>",
      plotLeft + plotWidth / 2, bottom + 27, escape(item.indicator), bins)
    for (index, cutoff) in cutoffs.enumerated() {
      let position = min(max(x(cutoff.value), plotLeft), plotLeft + plotWidth)
      let label = cutoff.kind == "drop"
        ? "drop below q\(number(cutoff.quantile)) = \(number(cutoff.value))"
        : "q\(number(cutoff.quantile)) = \(number(cutoff.value)): ×\(number(cutoff.scale ?? 1)) below"
      let labelY = 9 + 12 * Double(index)
      svg += String(
        format: "<g class=\"cutoff\" data-kind=\"%@\" data-quantile=\"%@\" data-value=\"%@\">"
          + "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%@\">%@</text></g>",
        cutoff.kind, String(cutoff.quantile), String(cutoff.value), position, position, labelY + 2, bottom,
        position + (position < plotLeft + plotWidth / 2 ? 3 : -3), labelY,
        position < plotLeft + plotWidth / 2 ? "start" : "end", escape(label))
    }
    return svg + "</svg>"
  }

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
      plotLeft, bottom + 13, number(item.minimum), plotLeft + plotWidth, bottom + 13, number(item.maximum))
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

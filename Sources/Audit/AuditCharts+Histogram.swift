import Foundation

extension AuditHTML {
  /// The geometry of one histogram: its plot area and the value and count scales.
  struct HistogramFrame {
    var top: Double
    var bottom: Double
    var plotWidth: Double
    var edges: [Double]
    var axisTop: Int

    func x(_ value: Double) -> Double {
      plotLeft + plotWidth * (value - edges[0]) / (edges[edges.count - 1] - edges[0])
    }

    func y(_ count: Int) -> Double { bottom - plotHeight * Double(count) / Double(axisTop) }
  }

  /// A histogram with a count axis (left) and a value axis below (bin edges, or for an
  /// integer-valued indicator the whole numbers), and, when `cutoffs` are given, one dashed,
  /// numbered line per policy cut-off with its quantile and value in a key above the plot.
  static func histogramSVG(_ item: IndicatorDistribution, cutoffs: [AuditData.PolicyCutoff] = []) -> String {
    let bins = item.histogram.count
    let binWidth = item.maximum > item.minimum ? (item.maximum - item.minimum) / Double(bins) : 1
    let peak = item.histogram.max() ?? 0
    let step = countStep(peak)
    let top = cutoffs.isEmpty ? 10.0 : 10 + cutoffKeyRow * Double(cutoffs.count) + 10
    let frame = HistogramFrame(
      top: top, bottom: top + plotHeight, plotWidth: chartWidth - plotLeft - plotRight,
      edges: (0...bins).map { item.minimum + Double($0) * binWidth }, axisTop: max(step, (peak + step - 1) / step * step))
    var svg = String(
      format: "<svg class=\"histogram\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"histogram of %@\">",
      chartWidth, frame.bottom + axisBelow, escape(item.indicator))
    for count in stride(from: 0, through: frame.axisTop, by: step) {
      svg += String(
        format: "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
          + "<text class=\"tick y\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d</text>",
        plotLeft, plotLeft + frame.plotWidth, frame.y(count), frame.y(count), plotLeft - 4, frame.y(count) + 3.5, count)
    }
    svg += String(
      format: "<text class=\"axis-title\" transform=\"translate(10 %.1f) rotate(-90)\" text-anchor=\"middle\">samples</text>",
      top + plotHeight / 2)
    if let drop = cutoffs.first(where: { $0.kind == "drop" }) {
      let end = min(max(frame.x(drop.value), plotLeft), plotLeft + frame.plotWidth)
      svg += String(
        format: "<rect class=\"dropped\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", plotLeft, top, end - plotLeft, plotHeight)
    }
    for (index, count) in item.histogram.enumerated() where count > 0 {
      let closing = index == bins - 1 ? "]" : ")"
      svg += String(
        format: "<rect class=\"bar\" data-count=\"%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>[%@, %@%@: %d</title></rect>",
        count, frame.x(frame.edges[index]) + 0.5, frame.y(count), max(frame.plotWidth / Double(bins) - 1, 0.5),
        frame.bottom - frame.y(count), number(frame.edges[index]), number(frame.edges[index + 1]), closing, count)
    }
    svg += item.integerValued ? integerAxis(item, frame) : edgeAxis(frame)
    svg += String(
      format: "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@ (%d bins)</text>",
      plotLeft + frame.plotWidth / 2, frame.bottom + 27, escape(item.indicator), bins)
    return svg + cutoffMarks(cutoffs, frame) + "</svg>"
  }

  /// The height of one row of the cut-off key.
  static let cutoffKeyRow = 12.0

  /// One tick of the value axis: where, and its label (`attribute` names the value for readers).
  struct AxisTick {
    var value: Double
    var label: String?
    var attribute = ""
    var anchor = "middle"
  }

  /// A tick at every bin edge, labelled at every k-th, k the smallest step at which the labels
  /// (about 5.5 units per character; the first and last aligned to the plot's ends, the others
  /// centred) keep 6 units apart, and at least a quarter of the bins.
  static func edgeAxis(_ frame: HistogramFrame) -> String {
    let bins = frame.edges.count - 1
    let widest = 1.5 * Double(frame.edges.map { number($0).count }.max() ?? 1) * 5.5 + 6
    let every = max(max(1, bins / 4), Int((widest / (frame.plotWidth / Double(bins))).rounded(.up)))
    return valueAxis(frame, ticks: frame.edges.enumerated().map { index, edge in
      let labelled = index == bins || index % every == 0 && bins - index >= every
      return AxisTick(
        value: edge, label: labelled ? number(edge) : nil, attribute: "data-edge=\"\(edge)\"",
        anchor: index == 0 ? "start" : index == bins ? "end" : "middle")
    })
  }

  /// Whole numbers: a tick at the first whole number of every bin (bins start half a unit below
  /// one), labelled with it at up to about eight of them.
  static func integerAxis(_ item: IndicatorDistribution, _ frame: HistogramFrame) -> String {
    let bins = frame.edges.count - 1, every = max(1, (bins + 7) / 8)
    return valueAxis(frame, ticks: (0..<bins).map { index in
      let value = Int((frame.edges[index] + 0.5).rounded())
      return AxisTick(value: Double(value), label: index % every == 0 ? "\(value)" : nil, attribute: "data-value=\"\(value)\"")
    })
  }

  /// The axis line below the plot and its ticks, longer where labelled.
  static func valueAxis(_ frame: HistogramFrame, ticks: [AxisTick]) -> String {
    var svg = String(
      format: "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", plotLeft, plotLeft + frame.plotWidth, frame.bottom, frame.bottom)
    for tick in ticks {
      let x = frame.x(tick.value)
      svg += String(
        format: "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", x, x, frame.bottom, frame.bottom + (tick.label == nil ? 2 : 4))
      if let label = tick.label {
        svg += String(
          format: "<text class=\"tick x\" %@ x=\"%.1f\" y=\"%.1f\" text-anchor=\"%@\">%@</text>", tick.attribute, x, frame.bottom + 13,
          tick.anchor, label)
      }
    }
    return svg
  }

  /// One dashed line per cut-off, numbered at its top (numbers of nearby lines pushed apart), and
  /// a key above the plot: one left-aligned row per cut-off with its number, quantile and value.
  static func cutoffMarks(_ cutoffs: [AuditData.PolicyCutoff], _ frame: HistogramFrame) -> String {
    var svg = "", previousTag = -Double.infinity
    for (index, cutoff) in cutoffs.enumerated() {
      let position = min(max(frame.x(cutoff.value), plotLeft), plotLeft + frame.plotWidth)
      let label = cutoff.kind == "drop"
        ? "drop below q\(number(cutoff.quantile)) = \(number(cutoff.value))"
        : "q\(number(cutoff.quantile)) = \(number(cutoff.value)): ×\(number(cutoff.scale ?? 1)) below"
      let tag = max(position, previousTag + 8)
      previousTag = tag
      svg += String(
        format: "<g class=\"cutoff\" data-kind=\"%@\" data-quantile=\"%@\" data-value=\"%@\">"
          + "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/><text class=\"cutoff-tag\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>"
          + "<text class=\"cutoff-key\" x=\"%.1f\" y=\"%.1f\">%d  %@</text></g>",
        cutoff.kind, String(cutoff.quantile), String(cutoff.value), position, position, frame.top, frame.bottom,
        tag, frame.top - 3, index + 1, plotLeft, 10 + cutoffKeyRow * Double(index), index + 1, escape(label))
    }
    return svg
  }
}

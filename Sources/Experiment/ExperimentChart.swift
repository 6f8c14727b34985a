import Foundation

/// A self-contained SVG line chart: series of (x, y) points drawn as lines with markers, axes with
/// ticks at round numbers, axis titles, and a legend to the right of the plot area.
struct ExperimentChart {
  /// One named line.
  struct Series {
    var name: String
    var points: [(x: Double, y: Double)]
    /// Draw the points without connecting them.
    var markersOnly = false
  }

  var title: String
  var xLabel: String
  var yLabel: String
  var series: [Series]
  /// Identifies the chart in the page (`data-chart`).
  var id: String

  static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f", "#bcbd22", "#e377c2",
                        "#393b79", "#637939"]
  static let width = 860.0, height = 360.0
  static let left = 70.0, right = 610.0, top = 36.0, bottom = 300.0

  /// Round tick values covering `low … high`: about five steps of 1, 2 or 5 × 10^k.
  static func ticks(_ low: Double, _ high: Double) -> [Double] {
    // A single value gets a range around it, so that it sits between two ticks.
    let pad = high - low > 1e-12 ? 0 : max(abs(low) * 0.05, 1e-6)
    let low = low - pad, high = high + pad
    let span = high - low
    let raw = span / 5, magnitude = pow(10, (log10(raw)).rounded(.down))
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
    var value = (low / step).rounded(.down) * step
    var ticks: [Double] = []
    while value <= high + step * 1e-9 {
      ticks.append(value)
      value += step
    }
    if let last = ticks.last, last < high - step * 1e-9 { ticks.append(last + step) }
    return ticks
  }

  /// A tick label with as many decimals as the step needs.
  static func label(_ value: Double, step: Double) -> String {
    let decimals = max(0, min(6, Int((-log10(step)).rounded(.up))))
    return String(format: "%.\(decimals)f", value)
  }

  static func escaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
      .replacingOccurrences(of: "\"", with: "&quot;")
  }

  var svg: String {
    let all = series.flatMap(\.points)
    guard !all.isEmpty else { return "" }
    let xTicks = Self.ticks(all.map(\.x).min()!, all.map(\.x).max()!), yTicks = Self.ticks(all.map(\.y).min()!, all.map(\.y).max()!)
    let x0 = xTicks.first!, x1 = max(xTicks.last!, x0 + 1e-9), y0 = yTicks.first!, y1 = max(yTicks.last!, y0 + 1e-9)
    func px(_ x: Double) -> Double { Self.left + (Self.right - Self.left) * (x - x0) / (x1 - x0) }
    func py(_ y: Double) -> Double { Self.bottom - (Self.bottom - Self.top) * (y - y0) / (y1 - y0) }
    let number = { (value: Double) in String(format: "%.1f", value) }
    var svg = "<svg class=\"chart\" data-chart=\"\(id)\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" "
    svg += "viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"\(Self.escaped(title))\">"
    svg += "<text class=\"title\" x=\"\(number(Self.left))\" y=\"20\" font-weight=\"bold\">\(Self.escaped(title))</text>"
    svg += "<rect x=\"\(number(Self.left))\" y=\"\(number(Self.top))\" width=\"\(number(Self.right - Self.left))\" "
    svg += "height=\"\(number(Self.bottom - Self.top))\" fill=\"none\" stroke=\"#999\"/>"
    let xStep = xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1, yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
    for tick in xTicks {
      svg += "<line x1=\"\(number(px(tick)))\" y1=\"\(number(Self.bottom))\" x2=\"\(number(px(tick)))\" y2=\"\(number(Self.bottom + 5))\" stroke=\"#666\"/>"
      svg += "<text class=\"tick x\" x=\"\(number(px(tick)))\" y=\"\(number(Self.bottom + 18))\" text-anchor=\"middle\" font-size=\"11\">"
      svg += Self.label(tick, step: xStep) + "</text>"
    }
    for tick in yTicks {
      svg += "<line x1=\"\(number(Self.left - 5))\" y1=\"\(number(py(tick)))\" x2=\"\(number(Self.right))\" y2=\"\(number(py(tick)))\" stroke=\"#eee\"/>"
      svg += "<text class=\"tick y\" x=\"\(number(Self.left - 8))\" y=\"\(number(py(tick) + 4))\" text-anchor=\"end\" font-size=\"11\">"
      svg += Self.label(tick, step: yStep) + "</text>"
    }
    svg += "<text class=\"axis x\" x=\"\(number((Self.left + Self.right) / 2))\" y=\"\(number(Self.bottom + 40))\" text-anchor=\"middle\">"
    svg += Self.escaped(xLabel) + "</text>"
    svg += "<text class=\"axis y\" x=\"16\" y=\"\(number((Self.top + Self.bottom) / 2))\" text-anchor=\"middle\" "
    svg += "transform=\"rotate(-90 16 \(number((Self.top + Self.bottom) / 2)))\">\(Self.escaped(yLabel))</text>"
    for (index, line) in series.enumerated() where !line.points.isEmpty {
      let colour = Self.colours[index % Self.colours.count]
      let points = line.points.sorted { $0.x < $1.x }
      svg += "<g class=\"series\" data-series=\"\(Self.escaped(line.name))\">"
      if points.count > 1 && !line.markersOnly {
        let coordinates = points.map { "\(number(px($0.x))),\(number(py($0.y)))" }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(coordinates)\"/>"
      }
      for point in points {
        svg += "<circle cx=\"\(number(px(point.x)))\" cy=\"\(number(py(point.y)))\" r=\"4\" fill=\"\(colour)\" "
        svg += "data-x=\"\(point.x)\" data-y=\"\(point.y)\"/>"
      }
      svg += "</g>"
      let y = Self.top + 8 + 18 * Double(index)
      svg += "<g class=\"legend\"><rect x=\"\(number(Self.right + 20))\" y=\"\(number(y - 5))\" width=\"14\" height=\"4\" fill=\"\(colour)\"/>"
      svg += "<text x=\"\(number(Self.right + 40))\" y=\"\(number(y + 1))\" font-size=\"12\">\(Self.escaped(line.name))</text></g>"
    }
    return svg + "</svg>"
  }
}

import Foundation

/// Renders ``AuditData`` as one self-contained HTML page: inline CSS and SVG, thumbnails as data
/// URLs, no script and nothing fetched from the network.
public enum AuditHTML {
  /// The page. `thumbnails` decodes the extreme samples' files (skip it for a page without pictures).
  public static func render(_ data: AuditData, thumbnails: Bool = true) -> String {
    var html = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>Dance audit</title>
      <style>
      body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
      h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
      table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
      th:first-child,td:first-child{text-align:left}.grid{display:flex;flex-wrap:wrap;gap:14px}
      figure{margin:0;background:#fafafa;border:1px solid #eee;padding:6px}figcaption{font-size:12px;color:#555}
      .muted{color:#777}.pair{display:flex;gap:4px}svg text{font-size:10px;fill:#555}svg.histogram{margin-right:12px}table.matrix th{font-size:11px;font-weight:normal;text-align:left}table.matrix td{text-align:center;font-size:12px}
      </style></head><body>
      <h1>Dance audit</h1>

      """
    html += section("summary", "Summary") {
      var body = "<p>Catalog <code>\(escape(data.catalog))</code>.</p><ul>"
      for dataset in data.datasets { body += "<li>\(escape(dataset))</li>" }
      body += "</ul>" + table(
        ["split", "valid samples"],
        data.samplesPerSplit.sorted { order($0.key) < order($1.key) }.map { [$0.key, "\($0.value)"] })
      return body
    }
    html += section("distributions", "Distributions") {
      var body = "<p class=\"muted\">Per split and indicator: histogram (left) and cumulative distribution (right).</p>"
      for split in splits(data) {
        body += "<h3>\(escape(split))</h3><div class=\"grid\">"
        for item in data.distributions where item.split == split {
          body += "<figure data-indicator=\"\(escape(item.indicator))\">\(histogramSVG(item))\(cdfSVG(item))"
          body += "<figcaption>\(escape(item.indicator)) · n = \(item.count) · mean \(number(item.mean))</figcaption></figure>"
        }
        body += "</div>"
      }
      return body
    }
    html += section("quantiles", "Quantiles") {
      let columns = ["p0", "p5", "p25", "p50", "p75", "p95", "p100"]
      return table(
        ["split", "indicator", "n", "mean"] + columns,
        data.distributions.map { item in
          [item.split, item.indicator, "\(item.count)", number(item.mean)] + columns.map { number(item.quantiles[$0] ?? .nan) }
        })
    }
    html += section("correlation", "Correlation between indicators (training split, Pearson r)") {
      correlationMatrix(data.correlations)
    }
    html += section("extremes", "Least and most complex training images (by \(data.rankingIndicator))") {
      "<h3>Least complex</h3>" + gallery(data.leastComplex, thumbnails: thumbnails)
        + "<h3>Most complex</h3>" + gallery(data.mostComplex, thumbnails: thumbnails)
    }
    html += section("policy-preview", "Policy preview (training split, ranked by \(data.rankingIndicator))") {
      guard !data.policyPreview.isEmpty else { return "<p class=\"muted\">No scored training samples.</p>" }
      return "<p class=\"muted\">What <code>dance slim --policy …</code> would keep; nothing is written.</p>"
        + table(
          ["policy", "samples", "kept", "dropped", "kept by scale", "pixels kept"],
          data.policyPreview.map { preview in
            let scales = preview.byScale.sorted { (Double($0.key) ?? 0) < (Double($1.key) ?? 0) }.map { "\($0.key)×\($0.value)" }
            return [
              preview.policy, "\(preview.samples)", "\(preview.kept)", "\(preview.samples - preview.kept)",
              scales.joined(separator: " "), String(format: "%.1f%%", preview.pixelFraction * 100),
            ]
          })
    }
    return html + "</body></html>\n"
  }

  static func section(_ id: String, _ title: String, _ body: () -> String) -> String {
    "<section id=\"\(id)\"><h2>\(escape(title))</h2>\n\(body())\n</section>\n"
  }

  static func splits(_ data: AuditData) -> [String] {
    Array(Set(data.distributions.map(\.split))).sorted { order($0) < order($1) }
  }

  static func order(_ split: String) -> Int { ["train": 0, "val": 1, "test": 2][split] ?? 3 }

  static func table(_ header: [String], _ rows: [[String]]) -> String {
    "<table><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
      + rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined() + "</table>"
  }

  /// A symmetric matrix, each cell shaded by |r| (blue positive, red negative).
  static func correlationMatrix(_ correlations: [AuditData.Correlation]) -> String {
    var names: [String] = []
    for pair in correlations {
      for name in [pair.a, pair.b] where !names.contains(name) { names.append(name) }
    }
    var value: [String: Double?] = [:]
    for pair in correlations {
      value[pair.a + "|" + pair.b] = pair.pearson
      value[pair.b + "|" + pair.a] = pair.pearson
    }
    var html = "<table class=\"matrix\"><tr><th></th>" + names.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
    for row in names {
      html += "<tr><th>\(escape(row))</th>"
      for column in names {
        let r: Double? = row == column ? 1 : value[row + "|" + column] ?? nil
        guard let r else {
          html += "<td>–</td>"
          continue
        }
        let color = r >= 0 ? "74,123,208" : "208,96,74"
        html += String(format: "<td style=\"background:rgba(%@,%.2f)\">%@</td>", color, abs(r) * 0.6, String(format: "%.2f", r))
      }
      html += "</tr>"
    }
    return html + "</table>"
  }

  static func gallery(_ extremes: [AuditExtreme], thumbnails: Bool) -> String {
    guard !extremes.isEmpty else { return "<p class=\"muted\">No scored training samples.</p>" }
    var body = "<div class=\"grid\">"
    for extreme in extremes {
      body += "<figure data-key=\"\(escape(extreme.key))\"><div class=\"pair\">"
      if thumbnails, let pictures = Thumbnails.make(extreme) {
        body += "<img alt=\"image\" src=\"data:image/png;base64,\(pictures.image)\">"
        if let overlay = pictures.overlay {
          body += "<img alt=\"label overlay\" src=\"data:image/png;base64,\(overlay)\">"
        }
      } else if thumbnails {
        body += "<span class=\"muted\">(files unreadable)</span>"
      }
      body += "</div><figcaption>\(escape(extreme.key))<br>\(number(extreme.value))</figcaption></figure>"
    }
    return body + "</div>"
  }

  static let chartWidth = 220.0
  static let chartHeight = 90.0

  static func histogramSVG(_ item: IndicatorDistribution) -> String {
    let peak = Double(item.histogram.max() ?? 1)
    let barWidth = chartWidth / Double(item.histogram.count)
    var svg = "<svg class=\"histogram\" width=\"\(Int(chartWidth))\" height=\"\(Int(chartHeight + 14))\" role=\"img\">"
    for (index, count) in item.histogram.enumerated() where count > 0 {
      let height = chartHeight * Double(count) / peak
      svg += String(
        format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4a7bd0\"><title>%d</title></rect>",
        Double(index) * barWidth, chartHeight - height, max(barWidth - 1, 0.5), height, count)
    }
    svg += "<text x=\"0\" y=\"\(Int(chartHeight + 12))\">\(number(item.minimum))</text>"
    svg += "<text x=\"\(Int(chartWidth))\" y=\"\(Int(chartHeight + 12))\" text-anchor=\"end\">\(number(item.maximum))</text>"
    return svg + "</svg>"
  }

  static func cdfSVG(_ item: IndicatorDistribution) -> String {
    let span = item.maximum > item.minimum ? item.maximum - item.minimum : 1
    let count = Double(item.sortedValues.count)
    var points: [String] = []
    for (index, value) in item.sortedValues.enumerated() {
      let x = chartWidth * (value - item.minimum) / span
      points.append(String(format: "%.1f,%.1f %.1f,%.1f", x, chartHeight * (1 - Double(index) / count), x,
        chartHeight * (1 - Double(index + 1) / count)))
    }
    return "<svg class=\"cdf\" width=\"\(Int(chartWidth))\" height=\"\(Int(chartHeight + 14))\" role=\"img\">"
      + "<polyline fill=\"none\" stroke=\"#d0604a\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>"
      + "<text x=\"2\" y=\"10\">CDF</text></svg>"
  }

  static func number(_ value: Double) -> String {
    guard value.isFinite else { return "–" }
    return abs(value) >= 1000 || value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.4g", value)
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}

extension AuditData {
  /// One row per sample: `key,split,<indicator>…` (empty where a value is missing).
  public var csv: String {
    let indicators = Array(Set(table.flatMap(\.values.keys))).sorted()
    var lines = [(["key", "split"] + indicators).joined(separator: ",")]
    for row in table {
      lines.append(([row.key, row.split] + indicators.map { row.values[$0].map { String($0) } ?? "" }).joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

import DanceCore
import Datasets
import Foundation
import Slimming

/// Renders ``AuditData`` as one self-contained HTML page: inline CSS, SVG and script, the extremes'
/// thumbnails as data URLs, the sample browser's pictures read from the dataset's own files when
/// shown, nothing fetched from the network.
public enum AuditHTML {
  /// The page. `thumbnails` decodes the extreme samples' files (skip it for a page without pictures).
  public static func render(_ data: AuditData, thumbnails: Bool = true) -> String {
    var html = pageHead
    html += summarySection(data)
    html += distributionsSection(data)
    html += classSharesSection(data)
    html += quantilesSection(data)
    html += section("correlation", "Correlation between indicators (training split, Pearson r)") {
      correlationMatrix(data.correlations)
    }
    html += extremesSection(data, thumbnails: thumbnails)
    if let browser = data.browser, !browser.rows.isEmpty {
      html += section("samples", "Sample browser (training split)") { browser.html() }
    }
    html += policyPreviewSection(data)
    return html + "</body></html>\n"
  }

  /// The document up to the page's heading: doctype, title and the inline stylesheet.
  static let pageHead = """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><title>Dance audit</title>
    <style>
    body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;padding:16px 28px}
    h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
    table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
    th:first-child,td:first-child{text-align:left}
    .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:14px}
    .shares-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:14px}
    figure{margin:0;background:#fafafa;border:1px solid #eee;padding:6px}figcaption{font-size:12px;color:#555}
    .two{display:grid;grid-template-columns:1fr 1fr;gap:6px}svg{display:block;width:100%;height:auto}
    svg text{font-size:10px;fill:#555}svg .axis-title{fill:#333}svg line.grid{stroke:#e6e6e6}svg line.axis{stroke:#888}
    svg.histogram rect.bar{fill:#4a7bd0}svg.shares rect.bar{stroke:#0003}svg rect.dropped{fill:#d0604a22}
    g.cutoff line{stroke:#b8322a;stroke-dasharray:4 2;stroke-width:1.2}g.cutoff text{fill:#b8322a;font-weight:600}
    .muted{color:#777}.pair{display:flex;gap:4px}.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(400px,1fr));gap:14px}
    .gallery figcaption{overflow-wrap:anywhere}
    .extremes{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:24px;align-items:start}
    aside.legend{position:sticky;top:8px;min-width:200px;background:#fafafa;border:1px solid #eee;padding:8px 10px}
    aside.legend h3{margin:0;font-size:14px}aside.legend ul{list-style:none;margin:4px 0 0;padding:0;font-size:12px}
    aside.legend ul.many{columns:3;column-gap:12px;width:470px}aside.legend li{break-inside:avoid;white-space:nowrap}
    .swatch{display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:-2px;border:1px solid #0004}
    table.matrix th{font-size:11px;font-weight:normal;text-align:left}table.matrix td{text-align:center;font-size:12px}
    svg text.cutoff-key,svg text.cutoff-tag{fill:#b8322a;font-weight:600}
    .browser-controls{display:flex;gap:8px;align-items:center;margin:8px 0}.browser-controls input{width:260px}
    .browser{display:grid;grid-template-columns:minmax(0,3fr) minmax(320px,2fr);gap:18px;align-items:start}
    .browser-table{max-height:80vh;overflow:auto;border:1px solid #eee}#sample-table{margin:0;width:100%}
    #sample-table th{position:sticky;top:0;background:#f4f4f4;cursor:pointer;white-space:nowrap}
    #sample-table th[aria-sort=ascending]::after{content:" ▲"}#sample-table th[aria-sort=descending]::after{content:" ▼"}
    #sample-table tbody tr{cursor:pointer}#sample-table tbody tr:hover{background:#f1f5fc}#sample-table tr.selected{background:#dde8fb}
    #sample-table td:nth-child(2),#sample-table th:nth-child(2){text-align:left}img.thumb{width:64px;height:auto;display:block}#sample-detail{position:sticky;top:8px}svg.filters{position:absolute}
    .detail-pair{display:grid;grid-template-columns:1fr 1fr;gap:8px}.detail-pair img{width:100%;display:block}
    .stack{position:relative}.stack img.label{position:absolute;left:0;top:0;opacity:.5;image-rendering:pixelated}
    </style></head><body>
    <h1>Dance audit</h1>

    """

  /// The catalog, the datasets it holds and the valid samples per split.
  static func summarySection(_ data: AuditData) -> String {
    section("summary", "Summary") {
      var body = "<p>Catalog <code>\(escape(data.catalog))</code>.</p><ul>"
      for dataset in data.datasets { body += "<li>\(escape("\(dataset.name) (\(dataset.format)): \(dataset.root)"))</li>" }
      body += "</ul>" + table(
        ["split", "valid samples"],
        data.samplesPerSplit.sorted { order($0.key) < order($1.key) }.map { [$0.key, "\($0.value)"] })
      return body
    }
  }

  /// Per split, each indicator's histogram (with the default policy's cut-offs on the training split's
  /// ranking indicator) beside its cumulative distribution.
  static func distributionsSection(_ data: AuditData) -> String {
    section("distributions", "Distributions") {
      var body = "<p class=\"muted\">Per split and indicator: histogram (samples per bin, bin edges below) and cumulative "
        + "distribution. On the training histogram of \(escape(data.rankingIndicator)) the dashed lines are where "
        + "<code>\(escape(SlimmingPolicy.quantileDefault.description))</code> cuts; the shaded part is dropped.</p>"
      for split in splits(data) {
        body += "<h3>\(escape(split))</h3><div class=\"charts\">"
        for item in data.distributions where item.split == split {
          let cutoffs = split == DatasetSplit.train.rawValue && item.indicator == data.rankingIndicator ? data.policyCutoffs : []
          body += "<figure data-indicator=\"\(escape(item.indicator))\" data-split=\"\(escape(split))\"><div class=\"two\">"
            + histogramSVG(item, cutoffs: cutoffs) + cdfSVG(item) + "</div>"
          body += "<figcaption>\(escape(item.indicator)) · n = \(item.count) · mean \(number(item.mean))</figcaption></figure>"
        }
        body += "</div>"
      }
      return body
    }
  }

  /// Per split and label space, each class's share of the labelled pixels.
  static func classSharesSection(_ data: AuditData) -> String {
    section("class-shares", "Pixels per class") {
      guard !data.classShares.isEmpty else { return "<p class=\"muted\">No label files.</p>" }
      var body = "<p class=\"muted\">Per split: each class's share of the labelled (not ignored) pixels, largest first.</p>"
        + "<div class=\"shares-grid\">"
      for shares in data.classShares.sorted(by: { (order($0.split), $0.labelSpace) < (order($1.split), $1.labelSpace) }) {
        let colors = data.space(shares.labelSpace)?.classes.map(\.color) ?? []
        body += "<figure class=\"class-shares\" data-split=\"\(escape(shares.split))\" data-label-space=\"\(escape(shares.labelSpace))\">"
          + "<h3>\(escape(shares.split))</h3>" + classShareSVG(shares, colors: colors)
          + "<figcaption>\(classSharesCaption(shares))</figcaption></figure>"
      }
      return body + "</div>"
    }
  }

  /// The caption under one split's class shares: label files read, the ignored share, the absent classes.
  static func classSharesCaption(_ shares: ClassShares) -> String {
    let all = shares.pixels.reduce(0, +) + shares.ignoredPixels
    let absent = shares.pixels.indices.filter { shares.pixels[$0] == 0 }.map { shares.classNames[$0] }
    var caption = "\(escape(shares.split)) · \(escape(shares.labelSpace)) · \(shares.labelFilesRead) of \(shares.labelFiles) label files"
    if shares.unreadableLabelFiles > 0 { caption += " (\(shares.unreadableLabelFiles) unreadable)" }
    caption += " · ignored \(all > 0 ? percent(Double(shares.ignoredPixels) / Double(all)) : "–") of all pixels"
    if !absent.isEmpty {
      let names = absent.map(escape).joined(separator: ", ")
      caption += absent.count <= 12 ? "<br>absent: " + names
        : "<details><summary>\(absent.count) of \(shares.classNames.count) classes absent</summary>\(names)</details>"
    }
    return caption
  }

  /// Each split's and indicator's count, mean and quantiles, as a table.
  static func quantilesSection(_ data: AuditData) -> String {
    section("quantiles", "Quantiles") {
      let columns = ["p0", "p5", "p25", "p50", "p75", "p95", "p100"]
      return table(
        ["split", "indicator", "n", "mean"] + columns,
        data.distributions.map { item in
          [item.split, item.indicator, "\(item.count)", number(item.mean)] + columns.map { number(item.quantiles[$0] ?? .nan) }
        })
    }
  }

  /// The least and most complex training samples, with a legend of the class colours of their label spaces.
  static func extremesSection(_ data: AuditData, thumbnails: Bool) -> String {
    section("extremes", "Least and most complex training images (by \(data.rankingIndicator))") {
      var spaces: [LabelSpace] = []
      for extreme in data.leastComplex + data.mostComplex {
        if let space = data.space(extreme.labelSpace), !spaces.contains(where: { $0.id == space.id }) { spaces.append(space) }
      }
      let indicator = data.rankingIndicator
      return wholeSplitNote(data) + "<div class=\"extremes\"><div><h3>Least complex</h3>"
        + gallery(data.leastComplex, indicator: indicator, thumbnails: thumbnails)
        + "<h3>Most complex</h3>" + gallery(data.mostComplex, indicator: indicator, thumbnails: thumbnails) + "</div><div>"
        + spaces.map(legend).joined() + "</div></div>"
    }
  }

  /// What each policy of the preview would keep of the training split, and where the default policy cuts.
  static func policyPreviewSection(_ data: AuditData) -> String {
    section("policy-preview", "Policy preview (training split, ranked by \(data.rankingIndicator))") {
      guard !data.policyPreview.isEmpty else { return "<p class=\"muted\">No scored training samples.</p>" }
      return "<p class=\"muted\">What <code>dance slim --policy …</code> would keep; nothing is written.</p>"
        + table(
          ["policy", "samples", "kept", "dropped", "kept by scale", "pixels kept"],
          data.policyPreview.map { preview in
            let scales = preview.byScale.sorted { (Double($0.key) ?? 0) < (Double($1.key) ?? 0) }.map { "\($0.key)×\($0.value)" }
            return [
              preview.policy.text, "\(preview.samples)", "\(preview.kept)", "\(preview.samples - preview.kept)",
              scales.joined(separator: " "), String(format: "%.1f%%", preview.pixelFraction * 100),
            ]
          })
        + cutoffTable(data)
    }
  }

  /// Where the default quantile policy cuts the ranking indicator, as a table.
  static func cutoffTable(_ data: AuditData) -> String {
    guard !data.policyCutoffs.isEmpty else { return "" }
    return "<p>Cut-offs of <code>\(escape(SlimmingPolicy.quantileDefault.description))</code> on \(escape(data.rankingIndicator)):</p>"
      + table(
        ["cut", "quantile", data.rankingIndicator, "samples below it (and above the previous cut)"],
        data.policyCutoffs.map { cutoff in
          [
            cutoff.kind, number(cutoff.quantile), number(cutoff.value),
            cutoff.kind == "drop" ? "dropped" : "kept at scale \(number(cutoff.scale ?? 1))",
          ]
        }) + "<p class=\"muted\">Above the last cut: kept at scale 1.</p>"
  }

  static func section(_ id: String, _ title: String, _ body: () -> String) -> String {
    "<section id=\"\(id)\"><h2>\(escape(title))</h2>\n\(body())\n</section>\n"
  }

  static func splits(_ data: AuditData) -> [String] {
    Array(Set(data.distributions.map(\.split))).sorted { order($0) < order($1) }
  }

  static func order(_ split: String) -> Int { DatasetSplit.allCases.firstIndex { $0.rawValue == split } ?? DatasetSplit.allCases.count }

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

  /// For a training split no larger than the two lists, a sentence saying that they hold all of it.
  static func wholeSplitNote(_ data: AuditData) -> String {
    let ranked = data.distributions.first { $0.split == DatasetSplit.train.rawValue && $0.indicator == data.rankingIndicator }?.count ?? 0
    let shown = data.leastComplex.count + data.mostComplex.count
    guard ranked > 0, shown >= ranked else { return "" }
    return "<p class=\"whole-split\">The training split has only \(ranked) scored samples, so these lists are all of them: the "
      + "\(data.leastComplex.count) least complex, then the \(data.mostComplex.count) most complex (each sample once).</p>"
  }

  static func gallery(_ extremes: [AuditExtreme], indicator: String, thumbnails: Bool) -> String {
    guard !extremes.isEmpty else { return "<p class=\"muted\">No scored training samples.</p>" }
    var body = "<div class=\"gallery\">"
    for extreme in extremes {
      body += "<figure data-key=\"\(escape(extreme.key.rawValue))\"><div class=\"pair\">"
      if thumbnails, let pictures = Thumbnails.make(extreme) {
        body += "<img alt=\"image\" src=\"data:image/png;base64,\(pictures.image)\">"
        if let overlay = pictures.overlay {
          body += "<img alt=\"label overlay\" src=\"data:image/png;base64,\(overlay)\">"
        }
      } else if thumbnails {
        body += "<span class=\"muted\">(files unreadable)</span>"
      }
      body += "</div><figcaption>\(escape(extreme.key.rawValue))<br>\(escape(indicator)) \(number(extreme.value))</figcaption></figure>"
    }
    return body + "</div>"
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
      lines.append(([row.key.rawValue, row.split.rawValue] + indicators.map { row.values[$0].map { String($0) } ?? "" }).joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

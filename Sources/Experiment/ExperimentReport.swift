import Foundation

extension ExperimentSummary {
  /// The table's header and one row per run: means ± standard deviations over seeds.
  public var tableRows: [[String]] {
    var rows = [["run", "seeds", "train TFLOPs", "train s", "infer GFLOPs/img", "params", "mIoU %", "small-class mIoU %", "Δ mIoU"]]
    for run in runs {
      rows.append([
        run.name, String(run.seeds), String(format: "%.2f", run.trainFlops / 1e12), String(format: "%.0f", run.trainSeconds),
        String(format: "%.2f", run.inferenceFlopsPerImage / 1e9), String(format: "%.0f", run.params),
        String(format: "%.1f ± %.1f", run.miou * 100, run.miouStd * 100),
        run.smallClassMiou.map { String(format: "%.1f ± %.1f", $0 * 100, (run.smallClassMiouStd ?? 0) * 100) } ?? "–",
        run.deltaMiou.map { String(format: "%+.1f", $0 * 100) } ?? "–",
      ])
    }
    return rows
  }

  /// `DIR/experiment.html`: the table and, per run, the validation mIoU and training loss by epoch.
  public var html: String {
    let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f", "#bcbd22", "#e377c2"]
    func escaped(_ text: String) -> String {
      text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
    /// One SVG chart of `value` by epoch, a polyline per run (its first seed).
    func chart(_ title: String, _ value: (ExperimentRunResult.Point) -> Double?) -> String {
      let series = runs.map { run in (run.name, (run.perSeed.first?.curve ?? []).compactMap { point in value(point).map { (point.epoch, $0) } }) }
      let values = series.flatMap { $0.1.map(\.1) }
      let lastEpoch = max(1, series.flatMap { $0.1.map(\.0) }.max() ?? 1)
      let low = values.min() ?? 0, high = max((values.max() ?? 1), low + 1e-9)
      let width = 640.0, height = 260.0, margin = 40.0
      var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(escaped(title))\">"
      svg += "<text x=\"\(margin)\" y=\"16\">\(escaped(title)) (\(String(format: "%.3g", low)) … \(String(format: "%.3g", high)); epochs 1 … \(lastEpoch))</text>"
      svg += "<rect x=\"\(margin)\" y=\"24\" width=\"\(width - 2 * margin)\" height=\"\(height - 24 - margin)\" fill=\"none\" stroke=\"#999\"/>"
      for (index, (name, points)) in series.enumerated() where !points.isEmpty {
        let coordinates = points.map { epoch, y in
          let px = margin + (width - 2 * margin) * Double(epoch) / Double(lastEpoch)
          let py = height - margin - (height - 24 - margin) * (y - low) / (high - low)
          return String(format: "%.1f,%.1f", px, py)
        }
        let colour = colours[index % colours.count]
        svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(coordinates.joined(separator: " "))\"/>"
        svg += "<text x=\"\(width - margin + 4)\" y=\"\(36 + 14 * index)\" fill=\"\(colour)\" font-size=\"11\">\(escaped(name))</text>"
      }
      return svg + "</svg>"
    }
    var page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>dance experiment</title>"
    page += "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    page += "td:first-child,th:first-child{text-align:left}svg{display:block;margin:1em 0}</style></head><body>"
    page += "<h1>dance experiment</h1><p>Pixel budget \(budget), \(epochs) epochs; means ± standard deviations over seeds. "
    page += "FLOPs count a multiply-add as 2; training FLOPs sum every step's actual batch shape and network.</p><table>"
    for (index, cells) in tableRows.enumerated() {
      let tag = index == 0 ? "th" : "td"
      page += "<tr>" + cells.map { "<\(tag)>\(escaped($0))</\(tag)>" }.joined() + "</tr>"
    }
    page += "</table><h2>Learning curves (first seed of each run)</h2>"
    page += chart("validation mIoU", { $0.miou }) + chart("training loss", { $0.loss })
    return page + "</body></html>\n"
  }
}

import DanceCore
import Foundation

extension ExperimentSummary {
  /// The table's header and one row per run and input scale: means ± standard deviations over seeds.
  public var tableRows: [[String]] {
    func percent(_ statistic: Statistic?) -> String {
      statistic.map { String(format: "%.1f ± %.1f", $0.mean * 100, $0.std * 100) } ?? "–"
    }
    func delta(_ value: Double?) -> String { value.map { String(format: "%+.1f", $0 * 100) } ?? "–" }
    var table = [["run", "seeds", "train TFLOPs", "train s", "infer GFLOPs/img", "params", "val mIoU %", "test mIoU %",
                 "test small-class mIoU %", "Δ val", "Δ test"]]
    for row in rows {
      table.append([
        row.name, String(row.seeds), String(format: "%.2f", row.trainFlops / 1e12), String(format: "%.0f", row.trainSeconds),
        String(format: "%.2f", row.inferenceFlopsPerImage / 1e9), String(format: "%.0f", row.params), percent(row.valMiou),
        percent(row.testMiou), percent(row.testSmallClassMiou), delta(row.valDelta), delta(row.testDelta),
      ])
    }
    return table
  }

  /// The data variants compared at equal training FLOPs on the frontier.
  static let dataKinds: [ExperimentRunKind] = [.dance, .dataOnly, .uniform, .random, .short]
  /// The network variants compared by inference FLOPs.
  static let networkKinds: [ExperimentRunKind] = [.baseline, .netOnly, .dance]

  /// mIoU against training FLOPs: a line per data variant over the budgets, and the baseline.
  func trainingFrontier(split: DatasetSplit) -> ExperimentChart {
    let metric: (Row) -> Statistic? = split == .test ? \.testMiou : \.valMiou
    var series: [ExperimentChart.Series] = []
    for kind in [ExperimentRunKind.baseline] + Self.dataKinds {
      let points = rows.filter { $0.kind == kind && $0.inputScale == 1 }.compactMap { row in
        metric(row).map { (x: row.trainFlops / 1e12, y: $0.mean * 100) }
      }
      if !points.isEmpty { series.append(.init(name: kind.rawValue, points: points, markersOnly: kind == .baseline)) }
    }
    return ExperimentChart(title: "\(split.rawValue) mIoU against training cost", xLabel: "training TFLOPs", yLabel: "\(split.rawValue) mIoU %",
                           series: series, id: "training-\(split.rawValue)")
  }

  /// mIoU against inference FLOPs per image: each network variant, at every input scale.
  func inferenceFrontier(split: DatasetSplit) -> ExperimentChart {
    let metric: (Row) -> Statistic? = split == .test ? \.testMiou : \.valMiou
    var series: [ExperimentChart.Series] = []
    for kind in Self.networkKinds {
      let budgets = Array(Set(rows.filter { $0.kind == kind }.map { $0.budget ?? -1 })).sorted()
      for budget in budgets {
        let points = rows.filter { $0.kind == kind && ($0.budget ?? -1) == budget }.compactMap { row in
          metric(row).map { (x: row.inferenceFlopsPerImage / 1e9, y: $0.mean * 100) }
        }
        let name = budget < 0 || self.budgets.count == 1 ? kind.rawValue : "\(kind.rawValue) b\(Self.format(budget))"
        if !points.isEmpty { series.append(.init(name: name + (points.count > 1 ? " (input scales)" : ""), points: points)) }
      }
    }
    return ExperimentChart(title: "\(split.rawValue) mIoU against inference cost", xLabel: "inference GFLOPs per image", yLabel: "\(split.rawValue) mIoU %",
                           series: series, id: "inference-\(split.rawValue)")
  }

  /// The baseline's validation mIoU by epoch, one line per seed.
  var convergenceChart: ExperimentChart {
    let series = runs.filter { $0.kind == .baseline }.map { run in
      ExperimentChart.Series(name: "baseline seed \(run.seed)", points: run.curve.compactMap { p in p.miou.map { (Double(p.epoch), $0 * 100) } })
    }
    return ExperimentChart(title: "baseline validation mIoU by epoch", xLabel: "epoch", yLabel: "val mIoU %", series: series, id: "convergence")
  }

  /// `DIR/experiment.html`: the settings, the table, the convergence check, the frontier plots and
  /// the learning curves.
  public var html: String {
    let escaped = ExperimentChart.escaped
    var page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>dance experiment</title>"
    page += "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right;white-space:nowrap}"
    page += "td:first-child,th:first-child{text-align:left}svg{display:block;margin:1em 0}</style></head><body>"
    page += "<h1>dance experiment</h1><p>Pixel budget\(budgets.count > 1 ? "s" : "") "
    page += budgets.map(Self.format).joined(separator: ", ") + ", \(epochs) epochs; means ± standard deviations over seeds. "
    page += "FLOPs count a multiply-add as 2; training FLOPs sum every step's actual batch shape and network. "
    page += "Validation chooses; test reports.</p><ul>" + settings.map { "<li>\(escaped($0))</li>" }.joined() + "</ul><table>"
    for (index, cells) in tableRows.enumerated() {
      let tag = index == 0 ? "th" : "td"
      page += "<tr>" + cells.map { "<\(tag)>\(escaped($0))</\(tag)>" }.joined() + "</tr>"
    }
    page += "</table><section id=\"convergence\"><h2>Convergence</h2><p>"
    page += convergence.map { c in
      String(format: "%d epochs: the last quarter gains %+.2f points (%.1f %% → %.1f %%, means of three evaluations)%@", c.epochs,
             c.gain * 100, c.miouAtThreeQuarters * 100, c.miouAtEnd * 100, c.converged ? ", converged" : ", not converged")
    }.joined(separator: "<br>")
    page += "</p>" + convergenceChart.svg + "</section><section id=\"frontier\"><h2>Cost against accuracy</h2>"
    let splits: [DatasetSplit] = rows.contains { $0.testMiou != nil } ? [.val, .test] : [.val]
    for split in splits { page += trainingFrontier(split: split).svg + inferenceFrontier(split: split).svg }
    page += "</section><section id=\"curves\"><h2>Learning curves (first seed of each run)</h2>"
    var seen = Set<String>()
    let firsts = runs.filter { seen.insert($0.name).inserted }
    let miou = firsts.map { run in ExperimentChart.Series(name: run.name, points: run.curve.compactMap { p in p.miou.map { (Double(p.epoch), $0 * 100) } }) }
    let loss = firsts.map { run in ExperimentChart.Series(name: run.name, points: run.curve.map { (Double($0.epoch), $0.loss) }) }
    page += ExperimentChart(title: "validation mIoU", xLabel: "epoch", yLabel: "val mIoU %", series: miou, id: "curve-miou").svg
    page += ExperimentChart(title: "training loss", xLabel: "epoch", yLabel: "loss", series: loss, id: "curve-loss").svg
    return page + "</section></body></html>\n"
  }
}

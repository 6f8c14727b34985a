import Foundation
import ImageCodecs
import TestSupport
import Testing

/// `dance experiment` end to end on tiny datasets: the runs, their costs, the files, the reruns.
@Suite struct ExperimentCommandTests {
  @Test func quickRunsBaselineAndDanceAndARerunSkipsThem() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/cs"
      #expect(try runDance(["synth", "--format", "cityscapes", "--out", root, "--train", "8", "--val", "2", "--size", "128x64"]).status == 0)
      let arguments = ["experiment", root, "--out", directory + "/exp", "--quick", "--epochs", "3", "--width", "0.25", "--threads", "1"]
      let first = try runDance(arguments)
      try #require(first.status == 0, "\(first.standardError)")
      #expect(first.standardOutput.contains("training dance-seed1"))
      #expect(first.standardOutput.contains("19 classes") && first.standardOutput.contains("no labelled test split"))
      let json = try Data(contentsOf: URL(fileURLWithPath: directory + "/exp/experiment.json"))
      let summary = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
      let rows = try #require(summary["rows"] as? [[String: Any]])
      #expect(rows.map { $0["name"] as? String } == ["baseline", "dance"])
      let baseline = rows[0], dance = rows[1]
      #expect((dance["train_flops"] as? Double ?? .infinity) < (baseline["train_flops"] as? Double ?? 0))
      #expect((dance["inference_flops_per_image"] as? Double ?? .infinity) < (baseline["inference_flops_per_image"] as? Double ?? 0))
      #expect((dance["params"] as? Double ?? .infinity) < (baseline["params"] as? Double ?? 0))
      #expect(baseline["val_delta_miou_fraction"] as? Double == 0 && baseline["test_miou_fraction"] == nil)
      let runs = try #require(summary["runs"] as? [[String: Any]])
      #expect((runs.first?["curve"] as? [[String: Any]])?.count == 3)
      #expect((summary["convergence"] as? [[String: Any]])?.count == 1)
      let html = try String(contentsOfFile: directory + "/exp/experiment.html", encoding: .utf8)
      #expect(html.contains("<polyline") && html.contains("<td>dance</td>"))

      let again = try runDance(arguments + ["--json"])
      #expect(again.status == 0 && !again.standardOutput.contains("training "))
      #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/exp/experiment.json")) == json)
      #expect(try runDance(["experiment", root, "--out", directory + "/x", "--budget", "1.5"]).status == 2)
      // The same directory with other settings is refused, not mixed into the results.
      let changed = try runDance(arguments.map { $0 == "3" ? "4" : $0 })  // --epochs 4
      #expect(changed.status == 2 && changed.standardError.contains("trained with other settings"), "\(changed.standardError)")

      // Finished runs are read back from their results alone: the checkpoints are not needed.
      for run in ["baseline-seed1", "dance-seed1"] {
        for file in try FileManager.default.contentsOfDirectory(atPath: directory + "/exp/" + run) where file.hasSuffix(".safetensors") {
          try FileManager.default.removeItem(atPath: directory + "/exp/" + run + "/" + file)
        }
      }
      let readBack = try runDance(arguments + ["--json"])
      #expect(readBack.status == 0 && !readBack.standardOutput.contains("training "), "\(readBack.standardError)")
      #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/exp/experiment.json")) == json)
    }
  }

  /// CamVid layout with a labelled test split: a two-budget frontier, test evaluations and a
  /// reduced input scale, rendered by headless Chromium when it is installed.
  @Test func aFrontierEvaluatesTestAndDrawsBothPlots() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/cv"
      let synth = try runDance(["synth", "--format", "camvid", "--out", root, "--train", "8", "--val", "2", "--test", "2", "--size", "96x72"])
      try #require(synth.status == 0, "\(synth.standardError)")
      let result = try runDance([
        "experiment", root, "--out", directory + "/exp", "--seeds", "1", "--epochs", "2", "--width", "0.25", "--threads", "1",
        "--budgets", "0.3,0.6", "--runs", "dance,uniform,short", "--input-scales", "0.5", "--crop", "64x48",
      ])
      try #require(result.status == 0, "\(result.standardError)")
      #expect(result.standardOutput.contains("11 classes") && !result.standardOutput.contains("19 classes"))
      let summary = try #require(try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: directory + "/exp/experiment.json"))) as? [String: Any])
      let names = (summary["rows"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
      #expect(names.contains("dance-b0.3") && names.contains("short-b0.6") && names.contains("baseline @ input 0.5"))
      let rows = summary["rows"] as? [[String: Any]] ?? []
      #expect(rows.allSatisfy { $0["test_miou_fraction"] is [String: Any] && $0["val_miou_fraction"] is [String: Any] })
      let page = directory + "/exp/experiment.html"
      guard chromiumPath != nil else { return }
      let (dom, screenshot) = try Chromium.render(page, in: directory, name: "experiment", width: 1000, height: 3200)
      for chart in ["training-val", "inference-val", "training-test", "inference-test"] {
        let svg = try #require(AuditPageTests.elements("svg", in: dom).first { $0.contains("data-chart=\"\(chart)\"") }, "\(chart)")
        #expect(AuditPageTests.texts(ofClass: "tick x", in: svg).count >= 3 && AuditPageTests.texts(ofClass: "tick y", in: svg).count >= 3)
        #expect(AuditPageTests.texts(ofClass: "axis x", in: svg).count == 1 && AuditPageTests.texts(ofClass: "axis y", in: svg).count == 1)
        #expect(svg.components(separatedBy: "class=\"legend\"").count - 1 >= 2, "\(chart) legend")
      }
      try Self.checkLegendIsDrawn(screenshot)
    }
  }

  /// The legends sit right of the plot areas (from x 630 of each 860-wide chart, after the page's
  /// 32-pixel margin): a good number of rows there hold coloured swatches, so the legends are drawn.
  static func checkLegendIsDrawn(_ path: String) throws {
    let decoded = try ImageDecoder().decode(contentsOf: path).image
    guard case .uint8(let image) = decoded else { Issue.record("the screenshot is not 8-bit"); return }
    var legendRows = 0
    for y in 0..<image.height where (650..<900).contains(where: { x in
      let (r, g, b) = (Int(image[x, y, 0]), Int(image[x, y, 1]), Int(image[x, y, 2]))
      return max(r, g, b) - min(r, g, b) > 60
    }) { legendRows += 1 }
    #expect(legendRows >= 20, "rows with coloured legend pixels: \(legendRows)")
  }
}

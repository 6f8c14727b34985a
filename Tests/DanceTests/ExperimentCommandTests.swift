import Foundation
import TestSupport
import Testing

/// `dance experiment --quick` end to end on a tiny dataset: both runs, their costs, the files, the rerun.
@Suite struct ExperimentCommandTests {
  @Test func quickRunsBaselineAndDanceAndARerunSkipsThem() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/cs"
      #expect(try runDance(["synth", "--format", "cityscapes", "--out", root, "--train", "8", "--val", "2", "--size", "128x64"]).status == 0)
      let arguments = ["experiment", root, "--out", directory + "/exp", "--quick", "--epochs", "3", "--width", "0.25", "--threads", "1"]
      let first = try runDance(arguments)
      try #require(first.status == 0, "\(first.standardError)")
      #expect(first.standardOutput.contains("training dance-seed1"))
      let json = try Data(contentsOf: URL(fileURLWithPath: directory + "/exp/experiment.json"))
      let summary = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
      let runs = try #require(summary["runs"] as? [[String: Any]])
      #expect(runs.map { $0["name"] as? String } == ["baseline", "dance"])
      let baseline = runs[0], dance = runs[1]
      #expect((dance["train_flops"] as? Double ?? .infinity) < (baseline["train_flops"] as? Double ?? 0))
      #expect((dance["inference_flops_per_image"] as? Double ?? .infinity) < (baseline["inference_flops_per_image"] as? Double ?? 0))
      #expect((dance["params"] as? Double ?? .infinity) < (baseline["params"] as? Double ?? 0))
      #expect((baseline["per_seed"] as? [[String: Any]])?.first?["curve"] is [[String: Any]])
      #expect(baseline["delta_miou"] as? Double == 0)
      let html = try String(contentsOfFile: directory + "/exp/experiment.html", encoding: .utf8)
      #expect(html.contains("<polyline") && html.contains("<td>dance</td>"))

      let again = try runDance(arguments + ["--json"])
      #expect(again.status == 0 && !again.standardOutput.contains("training "))
      #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/exp/experiment.json")) == json)
      #expect(try runDance(["experiment", root, "--out", directory + "/x", "--budget", "1.5"]).status == 2)
      // The same directory with other settings is refused, not mixed into the results.
      let changed = try runDance(arguments.map { $0 == "3" ? "4" : $0 })  // --epochs 4
      #expect(changed.status == 2 && changed.standardError.contains("trained with other settings"), "\(changed.standardError)")
    }
  }
}

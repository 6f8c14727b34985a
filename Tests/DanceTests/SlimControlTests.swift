import Foundation
import TestSupport
import Testing

/// `dance slim --random-assignment SEED`: the experiment's random control.
@Suite struct SlimControlTests {
  @Test func randomAssignmentKeepsTheScaleHistogramWithoutWeights() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/cs"
      #expect(try runDance(["synth", "--format", "cityscapes", "--out", root, "--train", "12", "--val", "2", "--size", "64x32"]).status == 0)
      func slim(_ name: String, _ extra: [String]) throws -> [String: Any] {
        let run = try runDance(["slim", root, "--out", directory + "/" + name, "--catalog", directory + "/c.sqlite", "--policy", "budget",
                                "--budget", "0.4", "--json"] + extra)
        try #require(run.status == 0, "\(run.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        let splits = try #require(report["splits"] as? [[String: Any]])
        return try #require(splits.first { $0["split"] as? String == "train" })
      }
      let ranked = try slim("ranked", [])
      let random = try slim("random", ["--random-assignment", "7", "--weights", "none"])
      #expect(ranked["by_scale"] as? [String: Int] == random["by_scale"] as? [String: Int])
      #expect(ranked["kept"] as? Int == random["kept"] as? Int)
      #expect(random["weights"] == nil || (random["weights"] as? [String: Double])?["max"] == 1)
      // With --weights linear the control carries the ranked plan's weights, handed out with the decisions.
      let weighted = try slim("weighted", ["--random-assignment", "7", "--weights", "linear"])
      #expect(weighted["by_scale"] as? [String: Int] == ranked["by_scale"] as? [String: Int])
      let rankedWeights = try #require(ranked["weights"] as? [String: Double]), weightedWeights = try #require(weighted["weights"] as? [String: Double])
      #expect(abs((rankedWeights["max"] ?? 0) - (weightedWeights["max"] ?? 1)) < 1e-9 && (weightedWeights["max"] ?? 1) > 1)
    }
  }
}

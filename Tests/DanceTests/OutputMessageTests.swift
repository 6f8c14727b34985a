import Foundation
import TestSupport
import Testing

/// Issue 12, part D: the baselines' default weights.
@Suite struct OutputMessageTests {
  /// Writes a small CamVid dataset and returns its root.
  static func dataset(in directory: String) throws -> String {
    let root = directory + "/camvid"
    let synth = try runDance(["synth", "--format", "camvid", "--out", root, "--train", "4", "--val", "1", "--test", "0", "--size", "64x48"])
    #expect(synth.status == 0, "\(synth.standardError)")
    return root
  }

  /// D7: the baselines fixed and none default to `--weights none`; DANCE's policies to linear.
  @Test func baselinesDefaultToNoWeights() throws {
    let help = try runDance(["slim", "--help"])
    let words = help.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(words.contains("Default: linear with quantile and budget; none with the baselines fixed and none"), "\(words)")
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      func trainWeights(_ options: [String]) throws -> [Double] {
        let run = try runDance(
          ["slim", root, "--out", directory + "/out", "--catalog", directory + "/c.sqlite", "--dry-run", "--json"] + options)
        #expect(run.status == 0, "\(run.standardError)")
        let report = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        let splits = report?["splits"] as? [[String: Any]] ?? []
        return splits.first { $0["split"] as? String == "train" }?["weights"] as? [Double] ?? []
      }
      for baseline in ["fixed", "none"] {
        let weights = try trainWeights(["--policy", baseline])
        #expect(!weights.isEmpty && weights.allSatisfy { $0 == 1 }, "\(baseline): \(weights)")
      }
      #expect(try trainWeights(["--policy", "fixed", "--weights", "linear"]).max() ?? 0 > 1)
      #expect(try trainWeights(["--policy", "quantile"]).max() ?? 0 > 1)
      #expect(try trainWeights(["--policy", "budget"]).max() ?? 0 > 1)
    }
  }
}

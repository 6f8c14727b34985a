import Foundation
import TestSupport
import Testing

/// `dance model summary --matched-to OUT` matches the ASPP head to a slimmed output's mean kept scale.
@Suite struct ModelMatchingCommandTests {
  @Test func theHeadFollowsTheMeanKeptScaleOfTheOutput() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/cs"
      #expect(try runDance(["synth", "--format", "cityscapes", "--out", root, "--train", "8", "--val", "2", "--size", "256x128"]).status == 0)
      // Budget 0.3: most samples are stored well below full size.
      let slim = try runDance(["slim", root, "--out", directory + "/out", "--catalog", directory + "/c.sqlite", "--policy", "budget", "--budget", "0.3"])
      #expect(slim.status == 0, "\(slim.standardError)")
      let run = try runDance(["model", "summary", "--matched-to", directory + "/out", "--json"])
      #expect(run.status == 0, "\(run.standardError)")
      let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
      let matching = try #require(object["matching"] as? [String: Any])
      let meanScale = try #require(matching["mean_scale"] as? Double)
      #expect(meanScale > 0 && meanScale < 1)
      let configuration = try #require(matching["configuration"] as? [String: Any])
      let rates = try #require(configuration["aspp_rates"] as? [Int])
      let expected = [6, 12, 18].map { max(1, Int((Double($0) * meanScale).rounded())) }
      #expect(rates.allSatisfy(expected.contains))
      #expect(rates.count < 3, "the 512x256 crop at scale \(meanScale) cannot fit every branch")
      let summary = try #require(object["summary"] as? [String: Any])
      #expect((summary["model"] as? String)?.contains(rates.map { "r\($0)" }.joined(separator: "+")) == true)

      let table = try runDance(["model", "summary", "--matched-to", directory + "/out"])
      #expect(table.status == 0 && table.standardOutput.hasPrefix("matched to mean kept scale"))
      // dance train --matched-head trains that head, and records it in the report.
      let train = try runDance(["train", directory + "/out", "--out", directory + "/run", "--epochs", "1", "--batch", "4",
                                "--crop", "512x256", "--width", "0.25", "--no-val", "--matched-head"])
      #expect(train.status == 0, "\(train.standardError)")
      #expect(train.standardOutput.contains("matched head: matched to mean kept scale"))
      let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/run/report.json")))
      let model = ((report as? [String: Any])?["configuration"] as? [String: Any])?["model"] as? [String: Any]
      #expect(model?["aspp_rates"] as? [Int] == rates)

      // The classes are the data's: 11 for CamVid, where the default would say 19.
      let camvid = directory + "/cv"
      #expect(try runDance(["synth", "--format", "camvid", "--out", camvid, "--train", "4", "--val", "1", "--size", "96x72"]).status == 0)
      let matchedCamVid = try runDance(["model", "summary", "--matched-to", camvid, "--json"])
      let camvidSummary = try #require(try JSONSerialization.jsonObject(with: Data(matchedCamVid.standardOutput.utf8)) as? [String: Any])
      #expect(((camvidSummary["summary"] as? [String: Any])?["model"] as? String)?.contains("11 classes") == true)

      let refused = try runDance(["model", "summary", "--matched-to", directory + "/missing"])
      #expect(refused.status != 0 && refused.standardError.contains(directory + "/missing"))
    }
  }
}

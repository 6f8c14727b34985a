import Foundation
import TestSupport
import Testing

/// `dance catalog list`, `forget` and `vacuum` as a user runs them.
@Suite struct CatalogHousekeepingCommandTests {
  @Test func listForgetAndVacuum() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/cs", catalog = ["--catalog", directory + "/c.sqlite"]
      #expect(try runDance(["synth", "--format", "cityscapes", "--out", root, "--train", "6", "--val", "2", "--size", "64x32"]).status == 0)
      #expect(try runDance(["slim", root, "--out", directory + "/slim"] + catalog).status == 0)
      #expect(try runDance(["slim", root, "--out", directory + "/dry", "--dry-run"] + catalog).status == 0)

      let list = try runDance(["catalog", "list", "--json"] + catalog)
      #expect(list.status == 0, "\(list.standardError)")
      let summary = try #require(try JSONSerialization.jsonObject(with: Data(list.standardOutput.utf8)) as? [String: Any])
      let datasets = try #require(summary["datasets"] as? [[String: Any]]), outputs = try #require(summary["outputs"] as? [[String: Any]])
      #expect(datasets.first?["name"] as? String == "cs" && (datasets.first?["valid"] as? [String: Int]) == ["train": 6, "val": 2])
      #expect(outputs.map { $0["directory"] as? String } == [directory + "/slim", directory + "/dry"])
      #expect(outputs.first?["shard_samples"] as? Int == 8, "the default policy drops ⌊0.1 × 6⌋ = 0: 6 train + 2 val")
      let text = try runDance(["catalog", "list"] + catalog)
      #expect(text.standardOutput.contains("cityscapes-trainid-19") && text.standardOutput.contains(directory + "/dry (dry run)"))

      let files = try regularFileContents(under: directory + "/slim")
      let forget = try runDance(["catalog", "forget", directory + "/slim"] + catalog)
      #expect(forget.status == 0 && forget.standardOutput.contains("no file was touched"), "\(forget.standardError)")
      #expect(try regularFileContents(under: directory + "/slim") == files, "forget never touches a file")
      #expect(try runDance(["verify", directory + "/slim"]).status == 0)
      let after = try runDance(["catalog", "list", "--json"] + catalog)
      #expect(!after.standardOutput.contains(directory + "/slim\""))
      let again = try runDance(["catalog", "forget", directory + "/slim"] + catalog)
      #expect(again.status == 2 && again.standardError.contains("records no output"))

      let vacuum = try runDance(["catalog", "vacuum"] + catalog)
      #expect(vacuum.status == 0 && vacuum.standardOutput.contains("vacuumed"), "\(vacuum.standardError)")
      let missing = try runDance(["catalog", "list", "--catalog", directory + "/none.sqlite"])
      #expect(missing.status == 2 && !FileManager.default.fileExists(atPath: directory + "/none.sqlite"))
    }
  }
}

import Foundation
import ImageCodecs
import TestSupport
import Testing

/// `dance synth`, `dance scan` and `dance label` end to end through the real executable.
@Suite struct ScanCommandTests {
  @Test func synthThenScanExitsZeroAndRescanSkipsEverything() throws {
    try withTemporaryDirectory { directory in
      let synth = try runDance(["synth", "--format", "camvid", "--out", directory + "/camvid", "--train", "3", "--val", "2", "--test", "1"])
      #expect(synth.status == 0)
      let scan = try runDance(["scan", directory + "/camvid", "--catalog", directory + "/c.sqlite"])
      #expect(scan.status == 0)
      #expect(scan.standardOutput.contains("camvid dataset at"))
      #expect(scan.standardOutput.contains("6 new"))
      let rescan = try runDance(["scan", directory + "/camvid", "--catalog", directory + "/c.sqlite", "--json"])
      let report = try JSONSerialization.jsonObject(with: Data(rescan.standardOutput.utf8)) as? [String: Any]
      #expect(report?["reused"] as? Int == 6)
      #expect(report?["validated"] as? Int == 0)
    }
  }

  @Test func badSamplesExitWithThreeAndAreListed() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "2", "--val", "1", "--test", "1"]).status == 0)
      let annotation = try FileManager.default.contentsOfDirectory(atPath: root + "/trainannot").sorted()[0]
      try writeFile(Array("garbage".utf8), to: root + "/trainannot/" + annotation)
      try writeFile(Array("x".utf8), to: root + "/stray.bin")
      let scan = try runDance(["scan", root, "--catalog", directory + "/c.sqlite"])
      #expect(scan.status == 3)
      #expect(scan.standardOutput.contains("undecodable-label: trainannot/\(annotation)"))
      #expect(scan.standardOutput.contains("stray-file: stray.bin"))
    }
  }

  @Test func aMissingRootIsAUsageError() throws {
    try withTemporaryDirectory { directory in
      let scan = try runDance(["scan", directory + "/none", "--catalog", directory + "/c.sqlite"])
      #expect(scan.status == 2)
      #expect(scan.standardError.contains("the dataset root is not a directory"))
    }
  }

  @Test func labelConvertsOneFileAndAWholeDataset() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/cs"
      #expect(try runDance(["synth", "--format", "cityscapes", "--out", root, "--train", "2", "--val", "1"]).status == 0)
      let all = try runDance(["label", "--all", root])
      #expect(all.status == 0)
      #expect(all.standardOutput.contains("3 train-id label files written"))
      let converted = try FileManager.default.subpathsOfDirectory(atPath: root + "/gtFine").filter { $0.hasSuffix("_labelTrainIds.png") }
      #expect(converted.count == 3)
      let labelIds = root + "/gtFine/" + converted[0].replacingOccurrences(of: "_labelTrainIds", with: "_labelIds")
      let single = try runDance(["label", labelIds, "--format", "cityscapes", "-o", directory + "/one.png"])
      #expect(single.status == 0)
      let one = try Data(contentsOf: URL(fileURLWithPath: directory + "/one.png"))
      let batch = try Data(contentsOf: URL(fileURLWithPath: root + "/gtFine/" + converted[0]))
      #expect(one == batch)
      guard case .uint8(let image) = try ImageDecoder().decode(contentsOf: directory + "/one.png").image else {
        Issue.record("train ids are 8-bit")
        return
      }
      #expect(image.channels == 1 && image.samples.allSatisfy { $0 < 19 || $0 == 255 })
      // A rescan still sees a clean layout: the derived files belong to it.
      #expect(try runDance(["scan", root, "--catalog", directory + "/c.sqlite"]).status == 0)
    }
  }
}

import Foundation
import TestSupport
import Testing

/// A user's own dataset (the generic layout, with index or colour masks) and Pascal VOC 2012
/// through every command: synth, scan, score, audit, slim, both exports, train, eval and predict.
@Suite(.serialized) struct OwnDatasetCommandTests {
  static let tiny = ["--batch", "2", "--crop", "32x32", "--width", "0.25", "--threads", "1", "--loader-threads", "1"]

  @Test(arguments: [["voc"], ["generic"], ["generic", "--masks", "color"]])
  func everyCommandWorksOnTheLayout(synth: [String]) throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/data", catalog = ["--catalog", directory + "/c.sqlite"]
      func dance(_ arguments: [String], status: Int32 = 0) throws -> DanceRun {
        let run = try runDance(arguments)
        #expect(run.status == status, "dance \(arguments.joined(separator: " ")): \(run.standardError)")
        return run
      }
      _ = try dance(["synth", "--format"] + synth + ["--out", root, "--train", "6", "--val", "2", "--size", "64x48", "--seed", "5"])
      let scan = try dance(["scan", root, "--json"] + catalog)
      let report = try #require(try JSONSerialization.jsonObject(with: Data(scan.standardOutput.utf8)) as? [String: Any])
      #expect(report["format"] as? String == synth[0] && (report["problems"] as? [Any])?.isEmpty == true, "\(scan.standardOutput)")
      _ = try dance(["score", root, "--indicators", "all"] + catalog)
      let audit = try dance(["audit", "--json"] + catalog)
      let shares = try #require(try JSONSerialization.jsonObject(with: Data(audit.standardOutput.utf8)) as? [String: Any])
      #expect((shares["class_shares"] as? [Any])?.count == 2, "class shares for train and val")
      _ = try dance(["audit", "--html", directory + "/audit.html"] + catalog)
      #expect(try String(contentsOfFile: directory + "/audit.html", encoding: .utf8).contains("label overlay"))

      _ = try dance(["slim", root, "--out", directory + "/slim"] + catalog)
      _ = try dance(["export", "folder", directory + "/slim", "--to", directory + "/folder"])
      let back = try dance(["scan", directory + "/folder", "--catalog", directory + "/back.sqlite", "--json"])
      let backReport = try JSONSerialization.jsonObject(with: Data(back.standardOutput.utf8)) as? [String: Any]
      #expect(backReport?["format"] as? String == synth[0] && (backReport?["problems"] as? [Any])?.isEmpty == true)
      _ = try dance(["export", "mds", directory + "/slim", "--to", directory + "/mds"])

      _ = try dance(["train", directory + "/slim", "--out", directory + "/run", "--epochs", "1"] + Self.tiny)
      let eval = try dance(["eval", directory + "/run", "--data", root, "--json", "--threads", "1"])
      let result = try #require(try JSONSerialization.jsonObject(with: Data(eval.standardOutput.utf8)) as? [String: Any])
      #expect(result["images"] as? Int == 2)
      let classes = try #require(result["per_class_iou_fraction"] as? [String: Any])
      #expect(synth[0] == "voc" ? classes.keys.contains("person") && classes.count == 21 : classes.keys.contains("traffic sign"))

      let image = synth[0] == "voc" ? "VOCdevkit/VOC2012/JPEGImages/2008_000000.jpg" : "images/val/street_000000.png"
      _ = try dance(["predict", directory + "/run", root + "/" + image, "--out", directory + "/predicted", "--threads", "1"])
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/predicted").contains { $0.hasSuffix("_overlay.png") })
    }
  }

  @Test func aBrokenClassTableStopsTheScanNamingTheFileAndTheLine() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/data"
      #expect(try runDance(["synth", "--format", "generic", "--out", root, "--train", "2", "--val", "0", "--size", "32x32"]).status == 0)
      try Data("classes:\n  - {id: 0, name: road, colour: [1, 2, 3]}\n".utf8).write(to: URL(fileURLWithPath: root + "/classes.yaml"))
      let scan = try runDance(["scan", root, "--catalog", directory + "/c.sqlite"])
      #expect(scan.status == 2, "\(scan.standardError)")  // a configuration error: exit 2 (issue 26)
      #expect(scan.standardError.contains(root + "/classes.yaml: invalid configuration: line 2: unknown key 'colour' in a class"),
              "\(scan.standardError)")
    }
  }
}

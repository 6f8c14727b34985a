import Foundation
import TestSupport
import Testing

/// `dance train --init CKPT` and `dance train --resume RUN --epochs N` as a user runs them.
@Suite(.serialized) struct ContinuedTrainingCommandTests {
  static func synth(_ format: String, to root: String) throws {
    let run = try runDance(["synth", "--format", format, "--out", root, "--train", "6", "--val", "2", "--size", "64x48", "--seed", "3"])
    try #require(run.status == 0, "\(run.standardError)")
  }

  @Test func aFinishedRunIsExtendedAndAnotherDatasetFineTunesFromIt() throws {
    try withTemporaryDirectory { directory in
      let cityscapes = directory + "/cs", camvid = directory + "/camvid", run = directory + "/run"
      try Self.synth("cityscapes", to: cityscapes)
      let tiny = ["--batch", "2", "--crop", "32x32", "--width", "0.25", "--threads", "1"]
      #expect(try runDance(["train", cityscapes, "--out", run, "--epochs", "1"] + tiny).status == 0)

      let refused = try runDance(["train", "--resume", run, "--lr", "0.1"])
      #expect(refused.status == 2 && refused.standardError.contains("only --threads and --epochs (to extend it) may be given"))
      #expect(refused.standardError.contains("(given: lr)"), "\(refused.standardError)")
      let paths = try runDance(["train", "--resume", run, "--batch", "2", "--no-weights", "--val", cityscapes])
      #expect(paths.status == 2 && paths.standardError.contains("(given: batch, weights, \(cityscapes))"), "\(paths.standardError)")
      let fewer = try runDance(["train", "--resume", run, "--epochs", "0"])
      #expect(fewer.status != 0)
      let extended = try runDance(["train", "--resume", run, "--epochs", "2", "--threads", "1"])
      #expect(extended.status == 0, "\(extended.standardError)")
      #expect(extended.standardOutput.contains("extend: 1 → 2 epochs"))
      let report = try #require(try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: run + "/report.json"))) as? [String: Any])
      #expect((report["epochs"] as? [Any])?.count == 2 && (report["extensions"] as? [[String: Any]])?.first?["to_epochs"] as? Int == 2)
      #expect((report["step_learning_rates"] as? [Double])?.count == (report["step_losses"] as? [Double])?.count)

      try Self.synth("camvid", to: camvid)
      let mixed = try runDance(["train", camvid, "--out", directory + "/bad", "--init", run, "--width", "0.5"])
      #expect(mixed.status == 2 && mixed.standardError.contains("--init trains the checkpoint's network"))
      let tuned = try runDance(["train", camvid, "--out", directory + "/tuned", "--init", run, "--epochs", "1",
                                "--batch", "2", "--crop", "32x32", "--threads", "1"])
      #expect(tuned.status == 0, "\(tuned.standardError)")
      #expect(tuned.standardOutput.contains("the classifier is initialised afresh for the data's 11 classes of camvid-segnet-11"))
      // The report records the start in snake_case, and a resume reads it back.
      let tunedReport = try #require(try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: directory + "/tuned/report.json"))) as? [String: Any])
      let initialization = (tunedReport["configuration"] as? [String: Any])?["initialization"] as? [String: Any]
      #expect(initialization?["label_space"] as? String == "cityscapes-trainid-19" && initialization?["fresh_classifier"] as? Bool == true,
              "\(tunedReport["configuration"] ?? "")")
      let resumed = try runDance(["train", "--resume", directory + "/tuned"])
      #expect(resumed.status == 0 && resumed.standardOutput.contains("finished: 1 epoch,"), "\(resumed.standardError)")
      let eval = try runDance(["eval", directory + "/tuned", "--data", camvid, "--json", "--threads", "1"])
      #expect(eval.status == 0 && eval.standardOutput.contains("\"Bicyclist\""), "\(eval.standardError)")
    }
  }
}

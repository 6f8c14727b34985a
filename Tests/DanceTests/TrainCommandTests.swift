import Foundation
import TestSupport
import Testing

/// `dance train`, `dance eval` and `dance predict` as a user runs them.
@Suite(.serialized) struct TrainCommandTests {
  static let tiny = ["--batch", "2", "--crop", "32x16", "--width", "0.25", "--threads", "1", "--lr", "0.02"]

  static func dataset(in directory: String) throws -> String {
    let root = directory + "/data"
    let run = try runDance(["synth", "--format", "cityscapes", "--out", root, "--train", "8", "--val", "2", "--size", "64x32", "--seed", "3"])
    try #require(run.status == 0, "\(run.standardError)")
    return root
  }

  static func report(_ run: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: run + "/report.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  /// The report's step losses as written (Float shortest round-trip text, so equal text is equal bits).
  static func losses(_ run: String) throws -> [Double] { try #require(try report(run)["step_losses"] as? [Double]) }

  /// A run stopped in the middle of an epoch (SIGKILL: from its last saved state; SIGINT: it saves
  /// on the way out and exits with 130) and resumed has the uninterrupted run's per-step losses;
  /// with progressive slimming too, stopped after the network was pruned once and before the second.
  @Test(arguments: [(SIGKILL, false), (SIGINT, false), (SIGKILL, true)])
  func stoppedMidEpochAndResumedEqualsUninterrupted(signal: Int32, slimming: Bool) throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      // Penalties strong enough, and a threshold high enough, that the first pruning removes channels.
      let pruning = ["--prune-at", "1,2", "--prune-threshold", "0.9999", "--scale-l1", "5", "--gate-l1", "5"]
      let common = ["--epochs", "30", "--eval-every", "10", "--checkpoint-every", "1"] + Self.tiny + (slimming ? pruning : [])
      let whole = try runDance(["train", root, "--out", directory + "/whole"] + common)
      try #require(whole.status == 0, "\(whole.standardError)")
      let expected = try Self.losses(directory + "/whole")
      let batches = try #require(try Self.report(directory + "/whole")["epochs"] as? [[String: Any]]).first?["steps"] as? Int ?? 0
      try #require(expected.count == 30 * batches && batches >= 2)

      let process = try startDance(["train", root, "--out", directory + "/parted"] + common)
      var stoppedAt = 0
      while process.isRunning {
        let steps = (try? Self.report(directory + "/parted"))?["steps"] as? Int ?? 0
        if steps >= batches + 1 && steps % batches != 0 {
          kill(process.processIdentifier, signal)
          stoppedAt = steps
          break
        }
        usleep(2000)
      }
      process.waitUntilExit()
      try #require(stoppedAt > 0, "the run finished before it could be stopped")
      if signal == SIGINT {
        #expect(process.terminationStatus == 130)
        #expect(try Self.report(directory + "/parted")["status"] as? String == "interrupted")
      }
      let partial = try Self.losses(directory + "/parted")
      #expect(partial.count < expected.count && partial == Array(expected.prefix(partial.count)))
      let resumed = try runDance(["train", "--resume", directory + "/parted"])
      try #require(resumed.status == 0, "\(resumed.standardError)")
      #expect(try Self.losses(directory + "/parted") == expected)
      #expect(try Self.report(directory + "/parted")["status"] as? String == "finished")
      if slimming {
        let epochs = try #require(try Self.report(directory + "/whole")["epochs"] as? [[String: Any]])
        let first = try #require(epochs[0]["pruning"] as? [String: Any])
        #expect((first["parameters_after"] as? Int ?? .max) < (first["parameters_before"] as? Int ?? 0))
        #expect(epochs[2]["pruning"] == nil)
        let eval = try runDance(["eval", directory + "/parted", "--data", root, "--json"])
        #expect(eval.status == 0, "the pruned checkpoint loads: \(eval.standardError)")
      }
      let a = try Data(contentsOf: URL(fileURLWithPath: directory + "/whole/last.safetensors"))
      let b = try Data(contentsOf: URL(fileURLWithPath: directory + "/parted/last.safetensors"))
      #expect(a == b)
    }
  }

  @Test func evalAndPredictUseTheTrainedNetwork() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let train = try runDance(["train", root, "--out", directory + "/run", "--epochs", "3"] + Self.tiny)
      try #require(train.status == 0, "\(train.standardError)")
      #expect(train.standardOutput.contains("epoch 3/3"))
      #expect(train.standardOutput.contains("val mIoU"))

      let eval = try runDance(["eval", directory + "/run", "--data", root, "--json", "--save-predictions", directory + "/pred"])
      try #require(eval.status == 0, "\(eval.standardError)")
      let result = try #require(try JSONSerialization.jsonObject(with: Data(eval.standardOutput.utf8)) as? [String: Any])
      #expect(result["images"] as? Int == 2)
      #expect((result["inference_flops_per_image"] as? Double ?? 0) > 0)
      #expect((result["per_class_iou_fraction"] as? [String: Any])?.count == 19)
      let miou = try #require(result["miou_fraction"] as? Double)
      let validation = try #require(try Self.report(directory + "/run")["last_validation"] as? [String: Any])
      #expect(validation["miou_fraction"] as? Double == miou)
      #expect(result["pixel_accuracy_fraction"] is Double)
      let predictions = try FileManager.default.subpathsOfDirectory(atPath: directory + "/pred").filter { $0.hasSuffix(".png") }
      #expect(predictions.count == 2)

      let image = root + "/leftImg8bit/val/frankfurt/frankfurt_000000_000019_leftImg8bit.png"
      let images = try FileManager.default.subpathsOfDirectory(atPath: root + "/leftImg8bit/val").filter { $0.hasSuffix(".png") }
      let first = root + "/leftImg8bit/val/" + (images.sorted().first ?? image)
      let predict = try runDance(["predict", directory + "/run/last.safetensors", first, "--out", directory + "/overlays"])
      try #require(predict.status == 0, "\(predict.standardError)")
      let stem = ((first as NSString).lastPathComponent as NSString).deletingPathExtension
      for suffix in ["_trainIds.png", "_color.png", "_overlay.png"] {
        #expect(FileManager.default.fileExists(atPath: directory + "/overlays/" + stem + suffix))
        #expect(predict.standardOutput.contains("  wrote \(directory)/overlays/\(stem)\(suffix)\n"), "every file written is printed")
      }
      #expect(predict.standardOutput.contains("recorded in \(directory)/overlays/.dance-written"))
      let color = try runDance(["inspect", "--json", directory + "/overlays/" + stem + "_color.png"])
      #expect(color.standardOutput.contains("\"width\" : 64"))
      let overlay = try runDance(["inspect", "--json", directory + "/overlays/" + stem + "_overlay.png"])
      #expect(!overlay.standardOutput.contains("\"width\" : 64"), "the legend widens the overlay")
    }
  }

  @Test func usageErrorsExitWithTwo() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      try FileManager.default.createDirectory(atPath: directory + "/busy", withIntermediateDirectories: true)
      try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/busy/notes.txt"))
      let busy = try runDance(["train", root, "--out", directory + "/busy"] + Self.tiny)
      #expect(busy.status == 2)
      #expect(busy.standardError.contains("not empty"))
      #expect(try String(contentsOfFile: directory + "/busy/notes.txt", encoding: .utf8) == "x")
      #expect(try runDance(["train", "--resume", directory + "/busy", "--lr", "0.1"]).status == 2)
      #expect(try runDance(["train", root, "--out", directory + "/r", "--crop", "0x4"]).status == 2)
      #expect(try runDance(["train", root, "--out", directory + "/r", "--batch", "1"]).status == 2)
      let missing = try runDance(["train", directory + "/nowhere", "--out", directory + "/r2"])
      #expect(missing.status == 1)
      #expect(missing.standardError.contains("nowhere"))
    }
  }
}

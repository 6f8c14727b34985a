import DanceCore
import Datasets
import Foundation
import NN
import TestSupport
import Testing
@testable import Trainer

@Suite(.serialized) struct TrainingRunTests {
  @Test func aRunWritesCheckpointsAndAReportAndLearns() throws {
    try withTemporaryDirectory { directory in
      let (output, _) = try Fixtures.slimmed(try Fixtures.dataset(in: directory), in: directory)
      let data = try TrainingData.open(output, split: .train), val = try TrainingData.open(output, split: .val)
      var options = Fixtures.options(epochs: 6)
      options.learningRate = 0.05
      let run = try TrainingRun.start(options: options, data: data, dataSource: DataSource(path: output, split: .train),
                                      validation: val, validationSource: DataSource(path: output, split: .val),
                                      directory: directory + "/run")
      #expect(try run.run() == .finished)
      let files = Set(try FileManager.default.contentsOfDirectory(atPath: directory + "/run"))
      #expect(files.isSuperset(of: ["last.safetensors", "resume.safetensors", "report.json", "checkpoint-epoch-1.safetensors",
                                    "checkpoint-epoch-6.safetensors"]))
      let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/run/report.json"))) as! [String: Any]
      #expect(report["status"] as? String == "finished")
      let losses = try #require(report["step_losses"] as? [Double])
      let flops = try #require(report["step_flops"] as? [Double])
      #expect(losses.count == run.batchesPerEpoch * 6 && flops.count == losses.count)
      #expect(flops.allSatisfy { $0 > 0 })
      // Slimmed batches are smaller crops, so steps differ in cost.
      #expect(Set(flops).count > 1)
      let epochs = try #require(report["epochs"] as? [[String: Any]])
      #expect(epochs.count == 6 && epochs.allSatisfy { $0["miou_fraction"] is Double && $0["samples_per_second"] is Double })
      #expect((report["inference_flops_per_image"] as? Double ?? 0) > 0)
      #expect(report["dataset"] is [String: Any] && report["configuration"] is [String: Any])
      // The mean loss of the last epoch is well below the first.
      let first = run.history.epochs[0].loss, last = run.history.epochs[5].loss
      #expect(last < 0.8 * first, "epoch losses \(run.history.epochs.map(\.loss))")
      // The saved network loads and evaluates to the recorded validation result.
      let model = try TrainedModel.load(directory + "/run")
      let result = try Evaluator.evaluate(model.network, on: val).result
      #expect(result == run.history.validation)
    }
  }

  /// Stopping after a step in the middle of an epoch and resuming gives the uninterrupted run's
  /// per-step losses bit for bit, and the same final weights.
  @Test(arguments: [0, 1])
  func resumeContinuesExactly(stopInEpoch: Int) throws {
    try withTemporaryDirectory { directory in
      let (output, _) = try Fixtures.slimmed(try Fixtures.dataset(in: directory), in: directory)
      let data = try TrainingData.open(output, split: .train)
      let options = Fixtures.options(epochs: 2)
      let source = DataSource(path: output, split: .train)
      let whole = try TrainingRun.start(options: options, data: data, dataSource: source, directory: directory + "/whole")
      #expect(try whole.run() == .finished)
      // Stop after the first step of an epoch: in its middle.
      try #require(whole.batchesPerEpoch >= 2)
      let stopAfter = stopInEpoch * whole.batchesPerEpoch + 1

      let parted = try TrainingRun.start(options: options, data: data, dataSource: source, directory: directory + "/parted")
      var steps = 0
      let outcome = try parted.run(events: { if case .step = $0 { steps += 1 } }, shouldStop: { steps >= stopAfter })
      #expect(outcome == .interrupted)
      #expect(parted.history.stepLosses.count == stopAfter)
      let resumed = try TrainingRun.resume(directory: directory + "/parted")
      #expect(resumed.history.stepLosses.count == stopAfter)
      #expect(try resumed.run() == .finished)
      #expect(resumed.history.stepLosses.map(\.bitPattern) == whole.history.stepLosses.map(\.bitPattern))
      #expect(resumed.model.checkpoint() == whole.model.checkpoint())
    }
  }

  @Test func resumeRefusesChangedData() throws {
    try withTemporaryDirectory { directory in
      let root = try Fixtures.dataset(in: directory, train: 6, val: 2)
      let data = try TrainingData.open(root, split: .train)
      let run = try TrainingRun.start(options: Fixtures.options(epochs: 1), data: data, dataSource: DataSource(path: root, split: .train),
                                      directory: directory + "/run")
      _ = run
      try FileManager.default.removeItem(atPath: root + "/leftImg8bit/train/aachen")
      #expect(throws: TrainerError.self) { try TrainingRun.resume(directory: directory + "/run") }
      // A non-empty run directory is never reused for a new run.
      #expect(throws: TrainerError.self) {
        try TrainingRun.start(options: Fixtures.options(), data: data, dataSource: DataSource(path: root, split: .train),
                              directory: directory + "/run")
      }
    }
  }
}

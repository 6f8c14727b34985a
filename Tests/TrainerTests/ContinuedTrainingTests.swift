import DanceCore
import Datasets
import Foundation
import NN
import Tensors
import TestSupport
import Testing
@testable import Trainer

/// Training that users continue: fine-tuning from a checkpoint (`--init`) and extending a run
/// (`--resume RUN --epochs N`).
@Suite(.serialized) struct ContinuedTrainingTests {
  /// A finished 1-epoch run on `format`'s synthetic data in `directory/name`.
  static func trainedRun(_ format: DatasetFormat, in directory: String, name: String) throws -> (run: TrainingRun, root: String) {
    let root = try Fixtures.dataset(in: directory + "/" + name + "-data", train: 6, val: 2, format: format)
    let data = try TrainingData.open(root, split: .train)
    let run = try TrainingRun.start(
      options: Fixtures.options(epochs: 1), data: data, dataSource: DataSource(path: root, split: .train), directory: directory + "/" + name)
    #expect(try run.run() == .finished)
    return (run, root)
  }

  /// The tensors of a network by name.
  static func tensors(_ model: DeepLab) -> [String: [UInt32]] {
    var result: [String: [UInt32]] = [:]
    for entry in model.state {
      if case .float(let tensor) = entry.get() { result[entry.name] = tensor.storage.map(\.bitPattern) }
    }
    return result
  }

  @Test func aFineTuneStartsFromTheCheckpointsTensorsBitForBit() throws {
    try withTemporaryDirectory { directory in
      let (source, root) = try Self.trainedRun(.cityscapes, in: directory, name: "source")
      let data = try TrainingData.open(root, split: .train)
      let start = try FineTuningStart.read(directory + "/source", for: data.labelSpace, gated: false)
      #expect(!start.record.freshClassifier && start.note.contains("the classifier too"))
      var options = Fixtures.options(epochs: 1)
      options.seed = 99
      let tuned = try TrainingRun.start(
        options: options, data: data, dataSource: DataSource(path: root, split: .train), initialWeights: start,
        directory: directory + "/tuned")
      #expect(Self.tensors(tuned.model) == Self.tensors(source.model))
      #expect(tuned.options.initialization?.sha256.count == 64)
      // The first saved state holds the same tensors: resuming before any step starts from them.
      #expect(Self.tensors(try TrainingRun.resume(directory: directory + "/tuned").model) == Self.tensors(source.model))
      #expect(try tuned.run() == .finished)
    }
  }

  @Test func otherClassesGetAFreshClassifierAndKeepEverythingElse() throws {
    try withTemporaryDirectory { directory in
      let (source, _) = try Self.trainedRun(.cityscapes, in: directory, name: "source")
      let root = try Fixtures.dataset(in: directory + "/camvid", train: 6, val: 2, format: .camvid)
      let data = try TrainingData.open(root, split: .train)
      let start = try FineTuningStart.read(directory + "/source/last.safetensors", for: data.labelSpace, gated: true)
      #expect(start.record.freshClassifier && start.record.labelSpace == "cityscapes-trainid-19")
      #expect(start.note.contains("the classifier is initialised afresh for the data's 11 classes of camvid-segnet-11"))
      var options = Fixtures.options(epochs: 2)
      options.slimming = NetworkSlimming(pruneEpochs: [1])
      let tuned = try TrainingRun.start(
        options: options, data: data, dataSource: DataSource(path: root, split: .train), initialWeights: start,
        directory: directory + "/tuned")
      let before = Self.tensors(source.model), after = Self.tensors(tuned.model)
      #expect(after["classifier.weight"]?.count == 11 * (before["classifier.weight"]?.count ?? 0) / 19)
      #expect(after["aspp.gates"] != nil, "gates of 1 for the slimming the checkpoint was not trained with")
      for (name, values) in before where !name.hasPrefix("classifier.") { #expect(after[name] == values, "\(name)") }
      // The fresh classifier is the one a run from scratch with this seed draws.
      var fresh = Fixtures.options(epochs: 1)
      fresh.model = start.configuration
      let scratch = try TrainingRun.start(
        options: fresh, data: data, dataSource: DataSource(path: root, split: .train), directory: directory + "/scratch")
      #expect(after["classifier.weight"] == Self.tensors(scratch.model)["classifier.weight"])
    }
  }

  /// Extending a 2-epoch run to 3: its first steps stay, the added steps take a 3-epoch run's
  /// learning rates (and data), and extending two copies gives the same bits.
  @Test func anExtendedRunTakesTheLongerRunsScheduleForItsAddedSteps() throws {
    try withTemporaryDirectory { directory in
      let root = try Fixtures.dataset(in: directory, train: 6, val: 2)
      let data = try TrainingData.open(root, split: .train), source = DataSource(path: root, split: .train)
      let short = try TrainingRun.start(options: Fixtures.options(epochs: 2), data: data, dataSource: source, directory: directory + "/a")
      #expect(try short.run() == .finished)
      let long = try TrainingRun.start(options: Fixtures.options(epochs: 3), data: data, dataSource: source, directory: directory + "/long")
      #expect(try long.run() == .finished)
      try FileManager.default.copyItem(atPath: directory + "/a", toPath: directory + "/b")
      #expect(throws: TrainerError.self) { try TrainingRun.resume(directory: directory + "/a", epochs: 1) }

      let extended = try TrainingRun.resume(directory: directory + "/a", epochs: 3)
      #expect(extended.history.extensions == [RunExtension(fromEpochs: 2, toEpochs: 3, step: short.history.stepLosses.count)])
      #expect(try extended.run() == .finished)
      let steps = short.history.stepLosses.count, batches = extended.batchesPerEpoch
      #expect(extended.history.stepLosses.count == 3 * batches && extended.history.epochs.count == 3)
      #expect(Array(extended.history.stepLosses.prefix(steps)) == short.history.stepLosses)
      #expect(Array(extended.history.stepLearningRates.dropFirst(steps)) == Array(long.history.stepLearningRates.dropFirst(steps)))
      #expect(Array(extended.history.stepLearningRates.prefix(steps)) != Array(long.history.stepLearningRates.prefix(steps)))
      let again = try TrainingRun.resume(directory: directory + "/b", epochs: 3)
      #expect(try again.run() == .finished)
      #expect(again.history.stepLosses.map(\.bitPattern) == extended.history.stepLosses.map(\.bitPattern))
      #expect(FileManager.default.fileExists(atPath: directory + "/a/checkpoint-epoch-3.safetensors"))
    }
  }
}

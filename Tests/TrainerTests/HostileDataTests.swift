import DanceCore
import Datasets
import Foundation
import NN
import Shards
import Tensors
import TestSupport
import Testing
@testable import Trainer

/// Training and evaluation on bad data and bad checkpoints (issue 25, B9, B12, C14, C18, D27): a
/// bad sample is left out and the run goes on, a changed shard or an unfinished output is refused
/// before training, a diverging loss stops the run, and unusable checkpoints are refused.
@Suite(.serialized) struct HostileDataTests {
  /// B9: a batch that a bad sample leaves with one sample is skipped (batch norm needs two); the
  /// run finishes with the failure recorded instead of aborting.
  @Test func aBatchLeftWithOneSampleIsSkippedAndTheRunGoesOn() throws {
    try withTemporaryDirectory { directory in
      let root = try Fixtures.dataset(in: directory, train: 2, val: 0)
      let data = try TrainingData.open(root, split: .train)
      guard case .files(let image, _) = data.entries[0].location else { Issue.record("not a dataset root"); return }
      let victim = root + "/" + image
      let bytes = try Data(contentsOf: URL(fileURLWithPath: victim))
      try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: victim))
      let run = try TrainingRun.start(options: Fixtures.options(epochs: 1), data: data, dataSource: DataSource(path: root, split: .train),
                                      directory: directory + "/run")
      #expect(try run.run() == .finished)
      #expect(run.history.failures.map(\.key) == [data.entries[0].key])
      #expect(run.history.stepLosses.isEmpty)
    }
  }

  /// C14: a shard changed after it was written (same size, other bytes) is refused when the data
  /// is opened, before any step, with or without the catalog.
  @Test func aShardThatChangedAfterItWasWrittenIsRefused() throws {
    try withTemporaryDirectory { directory in
      let (output, catalog) = try Fixtures.slimmed(try Fixtures.dataset(in: directory), in: directory)
      let shard = output + "/train/" + (try FileManager.default.contentsOfDirectory(atPath: output + "/train")).first { $0.hasSuffix(".tar") }!
      var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: shard)))
      let json = try #require(bytes.firstRange(of: Array(#""weight": "#.utf8)) ?? bytes.firstRange(of: Array(#""weight":"#.utf8)))
      bytes[json.upperBound] = bytes[json.upperBound] == UInt8(ascii: "9") ? UInt8(ascii: "8") : UInt8(ascii: "9")
      try Data(bytes).write(to: URL(fileURLWithPath: shard))
      for catalogPath in [nil, catalog] {
        #expect {
          try TrainingData.open(output, split: .train, catalogPath: catalogPath)
        } throws: { error in
          guard case TrainerError.invalidData(let path, let reason) = error else { return false }
          return path == shard && reason.contains("SHA-256")
        }
      }
      #expect(throws: Never.self) { try TrainingData.open(output, split: .val) }
    }
  }

  /// D27: an output whose slim run has not finished is refused as such, not as a dataset root.
  @Test func anUnfinishedOutputIsRefusedAsUnfinished() throws {
    try withTemporaryDirectory { directory in
      let (output, _) = try Fixtures.slimmed(try Fixtures.dataset(in: directory), in: directory)
      let manifest = output + "/manifest.json"
      let text = try String(contentsOfFile: manifest, encoding: .utf8)
      try text.replacingOccurrences(of: #""complete" : true"#, with: #""complete" : false"#).write(toFile: manifest, atomically: true, encoding: .utf8)
      for split in DatasetSplit.allCases { try? FileManager.default.removeItem(atPath: output + "/\(split.rawValue)/shardindex.json") }
      #expect {
        try TrainingData.open(output, split: .train)
      } throws: { error in
        (error as? TrainerError)?.reason.contains("has not finished") == true
      }
    }
  }

  /// C18: a loss that is not a finite number stops the run with a clear error; nothing after it is saved.
  @Test func aDivergingRunStopsWithAnError() throws {
    try withTemporaryDirectory { directory in
      let (output, _) = try Fixtures.slimmed(try Fixtures.dataset(in: directory), in: directory)
      var options = Fixtures.options(epochs: 2)
      options.learningRate = 1e30
      let run = try TrainingRun.start(options: options, data: try TrainingData.open(output, split: .train),
                                      dataSource: DataSource(path: output, split: .train), directory: directory + "/run")
      #expect {
        try run.run()
      } throws: { error in
        guard case TrainerError.diverged(_, let reason) = error else { return false }
        return reason.contains("diverged")
      }
      #expect(!FileManager.default.fileExists(atPath: directory + "/run/last.safetensors"))
      #expect(run.history.stepLosses.allSatisfy { $0.isFinite })
    }
  }

  /// A checkpoint with `metadata` on a tiny network, written to `path`; `poison` sets one weight.
  static func checkpoint(at path: String, metadata: [String: String], poison: Float? = nil) throws {
    var generator = SplitMix(seed: 3)
    let model = DeepLab(DeepLabConfiguration(classes: 19, widthMultiplier: 0.125, outputStride: 8, asppRates: [2]), generator: &generator)
    var file = model.checkpoint(metadata: model.configurationMetadata.merging(metadata) { $1 })
    if let poison, var weight = file.entries["classifier.weight"]?.tensor {
      weight.storage[0] = poison
      file.entries["classifier.weight"] = .init(weight)
    }
    try file.write(to: path)
  }

  /// B12 and C18: unusable normalization metadata and non-finite weights are refused (eval and
  /// predict load through `TrainedModel`), never used or replaced by a default.
  @Test(arguments: [
    (#"{"mean":[0.5],"std":[0.2,0.2,0.2]}"#, nil as Float?),
    (#"{"mean":[0.5,0.5,0.5],"std":[0.2]}"#, nil),
    (#"{"mean":[0.5,0.5,0.5],"std":[0.2,0,0.2]}"#, nil),
    (#"{"mean":[0.5,0.5,0.5],"std":[0.2,0.2,0.2]}"#, Float.nan),
    (#"{"mean":[0.5,0.5,0.5],"std":[0.2,0.2,0.2]}"#, Float.infinity),
  ])
  func unusableCheckpointsAreRefused(normalization: String, poison: Float?) throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/bad.safetensors"
      try Self.checkpoint(
        at: path, metadata: [RunFiles.labelSpaceKey: "cityscapes-trainid-19", RunFiles.normalizationKey: normalization], poison: poison)
      #expect {
        try TrainedModel.load(path)
      } throws: { error in
        guard case TrainerError.checkpoint(let errorPath, _) = error else { return false }
        return errorPath == path
      }
    }
    #expect(InputNormalization.problem(mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2]) == nil)
  }

  /// A1, A3, A7: predictions are planned before anything runs: never an input, never two on one
  /// file, never over a file Dance did not write, and an eval's under a fixed suffix inside DIR.
  @Test func predictionFilesAreCheckedBeforeTheNetworkRuns() throws {
    try withTemporaryDirectory { directory in
      try FileManager.default.createDirectory(atPath: directory + "/x", withIntermediateDirectories: true)
      try FileManager.default.createDirectory(atPath: directory + "/y", withIntermediateDirectories: true)
      for path in ["x/k.png", "y/k.png", "a.png", "a_overlay.png"] { try Data([1]).write(to: URL(fileURLWithPath: directory + "/" + path)) }
      let refusals: [[String]] = [["x/k.png", "y/k.png"], ["a.png", "a_overlay.png"]]
      for images in refusals {
        #expect(throws: TrainerError.self, "\(images)") {
          try PredictionFiles.forImages(images.map { directory + "/" + $0 }, in: directory)
        }
      }
      #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/a_overlay.png")) == Data([1]))
      let (_, outputs) = try PredictionFiles.forImages([directory + "/x/k.png"], in: directory + "/out")
      #expect(outputs == [.init(trainIds: "k_trainIds.png", color: "k_color.png", overlay: "k_overlay.png")])
      // A dataset's parent is refused; a key lands under the fixed suffix, inside the directory.
      #expect(throws: TrainerError.self) {
        try PredictionFiles.forSamples(["cv/val/a"], in: directory, inputs: [directory + "/cv"])
      }
      #expect(throws: TrainerError.self) { try PredictionFiles.forSamples(["../escape"], in: directory + "/p", inputs: [directory + "/cv"]) }
      try FileManager.default.createDirectory(atPath: directory + "/p/cv/val", withIntermediateDirectories: true)
      try Data([7]).write(to: URL(fileURLWithPath: directory + "/p/cv/val/a_prediction.png"))
      #expect(throws: TrainerError.self) { try PredictionFiles.forSamples(["cv/val/a"], in: directory + "/p", inputs: [directory + "/cv"]) }
      #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/p/cv/val/a_prediction.png")) == Data([7]))
      #expect(PredictionFiles.prediction(forKey: "cv/val/a") == "cv/val/a_prediction.png")
    }
  }
}

import DanceCore
import Foundation
@testable import Experiment
import Trainer
import Testing

/// Issue 26, D8: `experiment.json` and `experiment-run.json` name each score's unit and use
/// snake_case throughout, and run results written before (camelCase training settings, bare
/// `miou`) are still read back.
@Suite struct RunResultJSONTests {
  /// An `experiment-run.json` as Dance wrote it before issue 26.
  static let legacy = #"""
    {"curve": [{"epoch": 1, "loss": 2.5, "miou": 0.125}], "epochs": 1, "evaluations": [{"images": 2, "inference_flops_per_image": 1000,
     "input_scale": 1, "miou": 0.25, "per_class": {"Sky": 0.5, "Pole": null}, "pixel_accuracy": 0.75, "small_class_miou": 0.125,
     "split": "val"}], "kind": "baseline", "model": "DeepLab(width 0.5)", "name": "baseline", "params": 10, "seed": 1,
     "train_flops": 100, "train_seconds": 2,
     "training": {"batchSize": 8, "checkpointEvery": 0, "crop": {"height": 256, "width": 512}, "epochs": 1, "evaluateEvery": 1,
      "learningRate": 0.01, "loaderThreads": 2, "model": {"asppImagePooling": true, "asppOneByOne": true, "asppRates": [6, 12, 18],
      "classes": 11, "dropout": 0.1, "inputChannels": 3, "outputStride": 16, "widthMultiplier": 0.5}, "momentum": 0.9,
      "normalization": {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}, "poly": 0.9, "prefetch": 4,
      "sampleWeights": true, "seed": 1, "threads": 2, "weightDecay": 0.0001}}
    """#

  @Test func aRunResultWrittenBeforeIsReadBack() throws {
    let result = try TrainerJSON.decoder().decode(ExperimentRunResult.self, from: Data(Self.legacy.utf8))
    #expect(result.curve.first?.miou == 0.125)
    let evaluation = try #require(result.evaluation(.val))
    #expect(evaluation.miou == 0.25 && evaluation.pixelAccuracy == 0.75 && evaluation.smallClassMiou == 0.125)
    #expect(evaluation.perClass["Sky"] == 0.5 && evaluation.perClass.keys.contains("Pole"))
    #expect(result.training.batchSize == 8)
    let training = String(decoding: try JSONEncoder().encode(result.training), as: UTF8.self)
    #expect(training.contains("\"width_multiplier\":0.5") && training.contains("\"classes\":11"), "\(training)")
  }

  @Test func todaysRunResultsAndSummariesNameEveryUnit() throws {
    let result = try TrainerJSON.decoder().decode(ExperimentRunResult.self, from: Data(Self.legacy.utf8))
    let encoded = String(decoding: try JSONEncoder().encode(ExperimentSummary([result], options: ExperimentOptions())), as: UTF8.self)
    for key in ["\"val_miou_fraction\"", "\"miou_fraction\"", "\"per_class_iou_fraction\"", "\"batch_size\"", "\"width_multiplier\""] {
      #expect(encoded.contains(key), "\(key)")
    }
    for key in ["\"miou\"", "\"val_miou\"", "\"per_class\"", "batchSize", "widthMultiplier"] { #expect(!encoded.contains(key), "\(key)") }
    #expect(try TrainerJSON.decoder().decode(ExperimentRunResult.self, from: JSONEncoder().encode(result)) == result)
  }
}

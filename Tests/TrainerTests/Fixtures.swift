import DanceCore
import Datasets
import Foundation
import NN
import Pipeline
import Runner
import Synthetic
import TestSupport
import Trainer

/// Small synthetic datasets and their slimmed outputs for trainer tests.
enum Fixtures {
  /// Writes a tiny Cityscapes-layout dataset (`train` + `val` samples of `size`) and returns its root.
  static func dataset(in directory: String, train: Int = 8, val: Int = 2, size: (Int, Int) = (64, 32),
                      format: DatasetFormat = .cityscapes) throws -> String {
    let root = directory + "/data"
    _ = try SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
      format: format, outputDirectory: root, trainCount: train, valCount: val,
      imageSize: SyntheticDatasetConfiguration.ImageSize(width: size.0, height: size.1), seed: 21)).write()
    return root
  }

  /// Slims `root` with the default quantile policy into `directory/out` (catalog `directory/c.sqlite`).
  static func slimmed(_ root: String, in directory: String, shardSamples: Int = 3) throws -> (output: String, catalog: String) {
    let output = directory + "/out", catalog = directory + "/c.sqlite"
    var options = SlimOptions()
    options.shardSamples = shardSamples
    _ = try PipelineRunner.slim(
      root: root, catalogPath: catalog, outputDirectory: output, options: options, context: StageContext(workers: 2, progress: .silent))
    return (output, catalog)
  }

  /// Tiny, fast training options: width 0.25, crop 32×16, batch 2.
  static func options(epochs: Int = 2, checkpointEvery: Int = 0) -> TrainingOptions {
    var options = TrainingOptions()
    options.epochs = epochs
    options.batchSize = 2
    options.crop = PixelSize(width: 32, height: 16)
    options.model.widthMultiplier = 0.25
    options.learningRate = 0.02
    options.threads = 1
    options.loaderThreads = 2
    options.checkpointEvery = checkpointEvery
    return options
  }
}

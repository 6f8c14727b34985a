import DanceCore
import Datasets
import Foundation
import NN
import Tensors

/// `RUN/report.json`: the configuration, the data, and every cost and score of a run.
public struct TrainingReport: Codable, Sendable, Equatable {
  /// `running`, `interrupted` or `finished`.
  public var status: String
  /// The full configuration.
  public var configuration: TrainingOptions
  /// The training data and where it was read from.
  public var dataset: DataIdentity
  /// The validation data, if any.
  public var validation: DataIdentity?
  /// The label space's class names by train id.
  public var classes: [String]
  /// Epochs finished, steps taken.
  public var epochsFinished: Int
  /// Optimizer steps taken.
  public var steps: Int
  /// Trainable parameters of the network.
  public var parameters: Int
  /// The per-epoch records (loss, throughput, FLOPs, mIoU).
  public var epochs: [EpochRecord]
  /// The loss of every step.
  public var stepLosses: [Float]
  /// The training FLOPs of every step (3 × forward FLOPs of its actual batch shape).
  public var stepFlops: [Double]
  /// The learning rate of every step.
  public var stepLearningRates: [Float] = []
  /// The run's extensions (`--resume RUN --epochs N`), in order.
  public var extensions: [RunExtension] = []
  /// The sum of ``stepFlops``.
  public var trainFlops: Double
  /// Forward FLOPs per validation image at its full resolution (nil without validation).
  public var inferenceFlopsPerImage: Double?
  /// Seconds spent training (all sessions of the run).
  public var trainSeconds: Double
  /// Seconds spent validating.
  public var evaluationSeconds: Double
  /// Training plus validation seconds.
  public var wallSeconds: Double
  /// The last validation result.
  public var lastValidation: EvaluationResult?
  /// Samples that could not be loaded.
  public var failures: [SampleFailure]

  enum CodingKeys: String, CodingKey {
    case status, configuration, dataset, validation, classes, steps, parameters, epochs, failures
    case epochsFinished = "epochs_finished"
    case stepLosses = "step_losses"
    case stepFlops = "step_flops"
    case trainFlops = "train_flops"
    case inferenceFlopsPerImage = "inference_flops_per_image"
    case trainSeconds = "train_seconds"
    case evaluationSeconds = "evaluation_seconds"
    case wallSeconds = "wall_seconds"
    case lastValidation = "last_validation"
    case stepLearningRates = "step_learning_rates"
    case extensions
  }
}

extension TrainingRun {
  /// The report as it stands.
  public func report(status: String) -> TrainingReport {
    TrainingReport(
      status: status, configuration: options, dataset: data.identity, validation: validation?.identity,
      classes: data.labelSpace.classNames, epochsFinished: epoch, steps: step, parameters: model.parameterCount,
      epochs: history.epochs, stepLosses: history.stepLosses, stepFlops: history.stepFlops,
      stepLearningRates: history.stepLearningRates, extensions: history.extensions, trainFlops: history.trainFlops,
      inferenceFlopsPerImage: history.validation?.inferenceFlopsPerImage, trainSeconds: history.trainSeconds,
      evaluationSeconds: history.evaluationSeconds, wallSeconds: history.trainSeconds + history.evaluationSeconds,
      lastValidation: history.validation, failures: history.failures)
  }

  /// Writes `report.json` (snake_case keys).
  func writeReport(status: String) throws(TrainerError) {
    let path = directory + "/" + RunFiles.report
    do {
      let data = try TrainerJSON.encoder(pretty: true).encode(report(status: status))
      try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw .io(path: path, reason: "cannot write the report: \((error as NSError).localizedDescription)")
    }
  }

  /// Writes `resume.safetensors`: the network, the momentum buffers and the cursor.
  func saveState() throws(TrainerError) {
    let state = ResumeState(
      options: options, data: dataSource, dataIdentity: data.identity, validation: validationSource,
      validationIdentity: validation?.identity, epoch: epoch, batch: batch, step: step, history: history)
    var file = model.trainedCheckpoint(labelSpace: data.labelSpace, normalization: options.normalization,
                                       extra: [RunFiles.stateKey: TrainerJSON.string(state)])
    for (index, buffer) in optimizer.momentumBuffers.enumerated() where !buffer.isEmpty {
      file.entries[RunFiles.optimizerPrefix + String(index)] = SafetensorsFile.Entry(Tensor(shape: [buffer.count], storage: buffer))
    }
    try write(file, to: RunFiles.resume)
  }

  /// Reopens the run in `directory` where its resumable state left it.
  ///
  /// The data is opened again from the recorded paths and must be the same (equal digests).
  /// - Parameters:
  ///   - threads: overrides the recorded engine thread count (bit-exact continuation needs the
  ///     same count).
  ///   - epochs: extends the run, finished or not, to this many epochs in total (``RunExtension``);
  ///     nil or the recorded count continues it as it was.
  /// - Throws: ``TrainerError/checkpoint(path:reason:)`` when the state is missing or unreadable,
  ///   ``TrainerError/invalidData(path:reason:)`` when the data changed, and
  ///   ``TrainerError/invalidConfiguration(path:reason:)`` for fewer epochs than recorded.
  public static func resume(directory: String, threads: Int? = nil, epochs: Int? = nil) throws(TrainerError) -> TrainingRun {
    let path = directory + "/" + RunFiles.resume
    guard FileManager.default.fileExists(atPath: path) else {
      throw .checkpoint(path: path, reason: "no resumable state: \(directory) is not a dance train run directory")
    }
    let file: SafetensorsFile
    do throws(CheckpointError) { file = try SafetensorsFile.read(from: path) } catch {
      throw .checkpoint(path: path, reason: error.description)
    }
    guard let json = file.metadata[RunFiles.stateKey] else {
      throw .checkpoint(path: path, reason: "no \(RunFiles.stateKey) metadata")
    }
    var state: ResumeState
    do { state = try TrainerJSON.decoder().decode(ResumeState.self, from: Data(json.utf8)) } catch {
      throw .checkpoint(path: path, reason: "unreadable \(RunFiles.stateKey) metadata: \(error)")
    }
    guard state.version == 1 else { throw .checkpoint(path: path, reason: "resume state version \(state.version), this dance reads 1") }
    if let threads { state.options.threads = threads }
    if let epochs, epochs != state.options.epochs {
      guard epochs > state.options.epochs else {
        throw .invalidConfiguration(
          path: directory, reason: "--epochs \(epochs) is fewer than the run's \(state.options.epochs); a resume can only extend a run")
      }
      state.history.extensions.append(RunExtension(fromEpochs: state.options.epochs, toEpochs: epochs, step: state.step))
      state.options.epochs = epochs
    }
    let data = try reopen(state.data, expected: state.dataIdentity)
    let validation = try state.validation.map { (source) throws(TrainerError) in
      try reopen(source, expected: state.validationIdentity)
    }
    var generator = SplitMix(seed: 0)
    let model = DeepLab(state.options.model, generator: &generator)
    var weights = file
    weights.entries = file.entries.filter { !$0.key.hasPrefix(RunFiles.optimizerPrefix) }
    do throws(CheckpointError) { try model.load(weights, path: path) } catch {
      throw .checkpoint(path: path, reason: error.description)
    }
    let run = TrainingRun(directory: directory, options: state.options, data: data, dataSource: state.data, validation: validation,
                          validationSource: state.validation, model: model, history: state.history, epoch: state.epoch,
                          batch: state.batch, step: state.step)
    var buffers = [[Float]](repeating: [], count: run.optimizer.parameters.count)
    for (name, entry) in file.entries where name.hasPrefix(RunFiles.optimizerPrefix) {
      guard let index = Int(name.dropFirst(RunFiles.optimizerPrefix.count)), buffers.indices.contains(index),
            let tensor = entry.tensor, tensor.count == run.optimizer.parameters[index].count else {
        throw .checkpoint(path: path, reason: "\(name) does not fit the network's parameters")
      }
      buffers[index] = tensor.storage
    }
    run.optimizer.momentumBuffers = buffers
    return run
  }

  private static func reopen(_ source: DataSource, expected: DataIdentity?) throws(TrainerError) -> TrainingData {
    let data = try TrainingData.open(source.path, split: source.split, catalogPath: source.catalog)
    if let expected, expected.digest != data.identity.digest {
      throw .invalidData(path: source.path, reason: "the \(source.split) data changed since the run started (\(expected.samples) samples then, \(data.identity.samples) now); start a new run")
    }
    return data
  }
}

public import DanceCore
public import NN

/// Everything that determines a training run's result; recorded in its report and resume state.
public struct TrainingOptions: Codable, Sendable, Equatable {
  /// Passes over the training split.
  public var epochs = 10
  /// Samples per batch (N).
  public var batchSize = 8
  /// The base crop in pixels; a sample stored at scale s is cropped at `round(s × crop)`.
  public var crop = PixelSize(width: 512, height: 256)
  /// The SGD learning rate at step 0; it decays with DeepLab's poly schedule to 0 at the last step.
  public var learningRate = 0.01
  /// The exponent of the poly schedule.
  public var poly = 0.9
  /// SGD momentum.
  public var momentum = 0.9
  /// L2 weight decay (not applied to batch-norm parameters and biases).
  public var weightDecay = 1e-4
  /// Whether each sample's loss is multiplied by its DANCE weight.
  public var sampleWeights = true
  /// The network; `classes` is set from the data's label space.
  public var model = DeepLabConfiguration(widthMultiplier: 0.5)
  /// Seeds the weights, the data order, the crops, the flips and dropout.
  public var seed: UInt64 = 0
  /// Threads of the compute engine (OpenBLAS and the batch-parallel loops).
  public var threads = 2
  /// Background threads decoding batches.
  public var loaderThreads = 2
  /// Batches decoded ahead of the training step.
  public var prefetch = 4
  /// Save a resumable state every this many steps (0: only at the end of each epoch).
  public var checkpointEvery = 0
  /// Evaluate on the validation data every this many epochs (and always after the last).
  public var evaluateEvery = 1
  /// Input normalization.
  public var normalization = InputNormalization.imagenet
  /// Progressive network slimming, or nil (the network keeps its size).
  public var slimming: NetworkSlimming?
  /// The checkpoint the weights start from (`--init`), or nil (drawn from the seed).
  public var initialization: InitialWeights?

  /// The defaults above.
  public init() {}

  enum CodingKeys: String, CodingKey {
    case epochs, crop, poly, momentum, model, seed, threads, prefetch, normalization, slimming
    case batchSize = "batch_size"
    case learningRate = "learning_rate"
    case weightDecay = "weight_decay"
    case sampleWeights = "sample_weights"
    case loaderThreads = "loader_threads"
    case checkpointEvery = "checkpoint_every"
    case evaluateEvery = "evaluate_every"
    case initialization
  }

  /// The first problem with the options, or nil: a value outside its ``TrainingSettings`` range,
  /// an unusable network, or slimming that does not fit the epochs. The one check of a training
  /// run's settings; the command line and ``TrainingRun/start(options:data:dataSource:validation:validationSource:initialWeights:directory:)`` run it.
  public var problem: SettingProblem? {
    let whole: [(NumericSetting, Int)] = [
      (TrainingSettings.epochs, epochs), (TrainingSettings.batch, batchSize), (TrainingSettings.threads, threads),
      (TrainingSettings.loaderThreads, loaderThreads), (TrainingSettings.prefetch, prefetch),
      (TrainingSettings.checkpointEvery, checkpointEvery), (TrainingSettings.evaluateEvery, evaluateEvery),
    ]
    let numbers: [(NumericSetting, Double)] = [
      (TrainingSettings.learningRate, learningRate), (TrainingSettings.momentum, momentum), (TrainingSettings.weightDecay, weightDecay),
    ]
    if let problem = whole.lazy.compactMap({ SettingProblem.check($0, $1) }).first { return problem }
    if let problem = numbers.lazy.compactMap({ SettingProblem.check($0, $1) }).first { return problem }
    if let problem = model.problem { return .other(reason: problem) }
    return slimming?.problem(epochs: epochs)
  }
}

/// One finished (or interrupted) epoch of a run.
public struct EpochRecord: Codable, Sendable, Equatable {
  /// The epoch, 1-based.
  public var epoch: Int
  /// Steps taken in this epoch.
  public var steps: Int
  /// Samples trained on in this epoch.
  public var samples: Int
  /// The mean training loss over its steps.
  public var loss: Double
  /// Training samples per second (decoding overlapped; validation not counted).
  public var samplesPerSecond: Double
  /// Training seconds of the epoch.
  public var seconds: Double
  /// Training FLOPs of the epoch (forward and backward of every step).
  public var trainFlops: Double
  /// Validation mIoU (a fraction), when evaluated after this epoch.
  public var miou: Double?
  /// Validation pixel accuracy (a fraction), when evaluated.
  public var pixelAccuracy: Double?
  /// What progressive slimming removed after this epoch, if it pruned then.
  public var pruning: PruningRecord?

  enum CodingKeys: String, CodingKey {
    case epoch, steps, samples, loss, seconds, pruning
    case samplesPerSecond = "samples_per_second"
    case trainFlops = "train_flops"
    case miou = "miou_fraction"
    case pixelAccuracy = "pixel_accuracy_fraction"
  }
}

/// Everything a run has done so far: what the report shows and what a resume continues from.
public struct TrainingHistory: Codable, Sendable, Equatable {
  /// The loss of every step, in order.
  public var stepLosses: [Float] = []
  /// The training FLOPs of every step, counted from its actual batch shape: 3 × the forward FLOPs
  /// (the backward pass costs about twice the forward).
  public var stepFlops: [Double] = []
  /// One record per epoch begun.
  public var epochs: [EpochRecord] = []
  /// Training seconds, summed over every session of the run.
  public var trainSeconds = 0.0
  /// Validation seconds, summed.
  public var evaluationSeconds = 0.0
  /// Samples that could not be loaded (each at most once).
  public var failures: [SampleFailure] = []
  /// The last validation result.
  public var validation: EvaluationResult?
  /// The learning rate of every step, in order.
  public var stepLearningRates: [Float] = []
  /// Every extension of the run (`--resume RUN --epochs N`), in order.
  public var extensions: [RunExtension] = []

  /// Total training FLOPs.
  public var trainFlops: Double { stepFlops.reduce(0, +) }

  /// An empty history.
  public init() {}

  enum CodingKeys: String, CodingKey {
    case epochs, failures, validation, extensions
    case stepLosses = "step_losses"
    case stepFlops = "step_flops"
    case trainSeconds = "train_seconds"
    case evaluationSeconds = "evaluation_seconds"
    case stepLearningRates = "step_learning_rates"
  }

  /// Decodes a history; the learning rates and extensions are absent from runs of older versions.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    stepLosses = try container.decode([Float].self, forKey: .stepLosses)
    stepFlops = try container.decode([Double].self, forKey: .stepFlops)
    epochs = try container.decode([EpochRecord].self, forKey: .epochs)
    trainSeconds = try container.decode(Double.self, forKey: .trainSeconds)
    evaluationSeconds = try container.decode(Double.self, forKey: .evaluationSeconds)
    failures = try container.decode([SampleFailure].self, forKey: .failures)
    validation = try container.decodeIfPresent(EvaluationResult.self, forKey: .validation)
    stepLearningRates = try container.decodeIfPresent([Float].self, forKey: .stepLearningRates) ?? []
    extensions = try container.decodeIfPresent([RunExtension].self, forKey: .extensions) ?? []
  }
}

/// One extension of a run by `dance train --resume RUN --epochs N`.
///
/// The added epochs see the data (order, crops, flips, dropout) of an N-epoch run and each of
/// their steps takes the learning rate it has in an N-epoch run; the steps before ``step``
/// followed the shorter schedule.
public struct RunExtension: Codable, Sendable, Equatable {
  /// The epochs the run had.
  public var fromEpochs: Int
  /// The epochs it has since.
  public var toEpochs: Int
  /// Optimizer steps taken when it was extended.
  public var step: Int

  enum CodingKeys: String, CodingKey {
    case step
    case fromEpochs = "from_epochs"
    case toEpochs = "to_epochs"
  }
}

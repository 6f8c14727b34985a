public import DanceCore
import Datasets
import NN
public import Trainer

/// One evaluation of a finished run's network: a split at an input scale.
public struct RunEvaluation: Codable, Sendable, Equatable {
  /// `val` or `test`.
  public var split: DatasetSplit
  /// The input scale the network saw (1: full resolution); scored at full label resolution.
  public var inputScale: Double
  /// mIoU, and the mean IoU over the small classes it scored (fractions).
  public var miou: Double, smallClassMiou: Double?
  /// Correct pixels over non-ignored pixels.
  public var pixelAccuracy: Double
  /// Forward FLOPs per image at that input scale.
  public var inferenceFlopsPerImage: Double
  /// Images evaluated.
  public var images: Int
  /// IoU per class name (null: the class is in neither ground truth nor predictions).
  public var perClass: [String: Double?]

  enum CodingKeys: String, CodingKey {
    case split, images
    case miou = "miou_fraction"
    case inputScale = "input_scale"
    case smallClassMiou = "small_class_miou_fraction"
    case pixelAccuracy = "pixel_accuracy_fraction"
    case inferenceFlopsPerImage = "inference_flops_per_image"
    case perClass = "per_class_iou_fraction"
  }

  /// The evaluation of `result` on `split` at `inputScale`.
  public init(split: DatasetSplit, inputScale: Double, result: EvaluationResult) {
    self.split = split
    self.inputScale = inputScale
    miou = result.miou
    smallClassMiou = Self.smallClassMiou(result.perClass)
    pixelAccuracy = result.pixelAccuracy
    inferenceFlopsPerImage = result.inferenceFlopsPerImage
    images = result.images
    perClass = result.perClass
  }

  /// The mean IoU over the small classes (``LabelSpace/smallClassNames``) that have one.
  static func smallClassMiou(_ perClass: [String: Double?]) -> Double? {
    let small = LabelSpace.smallClassNames.sorted().compactMap { perClass[$0] ?? nil }
    return small.isEmpty ? nil : small.reduce(0, +) / Double(small.count)
  }
}

/// What one training run (one seed) of the experiment reached: `RUN/experiment-run.json`, which a
/// later experiment reads back instead of training again (the checkpoints need not be kept).
public struct ExperimentRunResult: Codable, Sendable, Equatable {
  /// One point of the learning curve.
  public struct Point: Codable, Sendable, Equatable {
    /// The epoch, 1-based.
    public var epoch: Int
    /// The epoch's mean training loss.
    public var loss: Double
    /// Validation mIoU after it (a fraction), when evaluated.
    public var miou: Double?

    enum CodingKeys: String, CodingKey {
      case epoch, loss
      case miou = "miou_fraction"
    }
  }

  /// The run's name, kind and seed.
  public var name: String, kind: ExperimentRunKind, seed: Int
  /// The pixel budget of its data or network matching (nil for the baseline).
  public var budget: Double?
  /// Epochs trained.
  public var epochs: Int
  /// Training FLOPs summed over every step (each from its actual batch shape and network).
  public var trainFlops: Double
  /// Training seconds.
  public var trainSeconds: Double
  /// Parameters of the final network.
  public var params: Int
  /// The final network.
  public var model: String
  /// Loss and validation mIoU per epoch.
  public var curve: [Point]
  /// The final network's evaluations: validation at full resolution first, then the test split and
  /// the reduced input scales.
  public var evaluations: [RunEvaluation]
  /// The training settings (what a rerun must match).
  public var training: TrainingOptions

  enum CodingKeys: String, CodingKey {
    case name, kind, seed, budget, epochs, params, model, curve, evaluations, training
    case trainFlops = "train_flops"
    case trainSeconds = "train_seconds"
  }

  /// The result of `run` from its training report, with its validation at full resolution.
  public init(_ run: ExperimentRun, report: TrainingReport) {
    name = run.name
    kind = run.kind
    seed = run.seed
    budget = run.budget
    epochs = report.epochsFinished
    trainFlops = report.trainFlops
    trainSeconds = report.trainSeconds
    params = report.parameters
    model = report.configuration.model.description
    curve = report.epochs.map { Point(epoch: $0.epoch, loss: $0.loss, miou: $0.miou) }
    evaluations = report.lastValidation.map { [RunEvaluation(split: .val, inputScale: 1, result: $0)] } ?? []
    training = report.configuration
  }

  /// The evaluation of `split` at `inputScale`, if made.
  public func evaluation(_ split: DatasetSplit, inputScale: Double = 1) -> RunEvaluation? {
    evaluations.first { $0.split == split && abs($0.inputScale - inputScale) < 1e-9 }
  }

  /// Validation mIoU of the final network at full resolution.
  public var valMiou: Double { evaluation(.val)?.miou ?? 0 }
}

/// Whether the baseline has converged: the validation mIoU it gains over the last quarter of its
/// epochs, from its learning curve.
public struct Convergence: Codable, Sendable, Equatable {
  /// The epochs of the run.
  public var epochs: Int
  /// Mean validation mIoU of the (up to) three evaluations nearest to 75 % of the epochs.
  public var miouAtThreeQuarters: Double
  /// Mean validation mIoU of the last (up to) three evaluations.
  public var miouAtEnd: Double
  /// `miouAtEnd − miouAtThreeQuarters`.
  public var gain: Double
  /// Whether ``gain`` is below half a point (0.005).
  public var converged: Bool

  enum CodingKeys: String, CodingKey {
    case epochs, converged
    case gain = "gain_fraction"
    case miouAtThreeQuarters = "miou_at_three_quarters_fraction"
    case miouAtEnd = "miou_at_end_fraction"
  }

  /// From a learning curve; nil with fewer than two evaluated epochs. Means of three evaluations
  /// smooth the epoch-to-epoch noise of a small validation split.
  public init?(curve: [ExperimentRunResult.Point], epochs: Int) {
    let evaluated = curve.compactMap { point in point.miou.map { (epoch: point.epoch, miou: $0) } }
    guard evaluated.count >= 2 else { return nil }
    let target = 0.75 * Double(epochs)
    let nearest = evaluated.sorted { (abs(Double($0.epoch) - target), $0.epoch) < (abs(Double($1.epoch) - target), $1.epoch) }.prefix(3)
    let last = evaluated.suffix(3)
    self.epochs = epochs
    miouAtThreeQuarters = nearest.map(\.miou).reduce(0, +) / Double(nearest.count)
    miouAtEnd = last.map(\.miou).reduce(0, +) / Double(last.count)
    gain = miouAtEnd - miouAtThreeQuarters
    converged = gain < 0.005
  }
}

import Datasets
import NN
public import Trainer

/// What one training run (one seed) of the experiment reached.
public struct ExperimentRunResult: Codable, Sendable, Equatable {
  /// One point of the learning curve.
  public struct Point: Codable, Sendable, Equatable {
    /// The epoch, 1-based.
    public var epoch: Int
    /// The epoch's mean training loss.
    public var loss: Double
    /// Validation mIoU after it, when evaluated.
    public var miou: Double?
  }

  /// The run's name and seed.
  public var name: String, seed: Int
  /// Epochs trained.
  public var epochs: Int
  /// Training FLOPs summed over every step (each from its actual batch shape and network).
  public var trainFlops: Double
  /// Training seconds.
  public var trainSeconds: Double
  /// Forward FLOPs per validation image at full resolution, with the final network.
  public var inferenceFlopsPerImage: Double
  /// Parameters of the final network.
  public var params: Int
  /// Final validation mIoU and the mean IoU over the small classes it scored.
  public var miou: Double, smallClassMiou: Double?
  /// The final network.
  public var model: String
  /// Loss and mIoU per epoch.
  public var curve: [Point]

  enum CodingKeys: String, CodingKey {
    case name, seed, epochs, params, miou, model, curve
    case trainFlops = "train_flops"
    case trainSeconds = "train_seconds"
    case inferenceFlopsPerImage = "inference_flops_per_image"
    case smallClassMiou = "small_class_miou"
  }

  /// The result of `run` from its training report.
  public init(_ run: ExperimentRun, report: TrainingReport) {
    name = run.name
    seed = run.seed
    epochs = report.epochsFinished
    trainFlops = report.trainFlops
    trainSeconds = report.trainSeconds
    inferenceFlopsPerImage = report.inferenceFlopsPerImage ?? 0
    params = report.parameters
    miou = report.lastValidation?.miou ?? 0
    // The small classes (LabelSpace.smallClassNames) the validation scored.
    let small = LabelSpace.smallClassNames.sorted().compactMap { report.lastValidation?.perClass[$0] ?? nil }
    smallClassMiou = small.isEmpty ? nil : small.reduce(0, +) / Double(small.count)
    model = report.configuration.model.description
    curve = report.epochs.map { Point(epoch: $0.epoch, loss: $0.loss, miou: $0.miou) }
  }
}

/// Every run of an experiment summarised over its seeds: `DIR/experiment.json`.
public struct ExperimentSummary: Codable, Sendable, Equatable {
  /// One run over its seeds: means, standard deviations (over seeds, n − 1) and Δ against baseline.
  public struct Run: Codable, Sendable, Equatable {
    public var name: String
    public var seeds: Int
    public var trainFlops: Double, trainSeconds: Double, inferenceFlopsPerImage: Double, params: Double
    public var miou: Double, miouStd: Double
    public var smallClassMiou: Double?, smallClassMiouStd: Double?
    /// Mean mIoU minus baseline's, in mIoU units (nil without a baseline).
    public var deltaMiou: Double?
    public var perSeed: [ExperimentRunResult]

    enum CodingKeys: String, CodingKey {
      case name, seeds, params, miou
      case trainFlops = "train_flops"
      case trainSeconds = "train_seconds"
      case inferenceFlopsPerImage = "inference_flops_per_image"
      case miouStd = "miou_std"
      case smallClassMiou = "small_class_miou"
      case smallClassMiouStd = "small_class_miou_std"
      case deltaMiou = "delta_miou"
      case perSeed = "per_seed"
    }
  }

  /// The settings, as text.
  public var budget: Double, epochs: Int
  /// Every run, in training order.
  public var runs: [Run]

  /// Groups `results` by run name.
  public init(_ results: [ExperimentRunResult], options: ExperimentOptions) {
    budget = options.budget
    epochs = options.epochs
    var names: [String] = []
    for result in results where !names.contains(result.name) { names.append(result.name) }
    let baseline = results.filter { $0.name == "baseline" }.map(\.miou)
    runs = names.map { name in
      let group = results.filter { $0.name == name }
      let small = group.compactMap(\.smallClassMiou)
      let miou = Self.mean(group.map(\.miou))
      return Run(
        name: name, seeds: group.count, trainFlops: Self.mean(group.map(\.trainFlops)), trainSeconds: Self.mean(group.map(\.trainSeconds)),
        inferenceFlopsPerImage: Self.mean(group.map(\.inferenceFlopsPerImage)), params: Self.mean(group.map { Double($0.params) }),
        miou: miou, miouStd: Self.standardDeviation(group.map(\.miou)),
        smallClassMiou: small.count == group.count ? Self.mean(small) : nil,
        smallClassMiouStd: small.count == group.count ? Self.standardDeviation(small) : nil,
        deltaMiou: baseline.isEmpty ? nil : miou - Self.mean(baseline), perSeed: group)
    }
  }

  static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

  /// The sample standard deviation (0 for one value).
  static func standardDeviation(_ values: [Double]) -> Double {
    guard values.count > 1 else { return 0 }
    let m = mean(values)
    return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
  }
}

import DanceCore
import Foundation
import NN
import Pipeline
import Slimming
import Trainer

/// Every run of an experiment summarised over its seeds: `DIR/experiment.json`.
public struct ExperimentSummary: Codable, Sendable, Equatable {
  /// A mean and a standard deviation over seeds (sample standard deviation, n − 1; 0 for one seed).
  public struct Statistic: Codable, Sendable, Equatable {
    /// The mean.
    public var mean: Double
    /// The standard deviation over seeds.
    public var std: Double

    /// Over `values` (nil when empty).
    init?(_ values: [Double]) {
      guard !values.isEmpty else { return nil }
      mean = ExperimentSummary.mean(values)
      std = ExperimentSummary.standardDeviation(values)
    }
  }

  /// One row: a run over its seeds, at one input scale.
  public struct Row: Codable, Sendable, Equatable {
    /// The run's name, with ` @ input 0.85` for a reduced input scale.
    public var name: String
    /// The run's name without the input scale.
    public var run: String
    /// What kind of run it is.
    public var kind: ExperimentRunKind
    /// The budget of its data or network matching (nil for the baseline).
    public var budget: Double?
    /// The input scale of its evaluations.
    public var inputScale: Double
    /// Seeds summarised.
    public var seeds: Int
    /// Mean training FLOPs, seconds and parameters.
    public var trainFlops: Double, trainSeconds: Double, params: Double
    /// Mean forward FLOPs per validation image at this input scale.
    public var inferenceFlopsPerImage: Double
    /// Validation and test mIoU (fractions), and their small-class means; nil when not evaluated.
    public var valMiou: Statistic?, testMiou: Statistic?, valSmallClassMiou: Statistic?, testSmallClassMiou: Statistic?
    /// Mean mIoU minus the baseline's at full resolution, on val and on test.
    public var valDelta: Double?, testDelta: Double?

    enum CodingKeys: String, CodingKey {
      case name, run, kind, budget, seeds, params
      case inputScale = "input_scale"
      case trainFlops = "train_flops"
      case trainSeconds = "train_seconds"
      case inferenceFlopsPerImage = "inference_flops_per_image"
      case valMiou = "val_miou_fraction"
      case testMiou = "test_miou_fraction"
      case valSmallClassMiou = "val_small_class_miou_fraction"
      case testSmallClassMiou = "test_small_class_miou_fraction"
      case valDelta = "val_delta_miou_fraction"
      case testDelta = "test_delta_miou_fraction"
    }
  }

  /// The pixel budgets and the epochs of the runs (``ExperimentOptions``).
  public var budgets: [Double], epochs: Int
  /// The settings that define DANCE's data and network, as text (`indicator si-mean`, …).
  public var settings: [String]
  /// Whether the baseline converged, per seed.
  public var convergence: [Convergence]
  /// One row per run and input scale, in training order.
  public var rows: [Row]
  /// Every run of every seed.
  public var runs: [ExperimentRunResult]

  /// Groups `results` by run name, and each run's evaluations by input scale.
  public init(_ results: [ExperimentRunResult], options: ExperimentOptions) {
    budgets = options.budgets
    epochs = options.epochs
    settings = options.settingsText
    runs = results
    convergence = results.filter { $0.kind == .baseline }.compactMap { Convergence(curve: $0.curve, epochs: $0.epochs) }
    var names: [String] = []
    for result in results where !names.contains(result.name) { names.append(result.name) }
    let baseline = results.filter { $0.kind == .baseline }
    let baselineVal = baseline.compactMap { $0.evaluation(.val)?.miou }, baselineTest = baseline.compactMap { $0.evaluation(.test)?.miou }
    rows = names.flatMap { name -> [Row] in
      let group = results.filter { $0.name == name }
      let scales = Set(group.flatMap { $0.evaluations.map(\.inputScale) }).sorted(by: >)
      return scales.map { scale in
        let val = group.compactMap { $0.evaluation(.val, inputScale: scale) }, test = group.compactMap { $0.evaluation(.test, inputScale: scale) }
        let valMiou = Statistic(val.map(\.miou)), testMiou = Statistic(test.map(\.miou))
        return Row(
          name: scale < 1 ? "\(name) @ input \(Self.format(scale))" : name, run: name, kind: group[0].kind, budget: group[0].budget,
          inputScale: scale, seeds: group.count, trainFlops: Self.mean(group.map(\.trainFlops)),
          trainSeconds: Self.mean(group.map(\.trainSeconds)), params: Self.mean(group.map { Double($0.params) }),
          inferenceFlopsPerImage: Self.mean((val.isEmpty ? test : val).map(\.inferenceFlopsPerImage)),
          valMiou: valMiou, testMiou: testMiou,
          valSmallClassMiou: val.count == group.count ? Statistic(val.compactMap(\.smallClassMiou)) : nil,
          testSmallClassMiou: test.count == group.count ? Statistic(test.compactMap(\.smallClassMiou)) : nil,
          valDelta: baselineVal.isEmpty ? nil : valMiou.map { $0.mean - Self.mean(baselineVal) },
          testDelta: baselineTest.isEmpty ? nil : testMiou.map { $0.mean - Self.mean(baselineTest) })
      }
    }
  }

  /// A number without trailing zeros (`0.85`, `1`).
  static func format(_ value: Double) -> String {
    var text = String(format: "%.4f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }

  static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

  /// The sample standard deviation (0 for one value).
  static func standardDeviation(_ values: [Double]) -> Double {
    guard values.count > 1 else { return 0 }
    let m = mean(values)
    return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
  }
}

extension ExperimentOptions {
  /// The settings of DANCE's data and network, one phrase each, for the report.
  var settingsText: [String] {
    let scales = (budgetScales ?? SlimmingPolicy.defaultBudgetScales).map(ExperimentSummary.format).joined(separator: ",")
    var weighting = "weights \(weights.rawValue)"
    if weights == .linear {
      let range = weightRange ?? WeightScheme.standardRange
      weighting += " \(ExperimentSummary.format(range.lowerBound))…\(ExperimentSummary.format(range.upperBound))"
    }
    let epochs = pruneEpochs.map(String.init).joined(separator: ",")
    let pruning = pruneAt.isEmpty ? "matched head only (no pruning)"
      : "prune fraction \(ExperimentSummary.format(pruneFraction)) after epochs \(epochs)"
    let network = "width \(ExperimentSummary.format(training.model.widthMultiplier)), crop \(training.crop), "
      + "batch \(training.batchSize), lr \(ExperimentSummary.format(training.learningRate))"
    return [
      "indicator \(indicator.rawValue), \(rankOrder.rawValue)", "ranked within \(rankGroups.rawValue)", "scales \(scales)",
      budgetMayDrop ? "may drop" : "downsample only", weighting, pruning, network,
    ]
  }
}

import Complexity
public import DanceCore
import NN
public import Trainer

/// The settings of `dance experiment`.
public struct ExperimentOptions: Sendable, Equatable {
  /// The pixel budget of the slimmed data (fraction of the training pixels kept), in (0, 1).
  public var budget = 0.5
  /// Training epochs of every run except `short`.
  public var epochs = 30
  /// Seeds per run (the ablation uses one).
  public var seeds = 3
  /// Only `baseline` and `dance`, one seed, no ablation.
  public var quick = false
  /// Training settings shared by every run (model width, batch, crop, learning rate, threads…).
  public var training = TrainingOptions()
  /// At each pruning of a slimmed network, the fraction of each head and decoder unit's channels
  /// removed (smallest batch-norm scale first; ``NetworkSlimming/pruneFraction``).
  public var pruneFraction = 0.3
  /// The indicators of the ablation, each ranking the same budget.
  public var ablation: [Indicator] = [.siMean, .si, .edgeDensity, .jpegBitsPerPixel, .fidelity50]

  /// The defaults: budget 0.5, 30 epochs, 3 seeds, every run.
  public init() {}

  /// A problem with the options, or nil.
  public var problem: String? {
    if !(budget > 0 && budget < 1) { return "--budget must be in (0, 1), got \(budget)" }
    if epochs < 2 { return "--epochs must be at least 2 (slimming prunes after the first), got \(epochs)" }
    if seeds < 1 { return "--seeds must be at least 1, got \(seeds)" }
    if !(pruneFraction >= 0 && pruneFraction < 1) { return "--prune-fraction must be in [0, 1), got \(pruneFraction)" }
    return training.problem
  }
}

/// Which training data a run reads.
public enum ExperimentData: String, Codable, Sendable, CaseIterable {
  /// The dataset itself, every sample at full size with weight 1.
  case full
  /// The budget policy ranked by si-mean, with DANCE's loss weights.
  case dance
  /// The same pixel budget by downsampling every sample by √budget, no weights.
  case uniform
  /// The budget plan's decisions handed out in a seeded random order, no weights.
  case random
}

/// One training run of the experiment (one seed).
public struct ExperimentRun: Sendable, Equatable {
  /// The run's name, e.g. `dance` or `ablation-edge-density`.
  public var name: String
  /// Its training data.
  public var data: ExperimentData
  /// The ranking indicator of `dance` data (the ablation varies it).
  public var indicator: Indicator = .siMean
  /// Whether the network is matched to the slimmed data and progressively slimmed.
  public var slimmedNetwork: Bool
  /// Whether the loss weights of the data are used.
  public var weights: Bool
  /// The seed.
  public var seed: Int
  /// Epochs; nil for `short`, whose epochs follow from dance's training FLOPs.
  public var epochs: Int?

  /// The run directory's name, `<name>-seed<k>`.
  public var directoryName: String { "\(name)-seed\(seed)" }
}

extension ExperimentOptions {
  /// Every run, in the order they are trained: per seed baseline and dance first (`short` needs both).
  public var runs: [ExperimentRun] {
    let seedCount = quick ? 1 : seeds
    var runs: [ExperimentRun] = []
    for seed in 1...seedCount {
      runs.append(ExperimentRun(name: "baseline", data: .full, slimmedNetwork: false, weights: false, seed: seed, epochs: epochs))
      runs.append(ExperimentRun(name: "dance", data: .dance, slimmedNetwork: true, weights: true, seed: seed, epochs: epochs))
      guard !quick else { continue }
      runs.append(ExperimentRun(name: "data-only", data: .dance, slimmedNetwork: false, weights: true, seed: seed, epochs: epochs))
      runs.append(ExperimentRun(name: "net-only", data: .full, slimmedNetwork: true, weights: false, seed: seed, epochs: epochs))
      runs.append(ExperimentRun(name: "uniform", data: .uniform, slimmedNetwork: false, weights: false, seed: seed, epochs: epochs))
      runs.append(ExperimentRun(name: "random", data: .random, slimmedNetwork: false, weights: false, seed: seed, epochs: epochs))
      runs.append(ExperimentRun(name: "short", data: .full, slimmedNetwork: false, weights: false, seed: seed, epochs: nil))
    }
    if !quick {
      // The indicator ablation: the dance data (and weights) ranked by each indicator, the full network, one seed.
      for indicator in ablation {
        runs.append(ExperimentRun(name: "ablation-" + indicator.rawValue, data: .dance, indicator: indicator, slimmedNetwork: false,
                                  weights: true, seed: 1, epochs: epochs))
      }
    }
    return runs
  }

  /// The epochs after which a slimmed network is pruned: at 40 % and 70 % of training.
  public var pruneEpochs: [Int] {
    Array(Set([max(1, Int((Double(epochs) * 0.4).rounded())), max(1, Int((Double(epochs) * 0.7).rounded()))])).sorted()
  }
}

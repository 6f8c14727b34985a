public import DanceCore
public import Pipeline
public import Slimming
public import Trainer

/// The numeric settings of `dance experiment` beyond the training ones (``TrainingSettings``) and the
/// pixel budget (``SlimmingPolicy/pixelBudget``), each defined once; the defaults are
/// ``ExperimentOptions``'s initial values.
public enum ExperimentSettings {
  /// `--epochs`: at least 2, since slimming prunes after the first.
  public static let epochs = NumericSetting(name: "epochs", bounds: .wholeNumber(2...Int.max), unit: "epochs")
  /// `--seeds`: seeds per run.
  public static let seeds = NumericSetting(name: "seeds", bounds: .wholeNumber(1...Int.max), unit: "seeds")
  /// `--prune-at`: each a fraction of the epochs.
  public static let pruneAt = NumericSetting(name: "prune-at", bounds: .number(lower: 0, includesLower: false, upper: 1, includesUpper: false))
  /// `--input-scales`: each a reduced input scale.
  public static let inputScales = NumericSetting(
    name: "input-scales", bounds: .number(lower: 0, includesLower: false, upper: 1, includesUpper: false))
}

/// The settings of `dance experiment`, each with its default here and its check in ``problem``;
/// the command line maps its flags onto these fields and prints these defaults in its help.
public struct ExperimentOptions: Sendable, Equatable {
  /// Training epochs of every run with `--quick` when none are given.
  public static let quickEpochs = 12

  /// The pixel budgets of the slimmed data (fractions of the training pixels kept), each allowed by
  /// ``SlimmingPolicy/pixelBudget``; more than one gives the frontier, and runs at each budget are
  /// named `<run>-b<budget>`.
  public var budgets = [SlimmingPolicy.defaultPixelBudget]
  /// Training epochs of every run except `short`.
  public var epochs = 30
  /// Seeds per run (the ablation uses one).
  public var seeds = 3
  /// Only `baseline` and `dance`, one seed, no ablation.
  public var quick = false
  /// The kinds of run to train (`nil`: every kind); `short` brings `baseline` and `dance` with it,
  /// whose FLOPs it needs.
  public var kinds: Set<ExperimentRunKind>?
  /// Training settings shared by every run (model width, batch, crop, learning rate, threads…).
  public var training = TrainingOptions()
  /// Evaluate every run on the validation split every this many epochs (`nil`: a twentieth of the
  /// epochs); the baseline is evaluated after every epoch, for its learning curve.
  public var evaluateEvery: Int?
  /// The indicator that ranks DANCE's data.
  public var indicator: Indicator = .siMean
  /// Which samples a rank compares: the split, or each sequence or city.
  public var rankGroups = RankGroups.split
  /// Which end of the ranking keeps its size: complex-first (DANCE) or simple-first.
  public var rankOrder = RankOrder.complexFirst
  /// The scales the budget policy may choose (`nil`: 0.25, 0.5, 0.75, 1).
  public var budgetScales: [Double]?
  /// Whether the budget policy may drop samples.
  public var budgetMayDrop = true
  /// The loss weights of every slimmed variant (dance, data-only, uniform, random, the ablation),
  /// so that the controls differ from DANCE's data in one thing only: ranked weights for the
  /// ranked variants, the same weights handed out at random for `random`.
  public var weights = WeightsName.linear
  /// The range of linear weights before renormalisation (`nil`: 0.5 … 1.5).
  public var weightRange: ClosedRange<Double>?
  /// At each pruning of a slimmed network, the fraction of each head and decoder unit's channels
  /// removed (smallest batch-norm scale first; ``NetworkSlimming/pruneFraction``).
  public var pruneFraction = 0.3
  /// When a slimmed network is pruned, as fractions of the epochs (`[]`: never; the matched head
  /// alone).
  public var pruneAt = [0.4, 0.7]
  /// Input scales below 1 at which every finished run is also evaluated (``InputScaling``).
  public var inputScales: [Double] = []
  /// Evaluate every finished run on the dataset's test split, when it has a labelled one.
  public var evaluateTest = true
  /// The indicators of the ablation, each ranking the first budget (the one equal to
  /// ``indicator`` is `data-only` itself and is not trained twice).
  public var ablation: [Indicator] = [.siMean, .si, .edgeDensity, .jpegBitsPerPixel, .fidelity50]

  /// The defaults: budget 0.5, 30 epochs, 3 seeds, every run.
  public init() {}

  /// The first problem with the options, or nil: the one check of an experiment's settings,
  /// which the command line runs when it makes them (exit 2 before any run).
  public var problem: SettingProblem? {
    if budgets.isEmpty { return .invalid(setting: "budgets", reason: "must list at least one budget") }
    if let problem = budgets.lazy.compactMap({ SettingProblem.check(SlimmingPolicy.pixelBudget, $0) }).first { return problem }
    if Set(budgets).count != budgets.count { return .invalid(setting: "budgets", reason: "lists a budget twice") }
    let checks: [SettingProblem?] = [
      SettingProblem.check(ExperimentSettings.epochs, epochs), SettingProblem.check(ExperimentSettings.seeds, seeds),
      evaluateEvery.flatMap { SettingProblem.check(TrainingSettings.evaluateEvery, $0) },
      SettingProblem.check(TrainingSettings.pruneFraction, pruneFraction),
    ] + pruneAt.map { SettingProblem.check(ExperimentSettings.pruneAt, $0) }
      + inputScales.map { SettingProblem.check(ExperimentSettings.inputScales, $0) }
    if let problem = checks.lazy.compactMap({ $0 }).first { return problem }
    return slimOptions(for: .dance, budget: budgets[0], seed: 1).problem ?? training.problem
  }

  /// The epochs after which a slimmed network is pruned: ``pruneAt`` of ``epochs``, each from 1 to
  /// `epochs − 1`.
  public var pruneEpochs: [Int] { Self.pruneEpochs(pruneAt, epochs: epochs) }

  static func pruneEpochs(_ fractions: [Double], epochs: Int) -> [Int] {
    Array(Set(fractions.map { min(epochs - 1, max(1, Int((Double(epochs) * $0).rounded()))) })).sorted()
  }

  /// The validation interval of `run`.
  func evaluationInterval(for run: ExperimentRun, epochs: Int) -> Int {
    run.kind == .baseline ? 1 : (evaluateEvery ?? max(1, epochs / 20))
  }

  /// The slim settings of a data variant: the budget policy ranked by ``indicator`` (or the
  /// ablation's), with ``weights``; `uniform` keeps every sample at √budget with the same weights;
  /// `random` hands the budget plan's decisions (and weights) out in a seeded random order.
  public func slimOptions(for data: ExperimentData, indicator: Indicator? = nil, budget: Double, seed: Int) -> SlimOptions {
    var slim = SlimOptions()
    slim.policy = .budget
    slim.budget = budget
    slim.indicator = indicator ?? self.indicator
    slim.weights = weights
    slim.weightRange = weights == .linear ? weightRange : nil
    slim.rankGroups = rankGroups
    slim.rankOrder = rankOrder
    slim.budgetScales = budgetScales
    slim.budgetMayDrop = budgetMayDrop
    switch data {
    case .full, .dance: break
    case .uniform:
      slim.policy = .fixed
      slim.budget = nil
      slim.scale = budget.squareRoot()
      slim.budgetScales = nil
      slim.budgetMayDrop = true
    case .random:
      slim.randomAssignment = UInt64(seed)
    }
    return slim
  }
}

/// Which training data a run reads.
public enum ExperimentData: String, Codable, Sendable, CaseIterable {
  /// The dataset itself, every sample at full size with weight 1.
  case full
  /// The budget policy's decisions by the ranking indicator.
  case dance
  /// The same pixel budget by downsampling every sample by √budget.
  case uniform
  /// The budget plan's decisions handed out in a seeded random order.
  case random
}

/// The kinds of run an experiment trains.
public enum ExperimentRunKind: String, Codable, Sendable, CaseIterable {
  /// Full data, full network.
  case baseline
  /// DANCE's data, the network matched to it and progressively slimmed.
  case dance
  /// DANCE's data, the full network.
  case dataOnly = "data-only"
  /// Full data, the network treatment of `dance`.
  case netOnly = "net-only"
  /// Every sample at √budget, the full network.
  case uniform
  /// DANCE's scales in random order, the full network.
  case random
  /// Full data and network for the epochs that cost dance's training FLOPs, the schedule compressed.
  case short
  /// DANCE's data ranked by each indicator of the ablation, the full network, one seed.
  case ablation
}

/// One training run of the experiment (one seed).
public struct ExperimentRun: Sendable, Equatable {
  /// What kind of run it is.
  public var kind: ExperimentRunKind
  /// The run's name, e.g. `dance`, `dance-b0.3` or `ablation-edge-density`.
  public var name: String
  /// Its training data.
  public var data: ExperimentData
  /// The indicator that ranks its data.
  public var indicator: Indicator
  /// The pixel budget its data (or its network's matching) follows; nil for the baseline.
  public var budget: Double?
  /// Whether the network is matched to the slimmed data and progressively slimmed.
  public var slimmedNetwork: Bool
  /// The seed.
  public var seed: Int
  /// Epochs; nil for `short`, whose epochs follow from dance's training FLOPs.
  public var epochs: Int?

  /// The run directory's name, `<name>-seed<k>`.
  public var directoryName: String { "\(name)-seed\(seed)" }
}

extension ExperimentOptions {
  /// The kinds trained: all, or the chosen ones with what `short` needs.
  var trainedKinds: Set<ExperimentRunKind> {
    if quick { return [.baseline, .dance] }
    var kinds = self.kinds ?? Set(ExperimentRunKind.allCases)
    if kinds.contains(.short) { kinds.formUnion([.baseline, .dance]) }
    return kinds
  }

  /// A run's name at `budget`: plain with one budget, `<kind>-b<budget>` on a frontier.
  func name(_ kind: String, budget: Double) -> String {
    budgets.count > 1 ? "\(kind)-b\(NumericSetting.format(budget))" : kind
  }

  /// Every run, in the order they are trained: per seed the baseline, then per budget dance first
  /// (`short` needs both), then the ablation with one seed at the first budget.
  public var runs: [ExperimentRun] {
    let kinds = trainedKinds
    let seedCount = quick ? 1 : seeds
    var runs: [ExperimentRun] = []
    func add(_ kind: ExperimentRunKind, _ data: ExperimentData, budget: Double?, slimmed: Bool, seed: Int, indicator: Indicator? = nil) {
      guard kinds.contains(kind) else { return }
      let name: String
      if kind == .ablation, let indicator { name = "ablation-" + indicator.rawValue } else {
        name = budget.map { self.name(kind.rawValue, budget: $0) } ?? kind.rawValue
      }
      runs.append(ExperimentRun(kind: kind, name: name, data: data, indicator: indicator ?? self.indicator, budget: budget,
                                slimmedNetwork: slimmed, seed: seed, epochs: kind == .short ? nil : epochs))
    }
    for seed in 1...seedCount {
      add(.baseline, .full, budget: nil, slimmed: false, seed: seed)
      for budget in budgets {
        add(.dance, .dance, budget: budget, slimmed: true, seed: seed)
        add(.dataOnly, .dance, budget: budget, slimmed: false, seed: seed)
        add(.netOnly, .full, budget: budget, slimmed: true, seed: seed)
        add(.uniform, .uniform, budget: budget, slimmed: false, seed: seed)
        add(.random, .random, budget: budget, slimmed: false, seed: seed)
        add(.short, .full, budget: budget, slimmed: false, seed: seed)
      }
    }
    for indicator in ablation where indicator != self.indicator {
      add(.ablation, .dance, budget: budgets[0], slimmed: false, seed: 1, indicator: indicator)
    }
    return runs
  }
}

import DanceCore
import NN
@testable import Experiment
import Pipeline
import Slimming
import Testing
import Trainer

/// The runs an experiment trains and the data each reads, without training.
@Suite struct ExperimentPlanTests {
  @Test func oneBudgetGivesEveryRunPerSeedAndTheAblationOnce() {
    var options = ExperimentOptions()
    options.seeds = 2
    let runs = options.runs
    let perSeed = ["baseline", "dance", "data-only", "net-only", "uniform", "random", "short"]
    #expect(runs.filter { $0.seed == 2 }.map(\.name) == perSeed)
    // si-mean ranks dance's data, so its ablation run would be data-only again.
    #expect(runs.filter { $0.kind == .ablation }.map(\.name) == ["ablation-si", "ablation-edge-density", "ablation-jpeg-bpp", "ablation-fidelity@0.5"])
    #expect(runs.filter { $0.kind == .ablation }.allSatisfy { $0.seed == 1 && $0.budget == 0.5 && !$0.slimmedNetwork })
    #expect(runs.first { $0.kind == .short }?.epochs == nil)
    #expect(runs.first { $0.kind == .baseline }?.budget == nil)
  }

  @Test func aFrontierNamesEachRunByItsBudget() {
    var options = ExperimentOptions()
    options.seeds = 1
    options.budgets = [0.3, 0.5, 0.7]
    options.kinds = [.dance, .uniform]
    let names = options.runs.map(\.name)
    #expect(names == ["dance-b0.3", "uniform-b0.3", "dance-b0.5", "uniform-b0.5", "dance-b0.7", "uniform-b0.7"])
    #expect(options.runs.map(\.budget) == [0.3, 0.3, 0.5, 0.5, 0.7, 0.7])
  }

  @Test func shortBringsTheRunsWhoseFLOPsItMatches() {
    var options = ExperimentOptions()
    options.seeds = 1
    options.kinds = [.short]
    #expect(options.runs.map(\.kind) == [.baseline, .dance, .short])
    options.quick = true
    options.kinds = nil
    #expect(options.runs.map(\.kind) == [.baseline, .dance])
  }

  @Test func everySlimmedVariantCarriesTheSameWeightsAndDiffersInOneThing() {
    var options = ExperimentOptions()
    options.weightRange = 0.25...1.75
    options.budgetScales = [0.5, 0.75]
    options.rankGroups = .sequence
    let dance = options.slimOptions(for: .dance, budget: 0.5, seed: 1)
    let random = options.slimOptions(for: .random, budget: 0.5, seed: 2)
    let uniform = options.slimOptions(for: .uniform, budget: 0.25, seed: 1)
    #expect(dance.weightScheme == .linear(minimum: 0.25, maximum: 1.75))
    #expect(random.weightScheme == dance.weightScheme && uniform.weightScheme == dance.weightScheme)
    #expect(random.resolvedPolicy == dance.resolvedPolicy && random.randomAssignment == 2 && dance.randomAssignment == nil)
    #expect(dance.resolvedPolicy == .budget(pixelBudget: 0.5, scales: [0.5, 0.75]))
    #expect(uniform.resolvedPolicy == .fixed(scale: 0.5))
    #expect([dance, random, uniform].allSatisfy { $0.problem == nil })
    options.weights = WeightsName.none
    #expect(options.slimOptions(for: .random, budget: 0.5, seed: 2).weightScheme == .none)
  }

  @Test(arguments: [([0.4, 0.7], 30, [12, 21]), ([0.2, 0.4], 10, [2, 4]), ([], 30, []), ([0.99], 10, [9]), ([0.01], 10, [1])])
  func pruningFollowsTheFractionsOfTheEpochs(fractions: [Double], epochs: Int, expected: [Int]) {
    #expect(ExperimentOptions.pruneEpochs(fractions, epochs: epochs) == expected)
  }

  /// Each setting's problem names it, with the range of its one definition.
  static let problems: [(change: @Sendable (inout ExperimentOptions) -> Void, expected: SettingProblem)] = [
    ({ $0.budgets = [0.5, 0.5] }, .invalid(setting: "budgets", reason: "lists a budget twice")),
    ({ $0.budgets = [] }, .invalid(setting: "budgets", reason: "must list at least one budget")),
    ({ $0.budgets = [1.5] }, .outOfRange(SlimmingPolicy.pixelBudget, given: "1.5")),
    ({ $0.budgets = [0] }, .outOfRange(Settings.budget, given: "0")),
    ({ $0.epochs = 1 }, .outOfRange(ExperimentSettings.epochs, given: "1")),
    ({ $0.seeds = 0 }, .outOfRange(ExperimentSettings.seeds, given: "0")),
    ({ $0.evaluateEvery = 0 }, .outOfRange(TrainingSettings.evaluateEvery, given: "0")),
    ({ $0.pruneFraction = 1 }, .outOfRange(TrainingSettings.pruneFraction, given: "1")),
    ({ $0.pruneAt = [1.2] }, .outOfRange(ExperimentSettings.pruneAt, given: "1.2")),
    ({ $0.inputScales = [1] }, .outOfRange(ExperimentSettings.inputScales, given: "1")),
    ({ $0.training.batchSize = 1 }, .outOfRange(TrainingSettings.batch, given: "1")),
    ({ $0.training.learningRate = -0.1 }, .outOfRange(TrainingSettings.learningRate, given: "-0.1")),
  ]

  @Test(arguments: problems.indices)
  func aBadSettingIsNamedBeforeAnyRun(index: Int) {
    var options = ExperimentOptions()
    #expect(options.problem == nil)
    Self.problems[index].change(&options)
    #expect(options.problem == Self.problems[index].expected)
  }

  @Test func theBudgetHasOneDefinitionAndOneDefault() {
    // The same range and default as dance slim's --budget and a pipeline file's budget: (issue 28).
    #expect(Settings.budget == SlimmingPolicy.pixelBudget)
    #expect(ExperimentOptions().budgets == [SlimmingPolicy.defaultPixelBudget])
    #expect(SlimPolicyName.budget.defaultParameter == SlimmingPolicy.defaultPixelBudget)
    var options = ExperimentOptions()
    options.budgets = [1]
    #expect(options.problem == nil)
    #expect(throws: SlimmingError.invalidPolicy("the pixel budget must be a number in (0, 1], got 1.5")) {
      try SlimmingPolicy.budget(pixelBudget: 1.5, scales: [1]).validate()
    }
  }

  /// A change of `setting` in `options`.
  static func change(_ setting: TrainingOptions.Setting, in options: inout TrainingOptions) {
    switch setting {
    case .epochs: options.epochs += 1
    case .batch: options.batchSize += 1
    case .crop: options.crop = PixelSize(width: 64, height: 32)
    case .lr: options.learningRate *= 2
    case .poly: options.poly = 1
    case .momentum: options.momentum = 0.5
    case .weightDecay: options.weightDecay = 0
    case .weights: options.sampleWeights.toggle()
    case .seed: options.seed += 1
    case .normalization: options.normalization = InputNormalization(mean: [0, 0, 0], std: [1, 1, 1])
    case .width: options.model.widthMultiplier = 0.25
    case .outputStride: options.model.outputStride = 8
    case .slimming: options.slimming = NetworkSlimming(pruneEpochs: [1])
    case .threads: options.threads += 1
    case .loaderThreads: options.loaderThreads += 1
    case .prefetch: options.prefetch += 1
    case .checkpointEvery: options.checkpointEvery += 1
    case .evaluateEvery: options.evaluateEvery += 1
    }
  }

  @Test(arguments: TrainingOptions.Setting.allCases)
  func aRerunWithAnyChangedSettingThatDeterminesTheResultIsRefused(setting: TrainingOptions.Setting) {
    let recorded = TrainingOptions()
    var wanted = recorded
    #expect(ExperimentRunner.differences(recorded: recorded, wanted: wanted).isEmpty)
    Self.change(setting, in: &wanted)
    let differences = ExperimentRunner.differences(recorded: recorded, wanted: wanted)
    if setting.determinesResult {
      #expect(differences.map(\.setting) == [setting])
      #expect(differences.first?.description == "\(setting.rawValue) \(setting.value(in: recorded)) instead of \(setting.value(in: wanted))")
    } else {
      #expect(differences.isEmpty)  // threads, loading, checkpoints and the validation interval do not change a result
    }
  }

  @Test func eachDataVariantHasItsOwnDirectory() {
    var options = ExperimentOptions()
    options.budgets = [0.3, 0.5]
    let runner = ExperimentRunner(directory: "/x/exp", dataRoot: "/x/data", options: options, log: { _ in })
    let variants = ExperimentRunner.VariantCache(runner: runner)
    #expect(variants.path(.full, indicator: .siMean, budget: 0.3, seed: 1) == "/x/data")
    #expect(variants.path(.dance, indicator: .siMean, budget: 0.3, seed: 1) == "/x/exp/data-dance-b0.3")
    #expect(variants.path(.dance, indicator: .si, budget: 0.5, seed: 1) == "/x/exp/data-dance-si-b0.5")
    #expect(variants.path(.uniform, indicator: .siMean, budget: 0.5, seed: 2) == "/x/exp/data-uniform-b0.5")
    #expect(variants.path(.random, indicator: .siMean, budget: 0.5, seed: 2) == "/x/exp/data-random-b0.5-seed2")
  }

  @Test func theBaselineIsValidatedEveryEpochAndTheOthersByTheInterval() {
    var options = ExperimentOptions()
    let runs = options.runs
    let baseline = runs.first { $0.kind == .baseline }!, dance = runs.first { $0.kind == .dance }!
    #expect(options.evaluationInterval(for: baseline, epochs: 40) == 1)
    #expect(options.evaluationInterval(for: dance, epochs: 40) == 2)
    #expect(options.evaluationInterval(for: dance, epochs: 10) == 1)
    options.evaluateEvery = 5
    #expect(options.evaluationInterval(for: dance, epochs: 40) == 5 && options.evaluationInterval(for: baseline, epochs: 40) == 1)
  }

  @Test func theReportStatesTheDefaultsOfTheirOneDefinition() {
    let text = ExperimentOptions().settingsText
    #expect(text.contains("scales " + SlimmingPolicy.defaultBudgetScales.map(ExperimentSummary.format).joined(separator: ",")))
    #expect(text.contains("weights linear 0.5…1.5") && WeightScheme.standardRange == 0.5...1.5)
    #expect(text.contains("prune fraction 0.3 after epochs 12,21"))
  }

  @Test func polyAndNormalizationAreCompared() {
    var wanted = TrainingOptions()
    wanted.poly = 1
    wanted.normalization = InputNormalization(mean: [0, 0, 0], std: [1, 1, 1])
    #expect(ExperimentRunner.differences(recorded: TrainingOptions(), wanted: wanted).map(\.setting) == [.poly, .normalization])
  }
}

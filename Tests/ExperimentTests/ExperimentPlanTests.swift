import DanceCore
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

  @Test func problemsAreFoundBeforeAnyRun() {
    var options = ExperimentOptions()
    #expect(options.problem == nil)
    options.budgets = [0.5, 0.5]
    #expect(options.problem?.contains("twice") == true)
    options.budgets = [1]
    #expect(options.problem == nil)  // the same range as dance slim's --budget (issue 26)
    options.budgets = [1.5]
    #expect(options.problem?.contains("(0, 1]") == true)
    options.budgets = [0.5]
    options.inputScales = [1]
    #expect(options.problem?.contains("--input-scales") == true)
    options.inputScales = []
    options.pruneAt = [1.2]
    #expect(options.problem?.contains("--prune-at") == true)
  }

  @Test func aRerunWithAnotherScheduleOrNormalizationIsRefused() {
    let recorded = TrainingOptions()
    var wanted = recorded
    #expect(ExperimentRunner.differences(recorded: recorded, wanted: wanted).isEmpty)
    wanted.poly = 1
    wanted.normalization = InputNormalization(mean: [0, 0, 0], std: [1, 1, 1])
    wanted.evaluateEvery = 7
    let differences = ExperimentRunner.differences(recorded: recorded, wanted: wanted)
    #expect(differences.count == 2)
    #expect(differences[0].hasPrefix("poly power") && differences[1].hasPrefix("normalization"))
  }
}

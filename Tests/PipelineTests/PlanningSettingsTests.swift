import DanceCore
import Foundation
import Pipeline
import Runner
import Slimming
import Testing

/// The slim settings that shape the plan beyond the policy: allowed budget scales, downsampling
/// only, ranking within sequences and the weight range, from the options and from a pipeline file.
@Suite struct PlanningSettingsTests {
  @Test func theSettingsReachThePolicyThePlanningAndTheWeights() {
    var options = SlimOptions()
    options.policy = .budget
    options.budget = 0.6
    options.budgetScales = [0.5, 0.75]
    options.budgetMayDrop = false
    options.rankGroups = .sequence
    options.weightRange = 0.25...1.75
    #expect(options.problem == nil)
    #expect(options.resolvedPolicy == .budget(pixelBudget: 0.6, scales: [0.5, 0.75]))
    #expect(options.planning == PlanningOptions(rankGroups: .sequence, budgetMayDrop: false))
    #expect(options.weightScheme == .linear(minimum: 0.25, maximum: 1.75))
    options.weights = WeightsName.none
    #expect(options.problem?.setting == "weight-range")
  }

  @Test func theRandomControlIsWeightlessUnlessAsked() {
    var options = SlimOptions()
    options.policy = .budget
    options.randomAssignment = 4
    #expect(options.weightScheme == .none && options.problem == nil)
    options.weights = .linear
    #expect(options.weightScheme == .standard && options.problem == nil)
  }

  @Test(arguments: ["scales", "downsample-only"])
  func budgetSettingsAreRefusedWithOtherPolicies(setting: String) {
    var options = SlimOptions()
    if setting == "scales" { options.budgetScales = [0.5] } else { options.budgetMayDrop = false }
    #expect(options.problem?.setting == setting)
    #expect(options.problem?.message(.commandLine).contains("applies to the budget policy only") == true)
  }

  @Test func aPipelineFileGivesTheSameSettings() throws {
    let yaml = """
      version: 1
      catalog: c.sqlite
      dataset:
        root: data
      slim:
        out: o
        policy: budget
        budget: 0.6
        scales: [0.5, 0.75]
        downsample_only: true
        rank_within: sequence
        rank_order: simple-first
        weight_range: 0.25, 1.75
      """
    let spec = try PipelineSpec.parse(yaml: yaml, path: "/specs/p.yaml", environment: [:])
    #expect(spec.slim.resolvedPolicy == .budget(pixelBudget: 0.6, scales: [0.5, 0.75]))
    #expect(spec.slim.planning == PlanningOptions(rankGroups: .sequence, budgetMayDrop: false, rankOrder: .simpleFirst))
    #expect(spec.slim.weightScheme == .linear(minimum: 0.25, maximum: 1.75))
    let bad = yaml.replacingOccurrences(of: "[0.5, 0.75]", with: "[0.5, 2]")
    #expect(throws: PipelineSpecError.self) { try PipelineSpec.parse(yaml: bad, path: "/specs/p.yaml", environment: [:]) }
  }
}

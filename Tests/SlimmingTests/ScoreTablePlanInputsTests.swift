import DanceCore
import Slimming
import Testing

/// The one place slim and the audit turn a score table into the planner's inputs.
@Suite struct ScoreTablePlanInputsTests {
  static let table = ScoreTable([
    "d/c": [.siMean: 3, .fidelity50: 0.8, .fidelity25: 0.4],
    "d/a": [.siMean: 1],
    "d/b": [.siMean: 2, .labelEntropy: 9],
    "d/unranked": [.labelEntropy: 1],
    "d/sizeless": [.siMean: 5],
  ])
  static let sizes: [(key: SampleKey, width: Int?, height: Int?)] = [
    ("d/c", 30, 20), ("d/unranked", 10, 10), ("d/a", 10, 5), ("d/sizeless", nil, 7), ("d/b", 8, 8), ("d/unscored", 4, 4),
  ]

  @Test func inputsComeInKeyOrderAndLeaveOutSamplesWithoutSizeOrRankingValue() {
    let inputs = Self.table.planInputs(ranking: .siMean, sizes: Self.sizes)
    #expect(inputs.map(\.key) == ["d/a", "d/b", "d/c"])
    #expect(inputs.map(\.width) == [10, 8, 30] && inputs.map(\.height) == [5, 8, 20])
    #expect(inputs.map(\.score) == [1, 2, 3])
    #expect(inputs[2].fidelity == [0.5: 0.8, 0.25: 0.4] && inputs[0].fidelity.isEmpty)
    // The input order does not matter: the same samples in another order give the same inputs.
    #expect(Self.table.planInputs(ranking: .siMean, sizes: Self.sizes.reversed()) == inputs)
  }

  @Test(arguments: [
    (Indicator.labelEntropy, ["d/b", "d/unranked"]), (.siMean, ["d/a", "d/b", "d/c"]), (.fidelity25, ["d/c"]), (.si, []),
  ] as [(Indicator, [SampleKey])])
  func eachRankingTakesItsOwnValues(ranking: Indicator, expected: [SampleKey]) {
    #expect(Self.table.planInputs(ranking: ranking, sizes: Self.sizes).map(\.key) == expected)
  }

  @Test func aSurvivalRatioIsOrientedSoThatHigherIsMoreComplex() {
    let inputs = Self.table.planInputs(ranking: .fidelity50, sizes: Self.sizes)
    #expect(inputs.map(\.key) == ["d/c"] && inputs[0].score == -0.8)
  }

  @Test func theInputsPlanAsTheyDidWhenSlimAndTheAuditEachBuiltThem() throws {
    let inputs = Self.table.planInputs(ranking: .siMean, sizes: Self.sizes)
    let built = [PlanInput(key: "d/a", width: 10, height: 5, score: 1), PlanInput(key: "d/b", width: 8, height: 8, score: 2),
                 PlanInput(key: "d/c", width: 30, height: 20, score: 3, fidelity: [0.5: 0.8, 0.25: 0.4])]
    #expect(inputs == built)
    #expect(try Planner.plan(inputs, policy: .quantileDefault) == Planner.plan(built, policy: .quantileDefault))
  }
}

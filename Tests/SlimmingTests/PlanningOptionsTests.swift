import DanceCore
import Slimming
import Testing

/// Ranking within groups, a budget that may not drop, and weights on the random control.
@Suite struct PlanningOptionsTests {
  /// Two sequences whose scores do not overlap: `dusk` is simpler than every `day` frame.
  static let twoSequences: [PlanInput] = (0..<20).map { (index: Int) -> PlanInput in
    let dusk = index < 8
    let key = (dusk ? "cv/train/dusk_" : "cv/train/day_") + String(index)
    return PlanInput(key: SampleKey(rawValue: key), width: 48, height: 36, score: Double(index) + (dusk ? 0 : 100))
  }

  @Test(arguments: [
    ("cv/train/0001TP_006690", "0001TP"), ("cs/train/aachen/aachen_000000_000019", "aachen"), ("ade/train/ADE_train_1", "ADE"),
    ("x/train/plain", "plain"), ("lonely", "lonely"),
  ])
  func aSequenceIsTheStemUpToItsFirstUnderscore(key: SampleKey, group: String) {
    #expect(RankGroups.sequence.group(of: key) == group)
    #expect(RankGroups.split.group(of: key) == "")
  }

  @Test func ranksWithinSequencesSpreadEachSequenceOverTheBands() throws {
    let whole = try Planner.plan(Self.twoSequences, policy: .quantileDefault, weights: .none)
    let grouped = try Planner.plan(Self.twoSequences, policy: .quantileDefault, weights: .none,
                                   options: PlanningOptions(rankGroups: .sequence))
    func dusk(_ plan: Plan) -> [Decision] { plan.decisions.filter { $0.key.rawValue.contains("dusk") } }
    // Over the whole split every dusk frame ranks below 0.4: dropped or halved, none at full size.
    #expect(dusk(whole).allSatisfy { !$0.keep || $0.scale == 0.5 })
    // Within its sequence the most complex dusk frames rank at the top and keep full size.
    #expect(dusk(grouped).map(\.rank).max() == 1 && dusk(grouped).map(\.rank).min() == 0)
    #expect(dusk(grouped).contains { $0.keep && $0.scale == 1 })
    // The quantile drop applies per group: floor(0.1 × 8) = 0 dusk frames, floor(0.1 × 12) = 1 day frame.
    #expect(dusk(grouped).allSatisfy { $0.keep })
    #expect(grouped.droppedCount == 1)
  }

  @Test(arguments: [0.6, 0.4, 0.2])
  func aBudgetThatMayNotDropDownsamplesOnly(budget: Double) throws {
    let inputs = (0..<30).map { PlanInput(key: "s\($0)", width: 40 + $0, height: 30, score: Double(($0 * 11) % 30)) }
    let policy = SlimmingPolicy.budget(pixelBudget: budget, scales: [0.5, 0.75])
    let dropping = try Planner.plan(inputs, policy: policy)
    let plan = try Planner.plan(inputs, policy: policy, options: PlanningOptions(budgetMayDrop: false))
    #expect(plan.droppedCount == 0)
    #expect(plan.decisions.allSatisfy { [0.5, 0.75, 1].contains($0.scale) })
    if budget >= 0.3 {
      #expect(plan.pixelFraction(inputs: inputs) <= budget + 1e-9)
    } else {
      // Below the smallest scale's pixels (about 0.25) the budget cannot be met: everything at 0.5.
      #expect(plan.decisions.allSatisfy { $0.scale == 0.5 })
      #expect(dropping.droppedCount > 0)
    }
  }

  @Test func theRandomControlCanCarryTheSameWeightsAtRandom() throws {
    let inputs = (0..<40).map { PlanInput(key: "s\($0)", width: 64, height: 32, score: Double(($0 * 7) % 40)) }
    let policy = SlimmingPolicy.budget(pixelBudget: 0.5, scales: SlimmingPolicy.defaultBudgetScales)
    let ranked = try Planner.plan(inputs, policy: policy, weights: .standard)
    let shuffled = Planner.shuffled(ranked, inputs: inputs, seed: 3, weights: .standard)
    #expect(shuffled.weights == .standard)
    let rankedWeights = ranked.decisions.filter(\.keep).map(\.weight).sorted()
    let shuffledWeights = shuffled.decisions.filter(\.keep).map(\.weight).sorted()
    #expect(zip(rankedWeights, shuffledWeights).allSatisfy { abs($0 - $1) < 1e-12 })
    // Each weight follows the rank handed out, not the sample's own complexity.
    let byKey = Dictionary(uniqueKeysWithValues: ranked.decisions.map { ($0.key, $0) })
    #expect(shuffled.decisions.filter { $0.keep && abs($0.weight - (byKey[$0.key]?.weight ?? 0)) > 1e-9 }.count > 10)
  }

  @Test func aSurvivalRatioRanksByItsLowerValues() throws {
    // fidelity@0.5 is 1 when halving loses nothing: the sample that loses most is the most complex.
    let scores: [SampleKey: [Indicator: Double]] = ["a": [.fidelity50: 0.99], "b": [.fidelity50: 0.80], "c": [.fidelity50: 0.90]]
    let inputs = scores.keys.sorted().compactMap { PlanInput(key: $0, width: 10, height: 10, scores: scores[$0]!, ranking: .fidelity50) }
    #expect(inputs.map(\.score) == [-0.99, -0.80, -0.90])
    #expect(inputs.map(\.fidelity) == [[0.5: 0.99], [0.5: 0.80], [0.5: 0.90]])
    let ranked = try Planner.plan(inputs, policy: .none, weights: .none)
    #expect(ranked.decisions.map(\.rank) == [0, 1, 0.5])
    #expect(PlanInput(key: "a", width: 1, height: 1, scores: [.siMean: 3], ranking: .siMean)?.score == 3)
    #expect(PlanInput(key: "a", width: 1, height: 1, scores: [:], ranking: .siMean) == nil)
  }

  @Test func simpleFirstReversesTheRanking() throws {
    let inputs = (0..<5).map { PlanInput(key: "s\($0)", width: 10, height: 10, score: Double($0)) }
    let complexFirst = try Planner.plan(inputs, policy: .none, weights: .none)
    let simpleFirst = try Planner.plan(inputs, policy: .none, weights: .none, options: PlanningOptions(rankOrder: .simpleFirst))
    #expect(complexFirst.decisions.map(\.rank) == [0, 0.25, 0.5, 0.75, 1])
    #expect(simpleFirst.decisions.map(\.rank) == [1, 0.75, 0.5, 0.25, 0])
  }
}

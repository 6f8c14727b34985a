import DanceCore
import Slimming
import Testing

@Suite struct PlannerTests {
  /// Ten 100×50 samples with scores 0…9 (keys in reverse order, so that key order ≠ score order).
  static let ten = (0..<10).map { PlanInput(key: "k\(9 - $0)", width: 100, height: 50, score: Double($0)) }

  @Test func ranksAreSpreadOverZeroToOneAndTiesShareTheMean() throws {
    let plan = try Planner.plan(Self.ten, policy: .none)
    let byScore = plan.decisions.sorted { $0.rank < $1.rank }
    #expect(byScore.map(\.rank) == (0..<10).map { Double($0) / 9 })
    let tied = [PlanInput(key: "a", width: 1, height: 1, score: 1), PlanInput(key: "b", width: 1, height: 1, score: 1),
      PlanInput(key: "c", width: 1, height: 1, score: 2)]
    #expect(try Planner.plan(tied, policy: .none).decisions.map(\.rank) == [0.25, 0.25, 1])
  }

  @Test func quantileDefaultDropsTheLowestTenthAndBands() throws {
    let plan = try Planner.plan(Self.ten, policy: .quantileDefault, weights: .none)
    let byRank = plan.decisions.sorted { $0.rank < $1.rank }
    #expect(byRank.map(\.keep) == [false] + Array(repeating: true, count: 9))
    // r = 1/9 … 3/9 < 0.4 → 0.5; 4/9 … 7/9 < 0.8 → 0.75; 8/9, 1 → 1.
    #expect(byRank.dropFirst().map(\.scale) == [0.5, 0.5, 0.5, 0.75, 0.75, 0.75, 0.75, 1, 1])
    #expect(byRank[1].outputWidth == 50 && byRank[1].outputHeight == 25)
    #expect(byRank[4].outputWidth == 75 && byRank[4].outputHeight == 38)  // round(37.5) = 38
    #expect(plan.droppedCount == 1 && plan.keptCount == 9)
  }

  @Test func decisionsDoNotDependOnInputOrder() throws {
    let forward = try Planner.plan(Self.ten, policy: .quantileDefault)
    let backward = try Planner.plan(Self.ten.reversed(), policy: .quantileDefault)
    #expect(forward == backward)
    #expect(forward.decisions.map(\.key) == forward.decisions.map(\.key).sorted())
  }

  @Test func weightsAreLinearInRankWithMeanOne() throws {
    let plan = try Planner.plan(Self.ten, policy: .none, weights: .standard)
    let weights = plan.decisions.sorted { $0.rank < $1.rank }.map(\.weight)
    let mean = weights.reduce(0, +) / 10
    #expect(abs(mean - 1) < 1e-12)
    // Raw 0.5 … 1.5 has mean 1 already, so the extremes stay 0.5 and 1.5.
    #expect(abs(weights[0] - 0.5) < 1e-12 && abs(weights[9] - 1.5) < 1e-12)
    #expect(zip(weights, weights.dropFirst()).allSatisfy { $0 < $1 })
    let dropped = try Planner.plan(Self.ten, policy: .quantileDefault, weights: .standard)
    let kept = dropped.decisions.filter(\.keep).map(\.weight)
    #expect(abs(kept.reduce(0, +) / Double(kept.count) - 1) < 1e-12)
    #expect(dropped.decisions.filter { !$0.keep }.allSatisfy { $0.weight == 0 })
    #expect(try Planner.plan(Self.ten, policy: .none, weights: .none).decisions.allSatisfy { $0.weight == 1 })
  }

  @Test func fixedAndNoneKeepEverything() throws {
    let fixed = try Planner.plan(Self.ten, policy: .fixed(scale: 0.5))
    #expect(fixed.decisions.allSatisfy { $0.keep && $0.scale == 0.5 && $0.outputWidth == 50 && $0.outputHeight == 25 })
    #expect(abs(fixed.pixelFraction(inputs: Self.ten) - 0.25) < 1e-12)
    #expect(try Planner.plan(Self.ten, policy: .none).pixelFraction(inputs: Self.ten) == 1)
  }

  @Test(arguments: [1.0, 0.8, 0.5, 0.3, 0.1, 0.02])
  func budgetFitsAndIsNearlyTight(budget: Double) throws {
    let inputs = (0..<40).map { (index: Int) -> PlanInput in
      let i = Double(index)
      let fidelity: [Double: Double] = [0.75: 0.99 - i * 0.002, 0.5: 0.95 - i * 0.005, 0.25: 0.8 - i * 0.01]
      return PlanInput(key: "s\(index)", width: 64 + index, height: 48, score: Double((index * 37) % 40), fidelity: fidelity)
    }
    let plan = try Planner.plan(inputs, policy: .budget(pixelBudget: budget, scales: SlimmingPolicy.defaultBudgetScales))
    let used = plan.pixelFraction(inputs: inputs)
    #expect(used <= budget + 1e-9)
    // Within one sample's largest option of the budget (the relaxation is tight up to one item).
    let totalPixels = Double(inputs.reduce(0) { $0 + $1.width * $1.height })
    let largestSample = Double(103 * 48)
    #expect(budget - used <= largestSample / totalPixels + 1e-9)
    if budget == 1 { #expect(plan.lambda == 0 && plan.decisions.allSatisfy { $0.scale == 1 }) } else { #expect((plan.lambda ?? 0) > 0) }
  }

  @Test func budgetPrefersComplexSamples() throws {
    // Equal sizes and fidelities: with room for about half the pixels, simple samples give way first.
    let inputs = (0..<20).map { PlanInput(key: "s\($0)", width: 40, height: 40, score: Double($0)) }
    let plan = try Planner.plan(inputs, policy: .budget(pixelBudget: 0.5, scales: [1]), weights: .none)
    let kept = plan.decisions.filter(\.keep).map(\.key)
    #expect(kept.count == 10)
    #expect(Set(kept) == Set((10..<20).map { "s\($0)" }))
  }

  @Test func alignmentRoundsToMultiples() {
    #expect(Planner.outputLength(1000, scale: 0.5, align: 32) == 512)
    #expect(Planner.outputLength(10, scale: 0.1, align: 8) == 8)
    #expect(Planner.outputLength(3, scale: 0.1) == 1)
    #expect(Planner.outputLength(5, scale: 0.5) == 3)
  }

  /// `--align 1000` on 512×256 images once gave 1000×1000 ("pixels kept 686.6 %").
  @Test(arguments: [
    (length: 512, scale: 1.0, align: 1000, expected: 512), (length: 256, scale: 1.0, align: 1000, expected: 256),
    (length: 512, scale: 0.5, align: 1000, expected: 256), (length: 500, scale: 1.0, align: 64, expected: 448),
    (length: 1000, scale: 0.99, align: 128, expected: 896), (length: 100, scale: 0.6, align: 64, expected: 64),
  ])
  func alignmentNeverUpscales(length: Int, scale: Double, align: Int, expected: Int) {
    #expect(Planner.outputLength(length, scale: scale, align: align) == expected)
  }

  @Test func alignedPlansNeverKeepMoreThanTheStoredPixels() throws {
    let inputs = (0..<4).map { PlanInput(key: "s\($0)", width: 512, height: 256, score: Double($0)) }
    let plan = try Planner.plan(inputs, policy: .none, weights: .none, align: 1000)
    #expect(plan.decisions.allSatisfy { $0.outputWidth == 512 && $0.outputHeight == 256 })
  }

  @Test(arguments: [
    SlimmingPolicy.fixed(scale: 0), .fixed(scale: 1.5), .quantile(drop: 1, bands: []),
    .quantile(drop: 0.1, bands: [ScaleBand(upTo: 0.8, scale: 0.5), ScaleBand(upTo: 0.4, scale: 0.75)]),
    .budget(pixelBudget: 0, scales: [0.5]), .budget(pixelBudget: 0.5, scales: []),
  ])
  func invalidPoliciesAreRefused(policy: SlimmingPolicy) {
    #expect(throws: SlimmingError.self) { try Planner.plan(Self.ten, policy: policy) }
  }

  @Test func aSampleWithoutAFiniteScoreIsNamed() {
    let inputs = [PlanInput(key: "bad", width: 10, height: 10, score: .nan)]
    #expect(throws: SlimmingError.missingInput(key: "bad", reason: "needs a positive size and a finite score")) {
      try Planner.plan(inputs, policy: .none)
    }
  }
}

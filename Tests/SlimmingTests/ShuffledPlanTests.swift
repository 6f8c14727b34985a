import DanceCore
import Slimming
import Foundation
import Testing

/// The random-assignment control keeps the plan's decisions and hands them out in another order.
@Suite struct ShuffledPlanTests {
  static let inputs = (0..<40).map { PlanInput(key: SampleKey(rawValue: String(format: "s%02d", $0)), width: 64, height: 32, score: Double(($0 * 7) % 40)) }

  @Test(arguments: [SlimmingPolicy.budget(pixelBudget: 0.5, scales: SlimmingPolicy.defaultBudgetScales), .quantileDefault])
  func theSameDecisionsGoToOtherSamples(policy: SlimmingPolicy) throws {
    let ranked = try Planner.plan(Self.inputs, policy: policy, weights: .standard)
    let shuffled = Planner.shuffled(ranked, inputs: Self.inputs, seed: 5)
    #expect(shuffled.decisions.map(\.key) == ranked.decisions.map(\.key))
    #expect(shuffled.countsByScale.map(\.count) == ranked.countsByScale.map(\.count))
    #expect(shuffled.countsByScale.map(\.scale) == ranked.countsByScale.map(\.scale))
    #expect(shuffled.keptCount == ranked.keptCount)
    #expect(shuffled.pixelFraction(inputs: Self.inputs) == ranked.pixelFraction(inputs: Self.inputs))
    #expect(shuffled.decisions.filter(\.keep).allSatisfy { $0.weight == 1 } && shuffled.weights == .none)
    let moved = zip(shuffled.decisions, ranked.decisions).filter { $0.scale != $1.scale }.count
    #expect(moved > 10, "only \(moved) of 40 samples changed scale")
    #expect(Planner.shuffled(ranked, inputs: Self.inputs, seed: 5) == shuffled)
    #expect(Planner.shuffled(ranked, inputs: Self.inputs, seed: 6) != shuffled)
  }
}

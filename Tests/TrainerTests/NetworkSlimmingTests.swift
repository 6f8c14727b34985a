import DanceCore
import Foundation
import NN
import Tensors
import Testing
import Trainer

/// What progressive slimming keeps: thresholds, fractions, minimums, gates; and its penalties.
@Suite struct NetworkSlimmingTests {
  static func network() -> DeepLab {
    var configuration = DeepLabConfiguration(classes: 3, widthMultiplier: 0.125, asppRates: [2], dropout: 0)
    configuration.asppGates = true
    var generator = SplitMix(seed: 1)
    return DeepLab(configuration, generator: &generator)
  }

  /// γ of the decoder's fusion set to 1, 2, …, n (so the smallest are the first channels).
  static func rampDecoder(_ network: DeepLab) -> Int {
    let norm = network.prunableNorms.decoder
    norm.scale.value = Tensor(shape: [norm.channels], storage: (0..<norm.channels).map { Float($0 + 1) })
    return norm.channels
  }

  @Test(arguments: [(0.5, 0.0), (0.0, 0.5), (0.5, 0.75), (0.99, 0.0)])
  func keepsWhatTheThresholdAndTheFractionLeave(threshold: Double, fraction: Double) {
    let network = Self.network()
    let n = Self.rampDecoder(network)
    var slimming = NetworkSlimming(pruneEpochs: [1])
    slimming.channelThreshold = threshold
    slimming.pruneFraction = fraction
    let kept = slimming.selection(for: network).decoder
    let aboveThreshold = (0..<n).filter { Double($0 + 1) >= threshold * Double(n) }.count
    let atMost = Int((Double(n) * (1 - fraction)).rounded(.up))
    let expected = max(min(slimming.minimumChannels, n), min(aboveThreshold, atMost))
    #expect(kept == Array((n - expected)..<n), "threshold \(threshold), fraction \(fraction)")
  }

  @Test func aBranchWithASmallGateGoesAndPenaltiesPushTowardsZero() {
    let network = Self.network()
    let gates = network.prunableGates!
    gates.value = Tensor(shape: [3], storage: [1, 0.05, -0.8])
    let selection = NetworkSlimming(pruneEpochs: [1]).selection(for: network)
    #expect(selection.asppBranches.map(\.isEmpty) == [false, true, false])
    network.zeroGrad()
    var slimming = NetworkSlimming(pruneEpochs: [1])
    slimming.gatePenalty = 0.5
    slimming.scalePenalty = 0.25
    slimming.addPenalties(to: network)
    #expect(gates.gradient.storage == [0.5, 0.5, -0.5])
    #expect(network.prunableNorms.skip.scale.gradient.storage.allSatisfy { $0 == 0.25 })
    #expect(NetworkSlimming(pruneEpochs: [3]).problem(epochs: 2) != nil)
  }

  @Test func theBackboneIsPrunedOnlyWhenAskedTo() {
    let network = Self.network()
    let norm = network.lastStageInnerNorm
    norm.scale.value = Tensor(shape: [norm.channels], storage: (0..<norm.channels).map { Float($0 + 1) })
    var slimming = NetworkSlimming(pruneEpochs: [1])
    slimming.pruneFraction = 0.5
    #expect(slimming.selection(for: network).lastStageInner.count == norm.channels)
    slimming.prunesBackbone = true
    #expect(slimming.selection(for: network).lastStageInner == Array((norm.channels / 2)..<norm.channels))
    let pruned = network.pruned(keeping: slimming.selection(for: network))
    #expect(pruned.configuration.pruned?.lastStageInner == norm.channels / 2)
  }

  @Test func settingsRecordedBeforeTheyExistedDecodeWithDefaults() throws {
    let older = try TrainerJSON.decoder().decode(NetworkSlimming.self, from: Data(#"{"pruneEpochs": [2], "gatePenalty": 0.01}"#.utf8))
    #expect(older.pruneEpochs == [2] && older.gatePenalty == 0.01 && older.pruneFraction == 0 && !older.prunesBackbone)
    #expect(older.problem(epochs: 3) == nil)
    #expect(older.problem(epochs: 2) != nil, "pruning after the last epoch is refused")
  }

  @Test func aConfigurationNeedsEveryKeyButThePruningOnes() throws {
    let full = try JSONEncoder().encode(DeepLabConfiguration())
    var object = try #require(try JSONSerialization.jsonObject(with: full) as? [String: Any])
    object["pruned"] = nil
    object["asppGates"] = nil
    let older = try JSONSerialization.data(withJSONObject: object)
    #expect(try JSONDecoder().decode(DeepLabConfiguration.self, from: older) == DeepLabConfiguration())
    object["classes"] = nil
    let broken = try JSONSerialization.data(withJSONObject: object)
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(DeepLabConfiguration.self, from: broken) }
  }
}

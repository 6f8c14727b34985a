public import DanceCore
public import NN
import Tensors

/// Progressive network slimming (design §7): sparsity penalties during training and, after the
/// scheduled epochs, the physical removal of what they drove towards zero.
///
/// Every step adds `gatePenalty · sign(g)` to the gradient of each ASPP branch gate and
/// `scalePenalty · sign(γ)` to each γ of the head's and the decoder's batch norms (L1 penalties,
/// Liu et al., *Learning Efficient Convolutional Networks through Network Slimming*, ICCV 2017).
/// After each epoch in ``pruneEpochs`` a branch whose |gate| is below `gateThreshold` × the largest
/// is removed, and in each unit the channels whose |γ| is below `channelThreshold` × the unit's
/// largest, and beyond them the smallest-|γ| channels up to ``pruneFraction`` of the unit (keeping
/// at least ``minimumChannels``); the network then continues smaller.
public struct NetworkSlimming: Codable, Sendable, Equatable {
  /// The epochs (1-based) after which the network is pruned.
  public var pruneEpochs: [Int]
  /// The L1 strength on the ASPP gates.
  public var gatePenalty = 1e-3
  /// The L1 strength on the prunable batch norms' γ.
  public var scalePenalty = 1e-4
  /// A branch goes when its |gate| is below this fraction of the largest |gate|.
  public var gateThreshold = 0.1
  /// A channel goes when its |γ| is below this fraction of its unit's largest |γ|.
  public var channelThreshold = 0.1
  /// The fewest channels a unit keeps.
  public var minimumChannels = 4
  /// At each pruning, the fraction of each unit's channels removed at least (the smallest |γ|
  /// first), in [0, 1); 0 removes only those below the threshold.
  public var pruneFraction = 0.0
  /// Whether the width inside the backbone's last block is penalised and pruned too.
  public var prunesBackbone = false

  /// Slimming after `pruneEpochs` with the default strengths and thresholds.
  public init(pruneEpochs: [Int]) { self.pruneEpochs = pruneEpochs }

  enum CodingKeys: String, CodingKey {
    case pruneEpochs = "prune_epochs"
    case gatePenalty = "gate_penalty"
    case scalePenalty = "scale_penalty"
    case gateThreshold = "gate_threshold"
    case channelThreshold = "channel_threshold"
    case minimumChannels = "minimum_channels"
    case pruneFraction = "prune_fraction"
    case prunesBackbone = "prunes_backbone"
  }

  /// Decodes the settings; those a run recorded before they existed take their defaults, so an
  /// older run still resumes.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = NetworkSlimming(pruneEpochs: [])
    pruneEpochs = try container.decode([Int].self, forKey: .pruneEpochs)
    gatePenalty = try container.decodeIfPresent(Double.self, forKey: .gatePenalty) ?? defaults.gatePenalty
    scalePenalty = try container.decodeIfPresent(Double.self, forKey: .scalePenalty) ?? defaults.scalePenalty
    gateThreshold = try container.decodeIfPresent(Double.self, forKey: .gateThreshold) ?? defaults.gateThreshold
    channelThreshold = try container.decodeIfPresent(Double.self, forKey: .channelThreshold) ?? defaults.channelThreshold
    minimumChannels = try container.decodeIfPresent(Int.self, forKey: .minimumChannels) ?? defaults.minimumChannels
    pruneFraction = try container.decodeIfPresent(Double.self, forKey: .pruneFraction) ?? defaults.pruneFraction
    prunesBackbone = try container.decodeIfPresent(Bool.self, forKey: .prunesBackbone) ?? defaults.prunesBackbone
  }

  /// The first problem with the settings for a run of `epochs` epochs, or nil.
  public func problem(epochs: Int) -> SettingProblem? {
    // Pruning after the last epoch would leave a network that was never trained or validated.
    if pruneEpochs.isEmpty || pruneEpochs.contains(where: { $0 < 1 || $0 >= epochs }) {
      return .invalid(setting: "prune-at", reason: "needs epochs from 1 to one less than the run's \(epochs), got \(pruneEpochs)")
    }
    let checks: [(NumericSetting, Double)] = [
      (TrainingSettings.gatePenalty, gatePenalty), (TrainingSettings.scalePenalty, scalePenalty),
      (TrainingSettings.pruneThreshold, gateThreshold), (TrainingSettings.pruneThreshold, channelThreshold),
      (TrainingSettings.pruneFraction, pruneFraction),
    ]
    if let problem = checks.lazy.compactMap({ SettingProblem.check($0, $1) }).first { return problem }
    if minimumChannels < 1 { return .other(reason: "slimming must keep at least one channel per unit") }
    return nil
  }

  /// Adds the L1 subgradients to the gates' and the prunable γ's gradients.
  public func addPenalties(to model: DeepLab) {
    if let gates = model.prunableGates { Self.addSign(of: gates, times: Float(gatePenalty)) }
    let norms = model.prunableNorms
    for norm in norms.asppBranches + [norms.asppProject, norms.skip, norms.decoder] + (prunesBackbone ? [model.lastStageInnerNorm] : []) {
      Self.addSign(of: norm.scale, times: Float(scalePenalty))
    }
  }

  /// What to keep of `model` under the thresholds.
  public func selection(for model: DeepLab) -> ChannelSelection {
    let norms = model.prunableNorms
    var selection = ChannelSelection(keepingAllOf: model.configuration)
    selection.asppBranches = norms.asppBranches.map(keptChannels)
    if let gates = model.prunableGates?.value.storage {
      let largest = gates.map(abs).max() ?? 0
      for (index, gate) in gates.enumerated() where abs(gate) < Float(gateThreshold) * largest { selection.asppBranches[index] = [] }
    }
    selection.asppProject = keptChannels(norms.asppProject)
    selection.skip = keptChannels(norms.skip)
    selection.decoder = keptChannels(norms.decoder)
    if prunesBackbone { selection.lastStageInner = keptChannels(model.lastStageInnerNorm) }
    return selection
  }

  /// The channels of `norm` to keep: those whose |γ| reach the threshold, at most `1 − pruneFraction`
  /// of them, at least ``minimumChannels`` (the largest |γ| first, ties by index).
  private func keptChannels(_ norm: BatchNorm2d) -> [Int] {
    let magnitudes = norm.scale.value.storage.map(abs)
    let limit = Float(channelThreshold) * (magnitudes.max() ?? 0)
    let byMagnitude = magnitudes.indices.sorted { (magnitudes[$0], -$0) > (magnitudes[$1], -$1) }
    let aboveThreshold = magnitudes.filter { $0 >= limit }.count
    let atMost = Int((Double(magnitudes.count) * (1 - pruneFraction)).rounded(.up))
    let count = max(min(minimumChannels, magnitudes.count), min(aboveThreshold, atMost))
    return byMagnitude.prefix(count).sorted()
  }

  private static func addSign(of parameter: Parameter, times strength: Float) {
    guard strength > 0 else { return }
    for index in parameter.value.storage.indices {
      let value = parameter.value.storage[index]
      if value != 0 { parameter.gradient.storage[index] += value > 0 ? strength : -strength }
    }
  }
}

/// What one pruning removed, recorded in its epoch of the report.
public struct PruningRecord: Codable, Sendable, Equatable {
  /// Parameters before and after.
  public var parametersBefore: Int, parametersAfter: Int
  /// Forward FLOPs per training crop before and after.
  public var flopsBefore: Int, flopsAfter: Int
  /// The model after pruning (`DeepLabConfiguration.description`).
  public var model: String

  enum CodingKeys: String, CodingKey {
    case model
    case parametersBefore = "parameters_before"
    case parametersAfter = "parameters_after"
    case flopsBefore = "flops_before"
    case flopsAfter = "flops_after"
  }
}

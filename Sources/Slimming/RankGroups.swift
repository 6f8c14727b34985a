public import DanceCore

/// Which samples a percentile rank compares: the whole split, or each group of related samples.
///
/// Complexity often follows the recording (lighting, scenery), so ranking a whole split can shrink
/// one domain wholesale: on CamVid's training split no frame of the dusk sequence 0001TP stays at
/// full size under the si-mean ranking. Ranking within groups gives every group the same spread of
/// ranks, so each keeps its own most complex samples.
public enum RankGroups: String, Sendable, Equatable, Codable, CaseIterable {
  /// One ranking over the whole split.
  case split
  /// One ranking per sequence or city: the key's last path component up to its first `_`
  /// (CamVid `0001TP_006690` → `0001TP`; Cityscapes `aachen_000000_000019` → `aachen`; a stem
  /// without `_` is its own group).
  case sequence

  /// The group `key` belongs to.
  public func group(of key: SampleKey) -> String {
    switch self {
    case .split: return ""
    case .sequence:
      let stem = key.rawValue.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? key.rawValue
      return stem.split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? stem
    }
  }
}

/// Which end of the complexity ranking is kept at full size.
public enum RankOrder: String, Sendable, Equatable, Codable, CaseIterable {
  /// DANCE: the most complex samples rank highest, so they keep their size and weigh most.
  case complexFirst = "complex-first"
  /// The reverse: the simplest samples rank highest (a lever of the experiment, not DANCE's rule).
  case simpleFirst = "simple-first"
}

/// How the planner ranks and what the budget solver may choose, beside the policy itself.
public struct PlanningOptions: Sendable, Equatable, Codable {
  /// Which samples a percentile rank compares.
  public var rankGroups = RankGroups.split
  /// Whether the budget solver may drop samples (`false`: downsample only; the quantile policy's
  /// `drop` is its own setting).
  public var budgetMayDrop = true
  /// Which end of the ranking ranks highest.
  public var rankOrder = RankOrder.complexFirst

  /// Ranks complex-first over the whole split; the budget solver may drop.
  public init(rankGroups: RankGroups = .split, budgetMayDrop: Bool = true, rankOrder: RankOrder = .complexFirst) {
    self.rankGroups = rankGroups
    self.budgetMayDrop = budgetMayDrop
    self.rankOrder = rankOrder
  }

  /// Decodes options recorded before ``rankOrder`` existed as complex-first.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    rankGroups = try container.decode(RankGroups.self, forKey: .rankGroups)
    budgetMayDrop = try container.decode(Bool.self, forKey: .budgetMayDrop)
    rankOrder = try container.decodeIfPresent(RankOrder.self, forKey: .rankOrder) ?? .complexFirst
  }
}

import DanceCore
import Foundation

/// Turns scores into decisions (design.md §2): deterministic for a given set of inputs and policy.
public enum Planner {
  /// Plans one split.
  /// - Parameters:
  ///   - inputs: every sample of the split (the plan is made over the whole split, never a partition).
  ///   - align: output sizes are rounded to a multiple of this (1 = no alignment).
  ///   - options: rank groups, and whether the budget solver may drop.
  public static func plan(
    _ inputs: [PlanInput], policy: SlimmingPolicy, weights: WeightScheme = .standard, align: Int = 1,
    options: PlanningOptions = PlanningOptions()
  ) throws(SlimmingError) -> Plan {
    try policy.validate()
    guard align >= 1 else { throw .invalidPolicy("align must be at least 1") }
    for input in inputs where input.width < 1 || input.height < 1 || !input.score.isFinite {
      throw .missingInput(key: input.key, reason: "needs a positive size and a finite score")
    }
    let oriented = options.rankOrder == .complexFirst ? inputs : inputs.map { input in
      var reversed = input
      reversed.score = -input.score
      return reversed
    }
    let ordered = oriented.sorted { ($0.score, $0.key) < ($1.score, $1.key) }
    let (ranks, positions) = groupedRanks(ordered, groups: options.rankGroups)
    var decisions: [Decision] = []
    var lambda: Double?
    switch policy {
    case .none, .fixed:
      let scale: Double
      if case .fixed(let fixed) = policy { scale = fixed } else { scale = 1 }
      decisions = ordered.enumerated().map { index, input in
        keep(input, scale: scale, rank: ranks[index], align: align, reason: policy.description)
      }
    case .quantile(let drop, let bands):
      decisions = ordered.enumerated().map { index, input in
        let rank = ranks[index]
        if positions[index].index < Int((drop * Double(positions[index].count)).rounded(.down)) {
          return dropped(input, rank: rank, reason: String(format: "lowest %.0f%% (r=%.3f)", drop * 100, rank))
        }
        let band = bands.first { rank < $0.upTo }
        return keep(
          input, scale: band?.scale ?? 1, rank: rank, align: align,
          reason: band.map { String(format: "r=%.3f < %g", rank, $0.upTo) } ?? String(format: "r=%.3f, top band", rank))
      }
    case .budget(let budget, let scales):
      let solution = BudgetSolver(inputs: ordered, ranks: ranks, scales: scales, align: align, mayDrop: options.budgetMayDrop)
        .solve(budget: budget)
      lambda = solution.lambda
      decisions = ordered.enumerated().map { index, input in
        let scale = solution.scales[index]
        let reason = String(format: "budget λ=%.6g, r=%.3f", solution.lambda, ranks[index])
        return scale > 0 ? keep(input, scale: scale, rank: ranks[index], align: align, reason: reason)
          : dropped(input, rank: ranks[index], reason: reason)
      }
    }
    assignWeights(&decisions, scheme: weights)
    return Plan(policy: policy, weights: weights, decisions: decisions.sorted { $0.key < $1.key }, lambda: lambda)
  }

  /// Percentile ranks within each group of `groups`, and each input's position in its group with
  /// the group's size, for inputs sorted by (score, key). With ``RankGroups/split`` this is
  /// ``percentileRanks(_:)`` over the whole split.
  static func groupedRanks(_ ordered: [PlanInput], groups: RankGroups) -> (ranks: [Double], positions: [(index: Int, count: Int)]) {
    var members: [String: [Int]] = [:]
    for (index, input) in ordered.enumerated() { members[groups.group(of: input.key), default: []].append(index) }
    var ranks = [Double](repeating: 0, count: ordered.count)
    var positions = [(index: Int, count: Int)](repeating: (0, 0), count: ordered.count)
    for indices in members.values {
      for (position, (index, rank)) in zip(indices, percentileRanks(indices.map { ordered[$0] })).enumerated() {
        ranks[index] = rank
        positions[index] = (position, indices.count)
      }
    }
    return (ranks, positions)
  }

  /// Percentile ranks in [0, 1] of inputs sorted by (score, key); equal scores share their mean rank.
  static func percentileRanks(_ ordered: [PlanInput]) -> [Double] {
    guard ordered.count > 1 else { return ordered.map { _ in 1 } }
    var ranks = [Double](repeating: 0, count: ordered.count)
    var start = 0
    while start < ordered.count {
      var end = start
      while end + 1 < ordered.count && ordered[end + 1].score == ordered[start].score { end += 1 }
      let rank = Double(start + end) / 2 / Double(ordered.count - 1)
      for index in start...end { ranks[index] = rank }
      start = end + 1
    }
    return ranks
  }

  /// `round(length · scale)` rounded to the nearest multiple of `align` (at least `align`), never
  /// above `length`: resampling never upscales.
  ///
  /// When the nearest multiple would exceed `length` the side is rounded down to a multiple
  /// instead; a side shorter than `align` is left unaligned at `round(length · scale)`.
  public static func outputLength(_ length: Int, scale: Double, align: Int = 1) -> Int {
    let scaled = min(length, max(1, Int((Double(length) * scale).rounded())))
    guard align > 1, length >= align else { return scaled }
    let aligned = max(align, Int((Double(scaled) / Double(align)).rounded()) * align)
    return aligned <= length ? aligned : length / align * align
  }

  static func keep(_ input: PlanInput, scale: Double, rank: Double, align: Int, reason: String) -> Decision {
    Decision(
      key: input.key, keep: true, scale: scale, outputWidth: outputLength(input.width, scale: scale, align: align),
      outputHeight: outputLength(input.height, scale: scale, align: align), weight: 1, rank: rank, reason: reason)
  }

  static func dropped(_ input: PlanInput, rank: Double, reason: String) -> Decision {
    Decision(key: input.key, keep: false, scale: 0, outputWidth: 0, outputHeight: 0, weight: 0, rank: rank, reason: reason)
  }

  /// `w = min + (max − min) · r` over kept samples, renormalised to mean 1.
  static func assignWeights(_ decisions: inout [Decision], scheme: WeightScheme) {
    guard case .linear(let minimum, let maximum) = scheme else { return }
    let kept = decisions.indices.filter { decisions[$0].keep }
    guard !kept.isEmpty else { return }
    let raw = kept.map { minimum + (maximum - minimum) * decisions[$0].rank }
    let mean = raw.reduce(0, +) / Double(raw.count)
    for (position, index) in kept.enumerated() { decisions[index].weight = mean > 0 ? raw[position] / mean : 1 }
  }
}

public import DanceCore

/// What the planner needs to know about one sample.
public struct PlanInput: Sendable, Equatable {
  /// The sample key (ties in the ranking are broken by key, so plans never depend on input order).
  public var key: SampleKey
  /// Stored width in pixels.
  public var width: Int
  /// Stored height in pixels.
  public var height: Int
  /// The ranking indicator's value (higher = more complex).
  public var score: Double
  /// Label fidelity at each scale < 1 (`fidelity@s`), used by the budget policy; a missing scale
  /// counts as fidelity `s` (a neutral guess).
  public var fidelity: [Double: Double]

  /// Creates an input.
  public init(key: SampleKey, width: Int, height: Int, score: Double, fidelity: [Double: Double] = [:]) {
    self.key = key
    self.width = width
    self.height = height
    self.score = score
    self.fidelity = fidelity
  }
}

extension PlanInput {
  /// A sample's input from its cached scores (indicator → value): the `ranking` indicator's
  /// value oriented so that higher means more complex (``DanceCore/Indicator/complexity(_:)``), and
  /// the label fidelities the budget solver weighs. Nil without a value of `ranking`.
  public init?(key: SampleKey, width: Int, height: Int, scores: [Indicator: Double], ranking: Indicator) {
    guard let value = scores[ranking] else { return nil }
    var fidelity: [Double: Double] = [:]
    for indicator in [Indicator.fidelity75, .fidelity50, .fidelity25] {
      if let scale = indicator.scale, let survived = scores[indicator] { fidelity[scale] = survived }
    }
    self.init(key: key, width: width, height: height, score: ranking.complexity(value), fidelity: fidelity)
  }
}

/// The decision for one sample.
public struct Decision: Sendable, Equatable, Codable {
  /// The sample key.
  public var key: SampleKey
  /// Whether the sample is kept.
  public var keep: Bool
  /// The scale (0 when dropped).
  public var scale: Double
  /// Output width (`round(W·s)`, aligned, ≥ 1); 0 when dropped.
  public var outputWidth: Int
  /// Output height; 0 when dropped.
  public var outputHeight: Int
  /// Loss weight (0 when dropped).
  public var weight: Double
  /// Percentile rank of the sample's score in its split, 0 (simplest) to 1 (most complex).
  public var rank: Double
  /// Why, e.g. `r=0.12 < drop 0.1`, `band r<0.4`, `budget λ=…`.
  public var reason: String
}

/// A complete plan for one split.
public struct Plan: Sendable, Equatable, Codable {
  /// The policy that made it.
  public var policy: SlimmingPolicy
  /// The loss-weight scheme.
  public var weights: WeightScheme
  /// One decision per input, in key order.
  public var decisions: [Decision]
  /// The budget solver's λ (budget policy only).
  public var lambda: Double?

  /// Samples kept.
  public var keptCount: Int { decisions.filter(\.keep).count }
  /// Samples dropped.
  public var droppedCount: Int { decisions.count - keptCount }

  /// Kept pixels over original pixels of the split.
  public func pixelFraction(inputs: [PlanInput]) -> Double {
    let original = inputs.reduce(0) { $0 + $1.width * $1.height }
    let kept = decisions.reduce(0) { $0 + $1.outputWidth * $1.outputHeight }
    return original > 0 ? Double(kept) / Double(original) : 0
  }

  /// Kept samples per scale, ascending.
  public var countsByScale: [(scale: Double, count: Int)] {
    Dictionary(grouping: decisions.filter(\.keep), by: \.scale).map { ($0.key, $0.value.count) }.sorted { $0.scale < $1.scale }
  }

  /// Minimum, mean and maximum loss weight over kept samples.
  public var weightRange: (minimum: Double, mean: Double, maximum: Double)? {
    let weights = decisions.filter(\.keep).map(\.weight)
    guard let minimum = weights.min(), let maximum = weights.max() else { return nil }
    return (minimum, weights.reduce(0, +) / Double(weights.count), maximum)
  }
}

public import DanceCore

/// How a split's samples are slimmed: which are dropped and at which scale the others are kept.
///
/// Decisions depend only on the samples' scores, sizes and keys (and the policy), never on the
/// order they arrive in or on how the work is partitioned.
public enum SlimmingPolicy: Sendable, Equatable, Codable, CustomStringConvertible {
  /// Everything kept at scale 1.
  case none
  /// Everything kept at one scale (a baseline).
  case fixed(scale: Double)
  /// DANCE bands: rank by the indicator (percentile rank r ∈ [0, 1]); drop the lowest `drop`
  /// fraction; keep the rest at the scale of the first band whose upper bound exceeds r, else 1.
  case quantile(drop: Double, bands: [ScaleBand])
  /// Automated: each sample picks drop or one of `scales`, maximising
  /// `importance(r) · fidelity(option) − λ · pixels(option)`, with λ found by bisection so that the
  /// kept pixels fit `pixelBudget` (a fraction of the split's original pixels).
  case budget(pixelBudget: Double, scales: [Double])

  /// The DANCE bands: r < 0.4 → 0.5, r < 0.8 → 0.75 (else 1).
  public static let defaultBands = [ScaleBand(upTo: 0.4, scale: 0.5), ScaleBand(upTo: 0.8, scale: 0.75)]

  /// The fraction of the simplest samples the quantile policy drops by default.
  public static let defaultDrop = 0.1

  /// The DANCE defaults: drop 10 %, r < 0.4 → 0.5, r < 0.8 → 0.75, else 1.
  public static let quantileDefault = SlimmingPolicy.quantile(drop: defaultDrop, bands: defaultBands)

  /// The scales the budget solver may choose by default.
  public static let defaultBudgetScales = [0.25, 0.5, 0.75, 1.0]

  /// The budget policy's pixel budget, a fraction of the split's pixels in (0, 1]: the one
  /// definition `dance slim --budget`, a pipeline file's `budget:` and `dance experiment --budgets`
  /// all check against.
  public static let pixelBudget = NumericSetting(
    name: "budget", bounds: .number(lower: 0, includesLower: false, upper: 1, includesUpper: true))

  /// The pixel budget when none is given.
  public static let defaultPixelBudget = 0.5

  /// A short human-readable form, e.g. `quantile(drop 0.1; r<0.4→0.5, r<0.8→0.75, else 1)`.
  public var description: String {
    switch self {
    case .none: return "none"
    case .fixed(let scale): return "fixed(\(scale))"
    case .quantile(let drop, let bands):
      return "quantile(drop \(drop); " + bands.map { "r<\($0.upTo)→\($0.scale)" }.joined(separator: ", ") + ", else 1)"
    case .budget(let budget, let scales):
      return "budget(\(budget) of the pixels; scales " + scales.map { "\($0)" }.joined(separator: ", ") + ")"
    }
  }

  /// Checks the parameters: fractions in range, scales in (0, 1], bands increasing.
  public func validate() throws(SlimmingError) {
    switch self {
    case .none: return
    case .fixed(let scale):
      guard scale > 0 && scale <= 1 else { throw .invalidPolicy("the fixed scale must be in (0, 1], got \(scale)") }
    case .quantile(let drop, let bands):
      guard (0..<1).contains(drop) else { throw .invalidPolicy("drop must be in [0, 1), got \(drop)") }
      for (index, band) in bands.enumerated() {
        guard band.scale > 0 && band.scale <= 1 else { throw .invalidPolicy("band scales must be in (0, 1], got \(band.scale)") }
        guard band.upTo > 0 && band.upTo <= 1 else { throw .invalidPolicy("band bounds must be in (0, 1], got \(band.upTo)") }
        if index > 0 && band.upTo <= bands[index - 1].upTo { throw .invalidPolicy("band bounds must increase") }
      }
    case .budget(let budget, let scales):
      guard Self.pixelBudget.allows(budget) else {
        throw .invalidPolicy("the pixel budget must be \(Self.pixelBudget.requirement), got \(NumericSetting.format(budget))")
      }
      guard !scales.isEmpty, scales.allSatisfy({ $0 > 0 && $0 <= 1 }) else {
        throw .invalidPolicy("budget scales must be in (0, 1]")
      }
    }
  }
}

/// One quantile band: samples with percentile rank below `upTo` (and above the previous band) get `scale`.
public struct ScaleBand: Sendable, Equatable, Codable {
  /// Upper bound of the band's percentile ranks (exclusive).
  public var upTo: Double
  /// The scale of the band.
  public var scale: Double

  /// Creates a band.
  public init(upTo: Double, scale: Double) {
    self.upTo = upTo
    self.scale = scale
  }
}

/// How loss weights are assigned to kept samples.
public enum WeightScheme: Sendable, Equatable, Codable {
  /// Every kept sample weighs 1.
  case none
  /// `w = minimum + (maximum − minimum) · r`, renormalised to mean 1 over the kept samples.
  case linear(minimum: Double, maximum: Double)

  /// The DANCE default range of linear weights, before renormalisation.
  public static let standardRange = 0.5...1.5
  /// The DANCE default: 0.5 to 1.5.
  public static let standard = WeightScheme.linear(minimum: standardRange.lowerBound, maximum: standardRange.upperBound)
}

/// Why a plan cannot be made.
public enum SlimmingError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A policy parameter is out of range.
  case invalidPolicy(String)
  /// A sample lacks what the policy needs (its indicator value, or its size).
  case missingInput(key: SampleKey, reason: String)

  /// The reason as a sentence.
  public var description: String {
    switch self {
    case .invalidPolicy(let reason): "invalid policy: \(reason)"
    case .missingInput(let key, let reason): "sample \(key): \(reason)"
    }
  }
}

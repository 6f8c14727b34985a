import ImageCodecs

/// How much of a label map survives a nearest round trip: down by a scale with
/// ``NearestResampler`` and back up to the original size with the same rule.
///
/// The round trip is never materialised: the pixel that lands on `(x, y)` is the original pixel at
/// `(down(up(x)), down(up(y)))`, composing the two index maps of each axis (``roundTrip(_:scale:)``).
/// ``LabelStatistics`` counts the pixels that change, per class, in its single pass over the map;
/// this type turns those counts into the two indicators.
struct LabelFidelity: Sendable, Equatable {
  /// The fraction of valid pixels whose class survived (1 when there is no valid pixel).
  var overall: Double
  /// The smallest per-class survival ratio over the classes present (1 when none is).
  var worstClass: Double

  /// The indicators from the class histogram `counts` and the per-class losses `lost` of one scale
  /// (both indexed by label value; the ignore value is left out).
  init(counts: [Int], lost: [Int]) {
    var valid = 0
    var kept = 0
    var worst = 1.0
    for c in 0..<256 where c != Int(ComplexityScorer.ignoreLabel) && counts[c] > 0 {
      valid += counts[c]
      kept += counts[c] - lost[c]
      worst = min(worst, Double(counts[c] - lost[c]) / Double(counts[c]))
    }
    overall = valid == 0 ? 1 : Double(kept) / Double(valid)
    worstClass = worst
  }

  /// For each of `length` positions, the original index that reaches it after down and up sampling.
  static func roundTrip(_ length: Int, scale: Double) -> [Int32] {
    let reduced = NearestResampler.scaledLength(length, scale: scale)
    let down = NearestResampler.sourceIndices(sourceLength: length, destinationLength: reduced)
    let up = NearestResampler.sourceIndices(sourceLength: reduced, destinationLength: length)
    return up.map { Int32(down[$0]) }
  }
}

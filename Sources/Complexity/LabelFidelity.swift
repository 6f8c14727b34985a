import ImageCodecs

/// How much of a label map survives a nearest round trip: down by a scale with
/// ``NearestResampler`` and back up to the original size with the same rule.
///
/// The round trip is never materialised: the pixel that lands on `(x, y)` is the original pixel at
/// `(down(up(x)), down(up(y)))`, composing the two index maps of each axis.
struct LabelFidelity: Sendable, Equatable {
  /// The fraction of valid pixels whose class survived (1 when there is no valid pixel).
  var overall: Double
  /// The smallest per-class survival ratio over the classes present (1 when none is).
  var worstClass: Double

  /// Measures the round trip of `trainIds` at `scale`, given its class histogram.
  init(_ trainIds: Image8, scale: Double, counts: [Int]) {
    precondition(trainIds.channels == 1, "a train-id map has one channel")
    let width = trainIds.width
    let height = trainIds.height
    let ignore = ComplexityScorer.ignoreLabel
    let columns = Self.roundTrip(width, scale: scale)
    let rows = Self.roundTrip(height, scale: scale)
    // Losses are rare (they sit along boundaries), so count them per class behind a branch that
    // is almost never taken; survivors are the histogram minus the losses.
    var lost = [Int](repeating: 0, count: 256)
    trainIds.samples.withUnsafeBufferPointer { labels in
      columns.withUnsafeBufferPointer { columns in
        lost.withUnsafeMutableBufferPointer { lost in
          for y in 0..<height {
            let row = y * width
            let source = Int(rows[y]) * width
            for x in 0..<width {
              let c = labels[row + x]
              if labels[source + Int(columns[x])] != c { lost[Int(c)] += 1 }
            }
          }
        }
      }
    }
    var valid = 0
    var kept = 0
    var worst = 1.0
    for c in 0..<256 where c != Int(ignore) && counts[c] > 0 {
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

internal import Foundation
import ImageCodecs

/// Class histogram and boundary count of a train-id label map, from one pass over the pixels.
///
/// Pixels equal to ``ComplexityScorer/ignoreLabel`` are not valid: they are not counted, and they
/// are nobody's neighbour. A valid pixel is a boundary pixel when one of its 4-neighbours inside the
/// image is valid and of another class.
struct LabelStatistics: Sendable {
  /// Pixel count per label value (index 255, the ignore value, included).
  var counts: [Int]
  /// Number of boundary pixels.
  var boundaryCount: Int

  init(_ trainIds: Image8) {
    precondition(trainIds.channels == 1, "a train-id map has one channel")
    let width = trainIds.width
    let height = trainIds.height
    var counts = [Int](repeating: 0, count: 256)
    var boundary = 0
    let ignoredRow = [UInt8](repeating: ComplexityScorer.ignoreLabel, count: width)
    trainIds.samples.withUnsafeBufferPointer { labels in
      ignoredRow.withUnsafeBufferPointer { ignoredRow in
        counts.withUnsafeMutableBufferPointer { counts in
          guard let base = labels.baseAddress, let ignored = ignoredRow.baseAddress else { return }
          for y in 0..<height {
            let row = base + y * width
            let above = y > 0 ? row - width : ignored
            let below = y + 1 < height ? row + width : ignored
            boundary += Self.boundaryCount(row: row, above: above, below: below, width: width)
            Self.accumulateHistogram(row: row, width: width, into: counts)
          }
        }
      }
    }
    self.counts = counts
    self.boundaryCount = boundary
  }

  /// Boundary pixels of one row, 16 at a time in the interior.
  private static func boundaryCount(
    row: UnsafePointer<UInt8>, above: UnsafePointer<UInt8>, below: UnsafePointer<UInt8>, width: Int
  ) -> Int {
    let ignore = ComplexityScorer.ignoreLabel
    /// The scalar rule, for the first and last column and the tail.
    func isBoundary(_ x: Int) -> Bool {
      let c = row[x]
      guard c != ignore else { return false }
      let left = x > 0 ? row[x - 1] : ignore
      let right = x + 1 < width ? row[x + 1] : ignore
      return [left, right, above[x], below[x]].contains { $0 != c && $0 != ignore }
    }
    var count = isBoundary(0) ? 1 : 0
    var x = 1
    if width >= 18 {
      let ignoreLanes = SIMD16<UInt8>(repeating: ignore)
      var lanes = SIMD16<UInt8>(repeating: 0)
      let raw = UnsafeRawPointer(row)
      while x + 17 <= width {
        let c = raw.loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
        let l = raw.loadUnaligned(fromByteOffset: x - 1, as: SIMD16<UInt8>.self)
        let r = raw.loadUnaligned(fromByteOffset: x + 1, as: SIMD16<UInt8>.self)
        let u = UnsafeRawPointer(above).loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
        let d = UnsafeRawPointer(below).loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
        let differs =
          ((l .!= c) .& (l .!= ignoreLanes)) .| ((r .!= c) .& (r .!= ignoreLanes))
          .| ((u .!= c) .& (u .!= ignoreLanes)) .| ((d .!= c) .& (d .!= ignoreLanes))
        lanes &+= SIMD16<UInt8>(repeating: 0).replacing(with: 1, where: differs .& (c .!= ignoreLanes))
        x += 16
        if x % (16 * 255) == 1 {  // flush before a lane can wrap
          count += Int(SIMD16<UInt16>(truncatingIfNeeded: lanes).wrappedSum())
          lanes = .zero
        }
      }
      count += Int(SIMD16<UInt16>(truncatingIfNeeded: lanes).wrappedSum())
    }
    while x < width {
      if isBoundary(x) { count += 1 }
      x += 1
    }
    return count
  }

  /// Adds one row to the histogram, one add per run of equal labels (label maps are mostly long
  /// runs, and per-pixel increments would serialise on the same counter).
  private static func accumulateHistogram(row: UnsafePointer<UInt8>, width: Int, into counts: UnsafeMutableBufferPointer<Int>) {
    var current = row[0]
    var run = 0
    for x in 0..<width {
      let c = row[x]
      if c != current {
        counts[Int(current)] += run
        current = c
        run = 0
      }
      run += 1
    }
    counts[Int(current)] += run
  }

  /// Number of valid pixels (label ≠ ignore).
  var validCount: Int { counts.reduce(0, +) - counts[Int(ComplexityScorer.ignoreLabel)] }

  /// Boundary pixels over valid pixels, 0 when there is no valid pixel.
  var boundaryFraction: Double {
    let valid = validCount
    return valid == 0 ? 0 : Double(boundaryCount) / Double(valid)
  }

  /// Number of distinct valid classes.
  var classCount: Int {
    counts.indices.filter { $0 != Int(ComplexityScorer.ignoreLabel) && counts[$0] > 0 }.count
  }

  /// `−Σ p log₂ p` over the valid classes, 0 when there is no valid pixel.
  var entropy: Double {
    let valid = Double(validCount)
    guard valid > 0 else { return 0 }
    var entropy = 0.0
    for c in counts.indices where c != Int(ComplexityScorer.ignoreLabel) && counts[c] > 0 {
      let p = Double(counts[c]) / valid
      entropy -= p * log2(p)
    }
    return entropy
  }
}

internal import Foundation
import ImageCodecs

/// Class histogram, boundary count and nearest round-trip losses of a train-id label map, from one
/// pass over the pixels.
///
/// Pixels equal to ``ComplexityScorer/ignoreLabel`` are not valid: they are not counted, and they
/// are nobody's neighbour. A valid pixel is a boundary pixel when one of its 4-neighbours inside the
/// image is valid and of another class. For each requested fidelity scale the pass also counts, per
/// label value, the pixels whose class does not survive the nearest round trip (see
/// ``LabelFidelity``).
///
/// The map is read once, one row at a time, 16 pixels per step:
/// - **boundary**: the row and its left, right, upper and lower neighbours compared lane-wise;
/// - **histogram**: a step whose 16 labels all continue the current run adds 16 to it, any other
///   step walks its pixels (label maps are long runs, and per-pixel increments of the same counter
///   would serialise);
/// - **fidelity**: the round trip sends pixel `(x, y)` back from `(cols[x], rows[y])` (the
///   composed down and up index maps of each axis), so each scale keeps the horizontally resampled
///   source row `src[cols[x]]` in a row buffer, built once per distinct source row (a copy, gathered
///   again only near the ends of runs, as columns move by a pixel or two), and a step
///   compares 16 labels with it per scale; only the lanes that differ (rare, they sit on
///   boundaries) are visited, to count the losses per class.
struct LabelStatistics: Sendable {
  /// Pixel count per label value (index 255, the ignore value, included).
  var counts: [Int]
  /// Number of boundary pixels.
  var boundaryCount: Int
  /// For each scale passed to ``init(_:fidelityScales:)``, in order: per label value, the pixels
  /// whose class the round trip at that scale changes.
  var lost: [[Int]]

  /// The most fidelity scales one pass measures.
  static let maximumScales = 3

  /// Measures `trainIds` (one channel) and its round trips at up to three `fidelityScales`.
  init(_ trainIds: Image8, fidelityScales scales: [Double] = []) {
    precondition(trainIds.channels == 1, "a train-id map has one channel")
    precondition(scales.count <= Self.maximumScales, "at most \(Self.maximumScales) fidelity scales per pass")
    let width = trainIds.width
    let height = trainIds.height
    let slots = Self.maximumScales
    // Index maps per scale; unused slots compare each row with itself and never lose a pixel.
    let rowMaps = scales.map { LabelFidelity.roundTrip(height, scale: $0) }
    let columnMaps = scales.map { LabelFidelity.roundTrip(width, scale: $0) }
    // How far a column moves in the round trip, at most, per scale.
    let reaches = columnMaps.map { map in map.indices.map { abs(Int(map[$0]) - $0) }.max() ?? 0 }
    // counts (256) then lost (256 per slot), and the ignore row, the resampled rows.
    var tallies = [Int](repeating: 0, count: 256 * (1 + slots))
    var rows = [UInt8](repeating: ComplexityScorer.ignoreLabel, count: width * (1 + slots))
    var boundary = 0
    trainIds.samples.withUnsafeBufferPointer { labels in
      tallies.withUnsafeMutableBufferPointer { tallies in
        rows.withUnsafeMutableBufferPointer { rows in
          guard let base = labels.baseAddress, let tallies = tallies.baseAddress, let rows = rows.baseAddress else {
            return
          }
          let ignored = UnsafePointer(rows)
          let resampled = (0..<slots).map { rows + width * (1 + $0) }
          var cachedSource = [Int](repeating: -1, count: slots)
          for y in 0..<height {
            let row = base + y * width
            /// Where row `y` comes back from at scale `s`: the resampled source row, gathered when
            /// the source row changes (rows come back in order); the row itself for unused slots.
            func target(_ s: Int) -> UnsafePointer<UInt8> {
              guard s < scales.count else { return row }
              let source = Int(rowMaps[s][y])
              if source != cachedSource[s] {
                columnMaps[s].withUnsafeBufferPointer { columns in
                  Self.resample(base + source * width, columns, reach: reaches[s], into: resampled[s])
                }
                cachedSource[s] = source
              }
              return UnsafePointer(resampled[s])
            }
            boundary &+= Self.scanRow(
              RowPointers(
                row: row, above: y > 0 ? row - width : ignored, below: y + 1 < height ? row + width : ignored,
                target0: target(0), target1: target(1), target2: target(2)),
              width: width, counts: tallies, lost: tallies + 256)
          }
        }
      }
    }
    self.counts = Array(tallies[0..<256])
    self.lost = scales.indices.map { Array(tallies[(256 * (1 + $0))..<(256 * (2 + $0))]) }
    self.boundaryCount = boundary
  }

  /// `output[x] = source[columns[x]]`: a source row resampled along x, where no column moves by more
  /// than `reach`.
  ///
  /// A column can only change label if a run of `source` ends between it and where it comes from,
  /// so the row is copied and then gathered only within `reach` of the ends of runs, which are
  /// found 16 columns at a time.
  @inline(__always)
  private static func resample(
    _ source: UnsafePointer<UInt8>, _ columns: UnsafeBufferPointer<Int32>, reach: Int, into output: UnsafeMutablePointer<UInt8>
  ) {
    let width = columns.count
    output.update(from: source, count: width)
    /// Gathers the columns a run end between `t` and `t + 1` can affect, for every `t` in `ends`.
    @inline(__always)
    func fix(_ ends: Range<Int>) {
      for x in max(0, ends.lowerBound &- reach &+ 1)..<min(width, ends.upperBound &+ reach) {
        output[x] = source[Int(columns[x])]
      }
    }
    let raw = UnsafeRawPointer(source)
    var t = 0
    while t &+ 17 <= width {
      let here = raw.loadUnaligned(fromByteOffset: t, as: SIMD16<UInt8>.self)
      let next = raw.loadUnaligned(fromByteOffset: t &+ 1, as: SIMD16<UInt8>.self)
      if !allLanes(here .== next) { fix(t..<(t &+ 16)) }
      t &+= 16
    }
    while t &+ 1 < width {
      if source[t] != source[t &+ 1] { fix(t..<(t &+ 1)) }
      t &+= 1
    }
  }

  /// The rows one step of ``scanRow(_:width:counts:lost:)`` reads: the row, its neighbours above and
  /// below (an all-ignore row outside the image), and the three round-trip targets.
  private struct RowPointers {
    var row: UnsafePointer<UInt8>
    var above: UnsafePointer<UInt8>
    var below: UnsafePointer<UInt8>
    var target0: UnsafePointer<UInt8>
    var target1: UnsafePointer<UInt8>
    var target2: UnsafePointer<UInt8>
  }

  /// Adds one row to the histogram (`counts`) and the round-trip losses (`lost`, 256 per target),
  /// and returns its boundary pixels: scalar for the first column and the tail, 16 pixels per step
  /// in between.
  @inline(__always)
  private static func scanRow(
    _ p: RowPointers, width: Int, counts: UnsafeMutablePointer<Int>, lost: UnsafeMutablePointer<Int>
  ) -> Int {
    let ignore = ComplexityScorer.ignoreLabel
    var current = p.row[0]  // the histogram's open run
    var run = 0

    /// Everything for the pixel at `x` alone; returns whether it is a boundary pixel.
    @inline(__always)
    func pixel(_ x: Int) -> Bool {
      let c = p.row[x]
      if c != current {
        counts[Int(current)] &+= run
        current = c
        run = 0
      }
      run &+= 1
      if p.target0[x] != c { lost[Int(c)] &+= 1 }
      if p.target1[x] != c { lost[256 + Int(c)] &+= 1 }
      if p.target2[x] != c { lost[512 + Int(c)] &+= 1 }
      guard c != ignore else { return false }
      let left = x > 0 ? p.row[x - 1] : ignore
      let right = x + 1 < width ? p.row[x + 1] : ignore
      let neighbours = (left, right, p.above[x], p.below[x])
      return (neighbours.0 != c && neighbours.0 != ignore) || (neighbours.1 != c && neighbours.1 != ignore)
        || (neighbours.2 != c && neighbours.2 != ignore) || (neighbours.3 != c && neighbours.3 != ignore)
    }

    var count = pixel(0) ? 1 : 0
    var x = 1
    if width >= 18 {
      let ignoreLanes = SIMD16<UInt8>(repeating: ignore)
      var currentLanes = SIMD16<UInt8>(repeating: current)
      var quietLanes = SIMD16<UInt8>.zero  // per lane, steps where the pixel is not a boundary
      var steps = 0
      let raw = UnsafeRawPointer(p.row)
      while x &+ 17 <= width {
        let c = raw.loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
        let l = raw.loadUnaligned(fromByteOffset: x &- 1, as: SIMD16<UInt8>.self)
        let r = raw.loadUnaligned(fromByteOffset: x &+ 1, as: SIMD16<UInt8>.self)
        let u = UnsafeRawPointer(p.above).loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
        let d = UnsafeRawPointer(p.below).loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
        // A pixel is quiet (not a boundary) when it is ignored or each neighbour is of its class
        // or ignored; a true lane is all ones, so subtracting the mask counts quiet pixels.
        let quiet =
          ((l .== c) .| (l .== ignoreLanes)) .& ((r .== c) .| (r .== ignoreLanes))
          .& ((u .== c) .| (u .== ignoreLanes)) .& ((d .== c) .| (d .== ignoreLanes)) .| (c .== ignoreLanes)
        quietLanes &-= unsafeBitCast(quiet, to: SIMD16<UInt8>.self)
        steps &+= 1
        if steps == 255 {  // flush before a lane can wrap
          count &+= 16 * steps &- Int(SIMD16<UInt16>(truncatingIfNeeded: quietLanes).wrappedSum())
          quietLanes = .zero
          steps = 0
        }

        let t0 = UnsafeRawPointer(p.target0).loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
        let t1 = UnsafeRawPointer(p.target1).loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
        let t2 = UnsafeRawPointer(p.target2).loadUnaligned(fromByteOffset: x, as: SIMD16<UInt8>.self)
        let kept0 = t0 .== c
        let kept1 = t1 .== c
        let kept2 = t2 .== c
        let sameRun = c .== currentLanes
        if Self.allLanes(kept0 .& kept1 .& kept2 .& sameRun) {
          run &+= 16  // the run goes on and nothing changes: the common case
        } else {
          if Self.allLanes(sameRun) {
            run &+= 16
          } else {
            for i in x..<(x &+ 16) {  // walk the runs
              let label = p.row[i]
              if label != current {
                counts[Int(current)] &+= run
                current = label
                run = 0
              }
              run &+= 1
            }
            currentLanes = SIMD16<UInt8>(repeating: current)
          }
          Self.countLosses(kept0, at: x, of: p.row, into: lost)
          Self.countLosses(kept1, at: x, of: p.row, into: lost + 256)
          Self.countLosses(kept2, at: x, of: p.row, into: lost + 512)
        }
        x &+= 16
      }
      count &+= 16 * steps &- Int(SIMD16<UInt16>(truncatingIfNeeded: quietLanes).wrappedSum())
    }
    while x < width {
      if pixel(x) { count &+= 1 }
      x &+= 1
    }
    counts[Int(current)] &+= run
    return count
  }

  /// Adds one to `lost[label]` for each pixel `row[x + i]` whose lane `i` of `kept` is clear.
  @inline(__always)
  private static func countLosses(
    _ kept: SIMDMask<SIMD16<Int8>>, at x: Int, of row: UnsafePointer<UInt8>, into lost: UnsafeMutablePointer<Int>
  ) {
    let words = ~unsafeBitCast(kept, to: SIMD2<UInt64>.self)  // a lost lane is a 0xFF byte
    for half in 0..<2 {
      var word = words[half]
      while word != 0 {
        let bit = word.trailingZeroBitCount  // the first bit of a lost lane's byte
        lost[Int(row[x &+ 8 &* half &+ bit &>> 3])] &+= 1
        word &= ~(0xFF &<< UInt64(bit))
      }
    }
  }

  /// Whether every lane of `mask` is set. (The standard library's `all(_:)` calls a generic lane
  /// minimum, a few dozen instructions on SSE2; this is an AND of two words.)
  @inline(__always)
  private static func allLanes(_ mask: SIMDMask<SIMD16<Int8>>) -> Bool {
    let words = unsafeBitCast(mask, to: SIMD2<UInt64>.self)
    return words[0] & words[1] == .max
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

import ImageCodecs

/// Mean and population standard deviation of the 3×3 Sobel gradient magnitude over the pixels away
/// from the 1-pixel border: `si-mean` and `si` (ITU-T P.910, legacy, full range).
///
/// `Gx = [[-1,0,1],[-2,0,2],[-1,0,1]] * Y`, `Gy` its transpose, unnormalised, on the 8-bit luma
/// scale; magnitude `sqrt(Gx² + Gy²)`; statistics over the `(H − 2)(W − 2)` pixels whose 3×3
/// neighbourhood lies inside the image (both are 0 for images narrower or shorter than 3 pixels).
///
/// One streaming pass over the image, one output row at a time, with no full-size intermediate:
/// 1. **Luma** (``LumaPlane/convertRow(_:width:channels:into:scratch:)``): the row below is converted
///    to `1000 · Y` into a ring of three row buffers, so each image row is read once;
/// 2. **Vertical** taps down each column: `a + 2b + c` and `c − a` of the rows above, at and below;
/// 3. **Horizontal** taps and magnitude: `Gx`, `Gy` from three neighbouring columns of those, and
///    `sqrt(Gx² + Gy²)` in `Float`, in the same pass as
/// 4. **Statistics**: the row's magnitudes and their squares, shifted by the mean so far so that the
///    squares do not cancel, summed in `Float` over 16 columns and in `Double` beyond, and merged
///    across rows with Chan's formula.
///
/// Steps 1–4 are loops over `Float` row buffers, four lanes at a time. Luma, the taps and `Gx`, `Gy`
/// are exact integers below 2²⁴, so exact in `Float`; `Gx² + Gy²` and its square root round, each
/// magnitude to within 2⁻²³ relative, and each 16-column partial sum adds a few ulps of its own.
/// These errors are unbiased and do not add up: the tests hold `si` to 1e-6 relative of an exact
/// `Double` reference (in practice far closer).
struct SobelStatistics: Sendable, Equatable {
  /// Mean magnitude (`si-mean`).
  var mean: Double
  /// Population standard deviation of the magnitude (`si`).
  var standardDeviation: Double

  /// Computes the statistics of `image`'s luma (1 to 4 channels of 8 bits).
  init(_ image: Image8) {
    var accumulator = Accumulator()
    accumulator.consumeRows(of: image)
    self = accumulator.statistics
  }

  init(mean: Double, standardDeviation: Double) {
    self.mean = mean
    self.standardDeviation = standardDeviation
  }

  /// The streaming computation: image rows go in top first (``ImageRowConsumer``), and after the
  /// last one ``statistics`` holds the result. It keeps three luma rows and three scratch rows, never
  /// the image.
  struct Accumulator: ImageRowConsumer {
    /// The image's size, as announced by ``begin(width:height:channels:)``.
    private(set) var width = 0
    private(set) var height = 0
    private var channels = 0
    private var rowsSeen = 0
    private var total = 0.0  // pixels merged so far
    private var mean = 0.0
    private var sumOfSquares = 0.0  // Σ (g − mean)² over the merged pixels
    /// Three luma rows (a ring), the two vertical tap rows, the luma scratch.
    private var scratch: [Float] = []

    init() {}

    mutating func begin(width: Int, height: Int, channels: Int) {
      self.width = width
      self.height = height
      self.channels = channels
      rowsSeen = 0
      total = 0
      mean = 0
      sumOfSquares = 0
      scratch = [Float](repeating: 0, count: 5 * width + LumaPlane.scratchCount(width: width, channels: channels))
    }

    mutating func consume(row: UnsafeBufferPointer<UInt8>) {
      guard let input = row.baseAddress, width >= 3 else { return }
      let y = rowsSeen  // the row now converted; the row above it is scored once it is known
      rowsSeen += 1
      let width = width
      let inner = width - 2
      let count = Double(inner)
      let row = scratch.withUnsafeMutableBufferPointer { scratch -> (mean: Double, deviation: Double)? in
        guard let base = scratch.baseAddress else { return nil }
        let c = base + (y % 3) * width
        LumaPlane.convertRow(input, width: width, channels: channels, into: c, scratch: base + 5 * width)
        guard y >= 2 else { return nil }
        let a = base + ((y - 2) % 3) * width
        let b = base + ((y - 1) % 3) * width
        let smooth = base + 3 * width  // a + 2b + c down each column
        let difference = base + 4 * width  // c − a down each column
        // In blocks of 512 columns, so the tap rows are still in L1 for the horizontal pass: the
        // vertical taps, then the horizontal taps, magnitudes and their sums in one pass, shifted by
        // the mean so far (or the row's first magnitude) so the squares never cancel badly.
        var shift = total > 0 ? mean : .nan
        var sum = 0.0
        var sumOfSquares = 0.0
        for start in stride(from: 0, to: inner, by: 512) {
          let end = min(inner, start + 512)
          for x in start..<(end + 2) {
            smooth[x] = a[x] + 2 * b[x] + c[x]
            difference[x] = c[x] - a[x]
          }
          if shift.isNaN { shift = Double(SobelStatistics.magnitude(smooth, difference, 0)) }
          let block = SobelStatistics.magnitudeSums(smooth + start, difference + start, end - start, shift: shift)
          sum += block.sum
          sumOfSquares += block.sumOfSquares
        }
        return (shift + sum / count, max(0, sumOfSquares - sum * sum / count))
      }
      guard let row else { return }
      let merged = total + count
      let delta = row.mean - mean
      mean += delta * count / merged
      sumOfSquares += row.deviation + delta * delta * total * count / merged
      total = merged
    }

    /// The statistics of the rows consumed so far (both 0 before three full rows).
    var statistics: SobelStatistics {
      guard total > 0 else { return SobelStatistics(mean: 0, standardDeviation: 0) }
      // Magnitudes were on the 1000 · Y scale.
      return SobelStatistics(mean: mean / 1000, standardDeviation: (sumOfSquares / total).squareRoot() / 1000)
    }
  }

  /// The Sobel magnitude at inner column `i` from the vertical tap rows.
  @inline(__always)
  fileprivate static func magnitude(_ smooth: UnsafeMutablePointer<Float>, _ difference: UnsafeMutablePointer<Float>, _ i: Int) -> Float {
    let gx = smooth[i + 2] - smooth[i]
    let gy = difference[i] + 2 * difference[i + 1] + difference[i + 2]
    return (gx * gx + gy * gy).squareRoot()
  }

  /// `Σ (gᵢ − shift)` and `Σ (gᵢ − shift)²` over the magnitudes `gᵢ` of the `n` inner columns.
  ///
  /// Four columns at a time: `gx`, `gy` and the magnitude in `Float` (the same operations as
  /// ``magnitude(_:_:_:)``), the shifted values summed in `Float` over blocks of 16 columns (a few
  /// ulps) and the block sums in `Double`.
  @inline(__always)
  fileprivate static func magnitudeSums(
    _ smooth: UnsafeMutablePointer<Float>, _ difference: UnsafeMutablePointer<Float>, _ n: Int, shift: Double
  ) -> (sum: Double, sumOfSquares: Double) {
    let s = UnsafeRawPointer(smooth)
    let d = UnsafeRawPointer(difference)
    let shiftLanes = SIMD4<Float>(repeating: Float(shift))
    let shiftError = shift - Double(Float(shift))  // what the Float shift left out, added back below
    var sums = SIMD4<Double>.zero
    var squares = SIMD4<Double>.zero
    var i = 0
    while i + 16 <= n {
      var blockSum = SIMD4<Float>.zero
      var blockSquares = SIMD4<Float>.zero
      for k in stride(from: i, to: i + 16, by: 4) {
        let gx = s.loadUnaligned(fromByteOffset: 4 * (k + 2), as: SIMD4<Float>.self) - s.loadUnaligned(fromByteOffset: 4 * k, as: SIMD4<Float>.self)
        let gy = d.loadUnaligned(fromByteOffset: 4 * k, as: SIMD4<Float>.self)
          + 2 * d.loadUnaligned(fromByteOffset: 4 * (k + 1), as: SIMD4<Float>.self)
          + d.loadUnaligned(fromByteOffset: 4 * (k + 2), as: SIMD4<Float>.self)
        let v = (gx * gx + gy * gy).squareRoot() - shiftLanes
        blockSum += v
        blockSquares += v * v
      }
      sums += SIMD4<Double>(blockSum)
      squares += SIMD4<Double>(blockSquares)
      i += 16
    }
    // Relative to the Double shift: Σ(g − s) = Σ(g − s_f) − n·e and Σ(g − s)² = Σ(g − s_f)² − 2e·Σ(g − s_f) + n·e².
    let blocks = Double(i)
    var sum = sums.sum()
    var sumOfSquares = squares.sum() - 2 * shiftError * sum + blocks * shiftError * shiftError
    sum -= blocks * shiftError
    while i < n {
      let v = Double(magnitude(smooth, difference, i)) - shift
      sum += v
      sumOfSquares += v * v
      i += 1
    }
    return (sum, sumOfSquares)
  }
}

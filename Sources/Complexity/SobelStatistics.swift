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
///    `sqrt(Gx² + Gy²)` in `Float`;
/// 4. **Statistics**: the row's magnitudes summed in `Double`, in two passes (mean, then squared
///    deviations), and merged across rows with Chan's formula.
///
/// Steps 1–3 are plain loops over `Float` row buffers that the optimiser vectorises. Luma, the taps
/// and `Gx`, `Gy` are exact integers below 2²⁴, so exact in `Float`; only `Gx² + Gy²` and its
/// square root round, each magnitude to within 2⁻²³ relative. `si-mean` is therefore within about
/// 1e-7 relative of the exact value, and `si` within 1e-7 · √(1 + (mean / std)²) relative (far
/// better in practice: the rounding errors are unbiased and do not add up).
struct SobelStatistics: Sendable, Equatable {
  /// Mean magnitude (`si-mean`).
  var mean: Double
  /// Population standard deviation of the magnitude (`si`).
  var standardDeviation: Double

  /// Computes the statistics of `image`'s luma (1 to 4 channels of 8 bits).
  init(_ image: Image8) {
    var accumulator = Accumulator()
    accumulator.begin(width: image.width, height: image.height, channels: image.channels)
    let rowLength = image.width * image.channels
    image.samples.withUnsafeBufferPointer { samples in
      for y in 0..<image.height {
        accumulator.consume(row: UnsafeBufferPointer(rebasing: samples[(y * rowLength)..<((y + 1) * rowLength)]))
      }
    }
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
    /// Three luma rows (a ring), the two vertical tap rows, the magnitudes, the luma scratch.
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
      scratch = [Float](repeating: 0, count: 6 * width + LumaPlane.scratchCount(width: width, channels: channels))
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
        LumaPlane.convertRow(input, width: width, channels: channels, into: c, scratch: base + 6 * width)
        guard y >= 2 else { return nil }
        let a = base + ((y - 2) % 3) * width
        let b = base + ((y - 1) % 3) * width
        let smooth = base + 3 * width  // a + 2b + c down each column
        let difference = base + 4 * width  // c − a down each column
        let magnitudes = base + 5 * width
        for x in 0..<width {
          smooth[x] = a[x] + 2 * b[x] + c[x]
          difference[x] = c[x] - a[x]
        }
        for i in 0..<inner {
          let gx = smooth[i + 2] - smooth[i]
          let gy = difference[i] + 2 * difference[i + 1] + difference[i + 2]
          magnitudes[i] = (gx * gx + gy * gy).squareRoot()
        }
        // Two passes within the row (it is in L1), then Chan's merge across rows.
        let rowMean = SobelStatistics.sum(magnitudes, inner, centre: 0, squared: false) / count
        return (rowMean, SobelStatistics.sum(magnitudes, inner, centre: rowMean, squared: true))
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

  /// `Σ (aᵢ − centre)²`, or `Σ (aᵢ − centre)` when `squared` is false, over `n` values, in `Double`,
  /// eight lanes at a time.
  @inline(__always)
  fileprivate static func sum(_ a: UnsafeMutablePointer<Float>, _ n: Int, centre: Double, squared: Bool) -> Double {
    let raw = UnsafeRawPointer(a)
    let centreLanes = SIMD4<Double>(repeating: centre)
    var lanes0 = SIMD4<Double>.zero
    var lanes1 = SIMD4<Double>.zero
    var i = 0
    while i + 8 <= n {
      let v0 = SIMD4<Double>(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD4<Float>.self)) - centreLanes
      let v1 = SIMD4<Double>(raw.loadUnaligned(fromByteOffset: i * 4 + 16, as: SIMD4<Float>.self)) - centreLanes
      lanes0 += squared ? v0 * v0 : v0
      lanes1 += squared ? v1 * v1 : v1
      i += 8
    }
    var total = (lanes0 + lanes1).sum()
    while i < n {
      let v = Double(a[i]) - centre
      total += squared ? v * v : v
      i += 1
    }
    return total
  }
}

/// Mean and population standard deviation of the 3×3 Sobel gradient magnitude over the pixels away
/// from the 1-pixel border: `si-mean` and `si` (ITU-T P.910, legacy, full range).
///
/// `Gx = [[-1,0,1],[-2,0,2],[-1,0,1]] * Y`, `Gy` its transpose, unnormalised, on the 8-bit luma
/// scale; magnitude `sqrt(Gx² + Gy²)`; statistics over the `(H − 2)(W − 2)` pixels whose 3×3
/// neighbourhood lies inside the image (both are 0 for images narrower or shorter than 3 pixels).
/// The gradients are exact integers on `1000 · Y`; magnitudes and sums are `Double`, and the
/// variance is accumulated per row in two passes and merged across rows with Chan's
/// formula, so `si` keeps far better than 1e-9 relative accuracy.
struct SobelStatistics: Sendable, Equatable {
  /// Mean magnitude (`si-mean`).
  var mean: Double
  /// Population standard deviation of the magnitude (`si`).
  var standardDeviation: Double

  init(_ luma: LumaPlane) {
    let width = luma.width
    let height = luma.height
    guard width >= 3 && height >= 3 else {
      self.mean = 0
      self.standardDeviation = 0
      return
    }
    let inner = width - 2
    var smooth = [Int32](repeating: 0, count: width)  // a + 2b + c down each column
    var difference = [Int32](repeating: 0, count: width)  // c − a down each column
    var magnitudes = [Double](repeating: 0, count: inner)
    var total = 0.0  // pixels merged so far
    var mean = 0.0
    var sumOfSquares = 0.0  // Σ (g − mean)² over the merged pixels
    let count = Double(inner)
    luma.milli.withUnsafeBufferPointer { plane in
      smooth.withUnsafeMutableBufferPointer { smooth in
        difference.withUnsafeMutableBufferPointer { difference in
            magnitudes.withUnsafeMutableBufferPointer { magnitudes in
              for y in 1..<(height - 1) {
                let above = (y - 1) * width
                let row = y * width
                let below = (y + 1) * width
                for x in 0..<width {
                  let a = plane[above + x]
                  let c = plane[below + x]
                  smooth[x] = a &+ 2 &* plane[row + x] &+ c
                  difference[x] = c &- a
                }
                // No reductions here, so the loop vectorises.
                for i in 0..<inner {
                  let gx = Double(smooth[i + 2] &- smooth[i])
                  let gy = Double(difference[i] &+ 2 &* difference[i + 1] &+ difference[i + 2])
                  magnitudes[i] = (gx * gx + gy * gy).squareRoot()
                }
                // Two passes within the row (it is in L1), then Chan's merge across rows.
                let rowMean = Self.sum(magnitudes, squared: false) / count
                let rowDeviation = Self.sum(magnitudes, centre: rowMean, squared: true)
                let merged = total + count
                let delta = rowMean - mean
                mean += delta * count / merged
                sumOfSquares += rowDeviation + delta * delta * total * count / merged
                total = merged
              }
            }
          }
        }
      }
    // Magnitudes were on the 1000 · Y scale.
    self.mean = mean / 1000
    self.standardDeviation = (sumOfSquares / total).squareRoot() / 1000
  }

  /// `Σ (aᵢ − centre)²`, or `Σ aᵢ` when `squared` is false, eight lanes at a time.
  @inline(__always)
  private static func sum(_ a: UnsafeMutableBufferPointer<Double>, centre: Double = 0, squared: Bool) -> Double {
    guard let base = a.baseAddress else { return 0 }
    let raw = UnsafeRawPointer(base)
    let centreLanes = SIMD4<Double>(repeating: centre)
    var lanes0 = SIMD4<Double>.zero
    var lanes1 = SIMD4<Double>.zero
    var i = 0
    let n = a.count
    while i + 8 <= n {
      let v0 = raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self) - centreLanes
      let v1 = raw.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self) - centreLanes
      lanes0 += squared ? v0 * v0 : v0
      lanes1 += squared ? v1 * v1 : v1
      i += 8
    }
    var total = (lanes0 + lanes1).sum()
    while i < n {
      let v = a[i] - centre
      total += squared ? v * v : v
      i += 1
    }
    return total
  }
}

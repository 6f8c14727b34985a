internal import Foundation

/// Canny edge detection on luma, counting edge pixels for `edge-density`.
///
/// The steps follow OpenCV's `GaussianBlur` + `Canny(…, L2gradient: true)` in floating point:
/// 1. a normalised 5×5 Gaussian, σ = 1.4, applied separably with reflect-101 borders (`dcb|abcd|cba`);
/// 2. 3×3 Sobel gradients with replicated borders, and the L2 magnitude (compared squared);
/// 3. non-maximum suppression along the gradient quantised to 0°, 45°, 90° and 135°
///    (`|Gy| < tan 22.5°·|Gx|` is horizontal, `|Gy| > tan 67.5°·|Gx|` vertical, else diagonal), with
///    OpenCV's tie rule: strictly greater than the neighbour before, at least the one after
///    (strictly greater than both on diagonals); magnitudes outside the image count as 0;
/// 4. hysteresis: pixels above ``highThreshold`` seed edges, pixels above ``lowThreshold`` join
///    an edge 8-connected to a seed.
enum CannyEdgeDetector {
  /// The lower hysteresis threshold on the 8-bit-scale gradient magnitude.
  static let lowThreshold: Float = 50
  /// The upper hysteresis threshold on the 8-bit-scale gradient magnitude.
  static let highThreshold: Float = 100
  /// The Gaussian's standard deviation in pixels.
  static let sigma = 1.4

  /// The five normalised Gaussian taps, centre in the middle.
  static let kernel: [Float] = {
    let raw = (-2...2).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
    let sum = raw.reduce(0, +)
    return raw.map { Float($0 / sum) }
  }()

  /// Reflect-101 index for `i` in `-2 ..< length + 2` (OpenCV `BORDER_REFLECT_101`).
  static func reflect101(_ i: Int, _ length: Int) -> Int {
    guard length > 1 else { return 0 }
    var i = i
    while i < 0 || i >= length { i = i < 0 ? -i : 2 * (length - 1) - i }
    return i
  }

  /// The number of edge pixels of `luma`.
  static func edgeCount(_ luma: LumaPlane) -> Int {
    let width = luma.width
    let height = luma.height
    let stride = width + 2  // padded planes carry a 1-pixel frame
    let k0 = kernel[0]
    let k1 = kernel[1]
    let k2 = kernel[2]

    // 1. Horizontal blur of each row into `rows` (unpadded), then vertical blur into `blurred`
    //    (padded, frame filled by replication for the Sobel step).
    var rows = [Float](repeating: 0, count: width * height)
    var padded = [Float](repeating: 0, count: width + 4)
    luma.milli.withUnsafeBufferPointer { plane in
      rows.withUnsafeMutableBufferPointer { rows in
        padded.withUnsafeMutableBufferPointer { padded in
          for y in 0..<height {
            let row = y * width
            for x in 0..<width { padded[x + 2] = Float(plane[row + x]) * 0.001 }
            for x in [-2, -1, width, width + 1] { padded[x + 2] = padded[reflect101(x, width) + 2] }
            for x in 0..<width {
              rows[row + x] = k0 * (padded[x] + padded[x + 4]) + k1 * (padded[x + 1] + padded[x + 3]) + k2 * padded[x + 2]
            }
          }
        }
      }
    }
    var blurred = [Float](repeating: 0, count: stride * (height + 2))
    rows.withUnsafeBufferPointer { rows in
      blurred.withUnsafeMutableBufferPointer { blurred in
        for y in 0..<height {
          let m2 = reflect101(y - 2, height) * width
          let m1 = reflect101(y - 1, height) * width
          let p1 = reflect101(y + 1, height) * width
          let p2 = reflect101(y + 2, height) * width
          let c = y * width
          let out = (y + 1) * stride + 1
          for x in 0..<width {
            blurred[out + x] = k0 * (rows[m2 + x] + rows[p2 + x]) + k1 * (rows[m1 + x] + rows[p1 + x]) + k2 * rows[c + x]
          }
          blurred[out - 1] = blurred[out]
          blurred[out + width] = blurred[out + width - 1]
        }
        for x in 0..<stride {
          blurred[x] = blurred[stride + x]
          blurred[(height + 1) * stride + x] = blurred[height * stride + x]
        }
      }
    }

    // 2. Squared L2 magnitude, padded with a frame of zeros.
    var magnitude = [Float](repeating: 0, count: stride * (height + 2))
    blurred.withUnsafeBufferPointer { b in
      magnitude.withUnsafeMutableBufferPointer { magnitude in
        for y in 1...height {
          let row = y * stride
          for i in (row + 1)..<(row + width + 1) {
            let (gx, gy) = gradient(b, i, stride)
            magnitude[i] = gx * gx + gy * gy
          }
        }
      }
    }

    // 3. Non-maximum suppression: 0 = weak candidate, 1 = no edge, 2 = edge.
    let low = lowThreshold * lowThreshold
    let high = highThreshold * highThreshold
    let tan22: Float = 0.414_213_56
    let tan67: Float = 2.414_213_6
    var map = [UInt8](repeating: 1, count: stride * (height + 2))
    var stack = [Int32]()
    blurred.withUnsafeBufferPointer { b in
      magnitude.withUnsafeBufferPointer { mag in
        map.withUnsafeMutableBufferPointer { map in
          for y in 1...height {
            let row = y * stride
            for i in (row + 1)..<(row + width + 1) {
              let m = mag[i]
              guard m > low else { continue }
              let (gx, gy) = gradient(b, i, stride)
              let ax = abs(gx)
              let ay = abs(gy)
              let isMaximum: Bool
              if ay < ax * tan22 {
                isMaximum = m > mag[i - 1] && m >= mag[i + 1]
              } else if ay > ax * tan67 {
                isMaximum = m > mag[i - stride] && m >= mag[i + stride]
              } else {
                let s = (gx < 0) != (gy < 0) ? -1 : 1
                isMaximum = m > mag[i - stride - s] && m > mag[i + stride + s]
              }
              guard isMaximum else { continue }
              if m > high {
                map[i] = 2
                stack.append(Int32(i))
              } else {
                map[i] = 0
              }
            }
          }

          // 4. Hysteresis: grow edges from the seeds through 8-connected candidates.
          let neighbours = [-stride - 1, -stride, -stride + 1, -1, 1, stride - 1, stride, stride + 1]
          while let last = stack.popLast() {
            let i = Int(last)
            for offset in neighbours where map[i + offset] == 0 {
              map[i + offset] = 2
              stack.append(Int32(i + offset))
            }
          }
        }
      }
    }
    return map.withUnsafeBufferPointer { map in
      var count = 0
      for value in map where value == 2 { count += 1 }
      return count
    }
  }

  /// The Sobel gradient at padded index `i` of the blurred plane.
  @inline(__always)
  private static func gradient(_ b: UnsafeBufferPointer<Float>, _ i: Int, _ stride: Int) -> (Float, Float) {
    let a = i - stride
    let c = i + stride
    let gx = (b[a + 1] - b[a - 1]) + 2 * (b[i + 1] - b[i - 1]) + (b[c + 1] - b[c - 1])
    let gy = (b[c - 1] + 2 * b[c] + b[c + 1]) - (b[a - 1] + 2 * b[a] + b[a + 1])
    return (gx, gy)
  }
}

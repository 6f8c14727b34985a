/// Element-wise and reduction loops over contiguous float32 buffers, written with `SIMD16<Float>`
/// so that they vectorise on the baseline x86-64 target (SSE2) and wider.
///
/// Every function takes raw pointers and an element count; pointers may alias only where stated.
/// Reductions sum in sixteen lanes, then across lanes, which is more accurate than one running sum.
public enum VectorKernels {
  typealias V = SIMD16<Float>

  @inline(__always) private static func load(_ p: UnsafePointer<Float>, _ i: Int) -> V {
    UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
  }

  @inline(__always) private static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V.self)
  }

  /// `Σ x[i]`.
  public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var acc = V(), i = 0
    while i + 16 <= count { acc += load(x, i); i += 16 }
    var total = acc.sum()
    while i < count { total += x[i]; i += 1 }
    return total
  }

  /// `Σ (x[i] − mean)²`.
  public static func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, count: Int, mean: Float) -> Float {
    var acc = V(), i = 0
    let m = V(repeating: mean)
    while i + 16 <= count { let d = load(x, i) - m; acc += d * d; i += 16 }
    var total = acc.sum()
    while i < count { let d = x[i] - mean; total += d * d; i += 1 }
    return total
  }

  /// `(Σ dy[i], Σ dy[i] · (x[i] − mean))`.
  public static func sumAndCenteredDot(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count: Int, mean: Float) -> (Float, Float) {
    var s = V(), sx = V(), i = 0
    let m = V(repeating: mean)
    while i + 16 <= count {
      let g = load(dy, i)
      s += g
      sx += g * (load(x, i) - m)
      i += 16
    }
    var total = s.sum(), dot = sx.sum()
    while i < count { total += dy[i]; dot += dy[i] * (x[i] - mean); i += 1 }
    return (total, dot)
  }

  /// `y[i] = a · x[i] + b` (`y` may equal `x`).
  public static func affine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, scale a: Float, shift b: Float) {
    var i = 0
    let va = V(repeating: a), vb = V(repeating: b)
    while i + 16 <= count { store(load(x, i) * va + vb, y, i); i += 16 }
    while i < count { y[i] = x[i] * a + b; i += 1 }
  }

  /// `z[i] = a · x[i] + b · y[i] + c` (`z` may equal `x` or `y`).
  public static func linearCombination(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>, count: Int, a: Float, b: Float, c: Float
  ) {
    var i = 0
    let va = V(repeating: a), vb = V(repeating: b), vc = V(repeating: c)
    while i + 16 <= count { store(load(x, i) * va + load(y, i) * vb + vc, z, i); i += 16 }
    while i < count { z[i] = x[i] * a + y[i] * b + c; i += 1 }
  }

  /// `y[i] = max(a · x[i] + b, 0)` (`y` may equal `x`).
  public static func affineReLU(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, scale a: Float, shift b: Float) {
    var i = 0
    let va = V(repeating: a), vb = V(repeating: b), zero = V()
    while i + 16 <= count {
      let v = load(x, i) * va + vb
      store(v.replacing(with: zero, where: v .< zero), y, i)
      i += 16
    }
    while i < count { y[i] = max(x[i] * a + b, 0); i += 1 }
  }

  /// With `g[i] = mask[i] > 0 ? dy[i] : 0`: `(Σ g[i], Σ g[i] · (x[i] − mean))`.
  public static func maskedSumAndCenteredDot(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mask: UnsafePointer<Float>, count: Int, mean: Float
  ) -> (Float, Float) {
    var s = V(), sx = V(), i = 0
    let m = V(repeating: mean), zero = V()
    while i + 16 <= count {
      let g = load(dy, i).replacing(with: zero, where: load(mask, i) .<= zero)
      s += g
      sx += g * (load(x, i) - m)
      i += 16
    }
    var total = s.sum(), dot = sx.sum()
    while i < count {
      let g = mask[i] > 0 ? dy[i] : 0
      total += g
      dot += g * (x[i] - mean)
      i += 1
    }
    return (total, dot)
  }

  /// With `g[i] = mask[i] > 0 ? dy[i] : 0`: `z[i] = a · g[i] + b · x[i] + c`.
  public static func maskedLinearCombination(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mask: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>,
    count: Int, a: Float, b: Float, c: Float
  ) {
    var i = 0
    let va = V(repeating: a), vb = V(repeating: b), vc = V(repeating: c), zero = V()
    while i + 16 <= count {
      let g = load(dy, i).replacing(with: zero, where: load(mask, i) .<= zero)
      store(g * va + load(x, i) * vb + vc, z, i)
      i += 16
    }
    while i < count { z[i] = (mask[i] > 0 ? dy[i] : 0) * a + x[i] * b + c; i += 1 }
  }

  /// `y[i] = max(x[i], 0)` (`y` may equal `x`).
  public static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    let zero = V()
    while i + 16 <= count { let v = load(x, i); store(v.replacing(with: zero, where: v .< zero), y, i); i += 16 }
    while i < count { y[i] = max(x[i], 0); i += 1 }
  }

  /// `dx[i] = y[i] > 0 ? dy[i] : 0` (`dx` may equal `dy`).
  public static func reluBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    let zero = V()
    while i + 16 <= count {
      store(load(dy, i).replacing(with: zero, where: load(y, i) .<= zero), dx, i)
      i += 16
    }
    while i < count { dx[i] = y[i] > 0 ? dy[i] : 0; i += 1 }
  }

  /// `y[i] += x[i]`.
  public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count { store(load(y, i) + load(x, i), y, i); i += 16 }
    while i < count { y[i] += x[i]; i += 1 }
  }

  /// `y[i] = max(y[i], x[i])`.
  public static func maximum(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count { let a = load(y, i), b = load(x, i); store(a.replacing(with: b, where: a .< b), y, i); i += 16 }
    while i < count { y[i] = max(y[i], x[i]); i += 1 }
  }

  /// `y[i] *= x[i]`.
  public static func multiply(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count { store(load(y, i) * load(x, i), y, i); i += 16 }
    while i < count { y[i] *= x[i]; i += 1 }
  }

  /// `y[i] = eˣ⁽ⁱ⁾` to about 2 ulp for `x ≤ 88` (Cephes `expf`; inputs below −87 give ≈ 0).
  public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count { store(exp16(load(x, i)), y, i); i += 16 }
    if i < count {
      var tail = V(repeating: 0)
      for j in i..<count { tail[j - i] = x[j] }
      let e = exp16(tail)
      for j in i..<count { y[j] = e[j - i] }
    }
  }

  /// `eˣ` per lane: `x = n·ln2 + r`, a degree-6 polynomial for `eʳ`, `2ⁿ` from exponent bits. The
  /// rounding uses the 1.5·2²³ trick, so no SSE4.1 instruction is needed.
  @inline(__always)
  static func exp16(_ input: V) -> V {
    // pointwiseMin/Max handle NaN generically and do not vectorise; compare-and-select does.
    let low = V(repeating: -87.3), high = V(repeating: 88.3)
    let x = input.replacing(with: low, where: input .< low).replacing(with: high, where: input .> high)
    let magic = V(repeating: 12_582_912)  // 1.5 · 2²³
    let shifted = x * V(repeating: 1.442_695_04) + magic
    let n = shifted - magic
    let r = x - n * V(repeating: 0.693_359_375) + n * V(repeating: 2.121_944_4e-4)
    var p = V(repeating: 1.987_569_15e-4)
    p = p * r + V(repeating: 1.398_199_95e-3)
    p = p * r + V(repeating: 8.333_451_9e-3)
    p = p * r + V(repeating: 4.166_579_59e-2)
    p = p * r + V(repeating: 1.666_666_55e-1)
    p = p * r + V(repeating: 5.000_000_12e-1)
    let e = p * r * r + r + V(repeating: 1)
    // The low mantissa bits of `shifted` hold n (two's complement around 0x4B40_0000).
    let bits = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- SIMD16<Int32>(repeating: 0x4B40_0000)
    let scale = unsafeBitCast((bits &+ SIMD16<Int32>(repeating: 127)) &<< SIMD16<Int32>(repeating: 23), to: V.self)
    return e * scale
  }
}

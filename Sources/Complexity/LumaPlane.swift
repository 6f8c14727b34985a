import ImageCodecs

/// The BT.601 full-range luma of an 8-bit image, held exactly as the integers `1000 · Y`.
///
/// `1000 · Y = 299 R + 587 G + 114 B` is exact in integers, so every image indicator starts from the
/// real-valued luma without rounding; a one- or two-channel image is its own luma (`1000 · gray`),
/// and alpha is ignored.
struct LumaPlane: Sendable {
  /// Width in pixels.
  let width: Int
  /// Height in pixels.
  let height: Int
  /// `1000 · Y` per pixel, rows top first, `width * height` values in `0...255_000`.
  let milli: [Int32]

  /// Converts `image` (1 to 4 channels of 8 bits) to luma.
  init(_ image: Image8) {
    let width = image.width
    let height = image.height
    self.width = width
    self.height = height
    let channels = image.channels
    var row = [Float](repeating: 0, count: width + Self.scratchCount(width: width, channels: channels))
    milli = [Int32](unsafeUninitializedCapacity: width * height) { output, initialized in
      image.samples.withUnsafeBufferPointer { samples in
        row.withUnsafeMutableBufferPointer { row in
          guard let rowBase = row.baseAddress, let samples = samples.baseAddress else { return }
          for y in 0..<height {
            Self.convertRow(samples + y * width * channels, width: width, channels: channels, into: rowBase, scratch: rowBase + width)
            for x in 0..<width { output[y * width + x] = Int32(rowBase[x]) }
          }
        }
      }
      initialized = width * height
    }
  }

  /// The number of `Float`s of scratch space ``convertRow(_:width:channels:into:scratch:)``
  /// needs for rows of `width` pixels with `channels` channels.
  static func scratchCount(width: Int, channels: Int) -> Int { channels == 3 ? 3 * min(width, 128) : 0 }

  /// Writes `1000 · Y` of the image row at `input` (`width · channels` samples) to `output[0 ..< width]`.
  ///
  /// The values are integers in `0...255_000` and every product and sum is below 2²⁴, so they are
  /// exact in `Float`. This is the one definition of luma, shared by ``init(_:)`` and the streaming
  /// Sobel pass of ``SobelStatistics``.
  ///
  /// Three-channel rows (the common case) take two vectorised passes per 128 pixels: the bytes are
  /// widened to `Float` in order into `scratch` (``scratchCount(width:channels:)`` values), 16 at a
  /// time, then every 12 of them (4 pixels) are transposed into R, G and B lanes with `Float` shuffles and
  /// weighted. Doing both in one loop lets the optimiser fold the shuffles into byte shuffles, which
  /// SSE2 lacks, and is about twice as slow.
  @inline(__always)
  static func convertRow(
    _ input: UnsafePointer<UInt8>, width: Int, channels: Int, into output: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>?
  ) {
    switch channels {
    case 3:
      guard let scratch else { preconditionFailure("three-channel rows need scratch space") }
      // In chunks of 128 pixels, so the widened samples are still in L1 when they are transposed.
      var start = 0
      while start < width {
        let end = min(width, start &+ 128)
        widen(input + 3 &* start, count: 3 &* (end &- start), into: scratch)
        let raw = UnsafeRawPointer(scratch)
        let out = UnsafeMutableRawPointer(output + start)
        var x = 0
        while start &+ x &+ 4 <= end {
          // r0 g0 b0 r1 | g1 b1 r2 g2 | b2 r3 g3 b3
          let v0 = raw.loadUnaligned(fromByteOffset: 12 &* x, as: SIMD4<Float>.self)
          let v1 = raw.loadUnaligned(fromByteOffset: 12 &* x &+ 16, as: SIMD4<Float>.self)
          let v2 = raw.loadUnaligned(fromByteOffset: 12 &* x &+ 32, as: SIMD4<Float>.self)
          let r = SIMD4<Float>(v0[0], v0[3], v1[2], v2[1])
          let g = SIMD4<Float>(v0[1], v1[0], v1[3], v2[2])
          let b = SIMD4<Float>(v0[2], v1[1], v2[0], v2[3])
          out.storeBytes(of: 299 * r + 587 * g + 114 * b, toByteOffset: 4 &* x, as: SIMD4<Float>.self)
          x &+= 4
        }
        while start &+ x < end {
          output[start &+ x] = 299 * scratch[3 &* x] + 587 * scratch[3 &* x &+ 1] + 114 * scratch[3 &* x &+ 2]
          x &+= 1
        }
        start = end
      }
    case 4:
      for x in 0..<width {
        let p = input + 4 * x
        output[x] = 299 * Float(p[0]) + 587 * Float(p[1]) + 114 * Float(p[2])
      }
    default:
      for x in 0..<width { output[x] = 1000 * Float(input[x * channels]) }
    }
  }

  /// Lanes `i ..< i + 4` of `v` as `Float` (written lane by lane, this becomes two unpacks and a
  /// conversion; the generic SIMD conversions are not inlined).
  @inline(__always)
  private static func quarter(_ v: SIMD16<UInt8>, _ i: Int) -> SIMD4<Float> {
    SIMD4<Float>(SIMD4<Int32>(Int32(v[i]), Int32(v[i &+ 1]), Int32(v[i &+ 2]), Int32(v[i &+ 3])))
  }

  /// `output[i] = Float(input[i])` for `i < count`, 16 bytes at a time.
  @inline(__always)
  private static func widen(_ input: UnsafePointer<UInt8>, count: Int, into output: UnsafeMutablePointer<Float>) {
    let rawIn = UnsafeRawPointer(input)
    let rawOut = UnsafeMutableRawPointer(output)
    var k = 0
    while k &+ 16 <= count {
      let v = rawIn.loadUnaligned(fromByteOffset: k, as: SIMD16<UInt8>.self)
      rawOut.storeBytes(of: quarter(v, 0), toByteOffset: 4 &* k, as: SIMD4<Float>.self)
      rawOut.storeBytes(of: quarter(v, 4), toByteOffset: 4 &* k &+ 16, as: SIMD4<Float>.self)
      rawOut.storeBytes(of: quarter(v, 8), toByteOffset: 4 &* k &+ 32, as: SIMD4<Float>.self)
      rawOut.storeBytes(of: quarter(v, 12), toByteOffset: 4 &* k &+ 48, as: SIMD4<Float>.self)
      k &+= 16
    }
    while k < count {
      output[k] = Float(input[k])
      k &+= 1
    }
  }

  /// The luma rounded half up to 8 bits, as a one-channel image.
  func roundedImage() -> Image8 {
    let bytes = milli.map { UInt8(truncatingIfNeeded: ($0 &+ 500) / 1000) }
    return Image8(width: width, height: height, channels: 1, samples: bytes)
  }
}

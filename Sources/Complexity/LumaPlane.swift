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
    width = image.width
    height = image.height
    let count = image.pixelCount
    let channels = image.channels
    milli = [Int32](unsafeUninitializedCapacity: count) { output, initialized in
      image.samples.withUnsafeBufferPointer { samples in
        switch channels {
        case 3:
          for i in 0..<count {
            let p = 3 * i
            output[i] = 299 &* Int32(samples[p]) &+ 587 &* Int32(samples[p + 1]) &+ 114 &* Int32(samples[p + 2])
          }
        case 4:
          for i in 0..<count {
            let p = 4 * i
            output[i] = 299 &* Int32(samples[p]) &+ 587 &* Int32(samples[p + 1]) &+ 114 &* Int32(samples[p + 2])
          }
        default:
          for i in 0..<count { output[i] = 1000 &* Int32(samples[i * channels]) }
        }
      }
      initialized = count
    }
  }

  /// The luma rounded half up to 8 bits, as a one-channel image.
  func roundedImage() -> Image8 {
    let bytes = milli.map { UInt8(truncatingIfNeeded: ($0 &+ 500) / 1000) }
    return Image8(width: width, height: height, channels: 1, samples: bytes)
  }
}

/// Image resampling for slimming: area averaging with exact fractional pixel coverage for
/// downscaling (OpenCV's `INTER_AREA` within ±1), bilinear with half-pixel centres as an option.
public enum ImageResampler {
  /// The resampling kernels for images (labels use ``NearestResampler`` or ``ModeResampler``).
  public enum Kernel: String, Sendable, Codable, CaseIterable {
    /// Each output pixel averages the source area it covers, weighting partly covered pixels by the
    /// covered fraction. Falls back to bilinear when enlarging.
    case area
    /// Bilinear interpolation, pixel centres at half-integers (`align_corners = false`).
    case bilinear
  }

  /// Resamples an 8-bit image of any channel count to `width × height`.
  public static func resize(_ image: Image8, width: Int, height: Int, kernel: Kernel = .area) -> Image8 {
    precondition(width > 0 && height > 0, "output size must be positive")
    if width == image.width && height == image.height { return image }
    let useArea = kernel == .area && width <= image.width && height <= image.height
    let horizontal = useArea
      ? areaWeights(source: image.width, destination: width) : bilinearWeights(source: image.width, destination: width)
    let vertical = useArea
      ? areaWeights(source: image.height, destination: height) : bilinearWeights(source: image.height, destination: height)
    let channels = image.channels
    // Horizontal pass into floats, then vertical pass with rounding.
    var rows = [Float](repeating: 0, count: image.height * width * channels)
    image.samples.withUnsafeBufferPointer { source in
      rows.withUnsafeMutableBufferPointer { target in
        for y in 0..<image.height {
          let sourceRow = y * image.width * channels
          let targetRow = y * width * channels
          for x in 0..<width {
            for tap in horizontal[x] {
              let from = sourceRow + tap.index * channels
              let to = targetRow + x * channels
              for c in 0..<channels { target[to + c] += tap.weight * Float(source[from + c]) }
            }
          }
        }
      }
    }
    var output = [UInt8](repeating: 0, count: width * height * channels)
    rows.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { target in
        var accumulator = [Float](repeating: 0, count: width * channels)
        for y in 0..<height {
          for index in accumulator.indices { accumulator[index] = 0 }
          for tap in vertical[y] {
            let row = tap.index * width * channels
            for index in 0..<(width * channels) { accumulator[index] += tap.weight * source[row + index] }
          }
          let base = y * width * channels
          for index in 0..<(width * channels) {
            target[base + index] = UInt8(max(0, min(255, accumulator[index].rounded())))
          }
        }
      }
    }
    return Image8(width: width, height: height, channels: channels, samples: output)
  }

  /// Resamples by `scale` to ``NearestResampler/scaledSize(width:height:scale:)``.
  public static func resize(_ image: Image8, scale: Double, kernel: Kernel = .area) -> Image8 {
    let size = NearestResampler.scaledSize(width: image.width, height: image.height, scale: scale)
    return resize(image, width: size.width, height: size.height, kernel: kernel)
  }

  struct Tap {
    var index: Int
    var weight: Float
  }

  /// For each output index, the source pixels it covers and the covered fraction of each,
  /// normalised to sum to 1: output `i` covers `[i·S/D, (i+1)·S/D)`.
  static func areaWeights(source: Int, destination: Int) -> [[Tap]] {
    let ratio = Double(source) / Double(destination)
    return (0..<destination).map { index in
      let start = Double(index) * ratio
      let end = min(Double(source), Double(index + 1) * ratio)
      var taps: [Tap] = []
      var pixel = Int(start.rounded(.down))
      while Double(pixel) < end && pixel < source {
        let covered = min(end, Double(pixel + 1)) - max(start, Double(pixel))
        if covered > 1e-9 { taps.append(Tap(index: pixel, weight: Float(covered / (end - start)))) }
        pixel += 1
      }
      return taps
    }
  }

  /// Two taps per output index at `(i + 0.5)·S/D − 0.5`, clamped to the image.
  static func bilinearWeights(source: Int, destination: Int) -> [[Tap]] {
    let ratio = Double(source) / Double(destination)
    return (0..<destination).map { index in
      let position = min(max((Double(index) + 0.5) * ratio - 0.5, 0), Double(source - 1))
      let lower = Int(position.rounded(.down))
      let upper = min(lower + 1, source - 1)
      let fraction = Float(position - Double(lower))
      return lower == upper || fraction == 0
        ? [Tap(index: lower, weight: 1)] : [Tap(index: lower, weight: 1 - fraction), Tap(index: upper, weight: fraction)]
    }
  }
}

/// Label resampling by majority: each output pixel takes the most frequent class in the source
/// area it covers (pixels of `ignore` excluded; ties go to the smaller class id; all-ignore areas
/// stay `ignore`). Never interpolates.
public enum ModeResampler {
  /// Resamples a one-channel 8-bit label map to `width × height`.
  public static func resize(_ labels: Image8, width: Int, height: Int, ignore: UInt8 = 255) -> Image8 {
    precondition(labels.channels == 1, "label maps have one channel")
    precondition(width > 0 && height > 0, "output size must be positive")
    var output = Image8(width: width, height: height, channels: 1, repeating: ignore)
    var counts = [Int](repeating: 0, count: 256)
    for y in 0..<height {
      let y0 = y * labels.height / height
      let y1 = max(y0 + 1, ((y + 1) * labels.height + height - 1) / height)
      for x in 0..<width {
        let x0 = x * labels.width / width
        let x1 = max(x0 + 1, ((x + 1) * labels.width + width - 1) / width)
        var touched: [UInt8] = []
        for sy in y0..<min(y1, labels.height) {
          for sx in x0..<min(x1, labels.width) {
            let value = labels[sx, sy]
            if value == ignore { continue }
            if counts[Int(value)] == 0 { touched.append(value) }
            counts[Int(value)] += 1
          }
        }
        var best: UInt8 = ignore
        var bestCount = 0
        for value in touched {
          let count = counts[Int(value)]
          if count > bestCount || (count == bestCount && value < best) {
            best = value
            bestCount = count
          }
          counts[Int(value)] = 0
        }
        output[x, y] = best
      }
    }
    return output
  }
}

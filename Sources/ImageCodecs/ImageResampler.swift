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
    let rowLength = width * channels
    let columns = FlatTaps(horizontal)
    // Output rows one at a time: each needs the horizontally resampled source rows of its vertical
    // taps, kept in a small ring (neighbouring output rows share a boundary row), so no full-size
    // intermediate exists. Every sum runs in tap order from zero, as a two-pass version would.
    let ringSize = (vertical.map(\.count).max() ?? 1) + 1
    var ring = [Float](repeating: 0, count: ringSize * rowLength)
    var ringRow = [Int](repeating: -1, count: ringSize)
    var accumulator = [Float](repeating: 0, count: rowLength)
    let samples = [UInt8](unsafeUninitializedCapacity: height * rowLength) { target, initialized in
      image.samples.withUnsafeBufferPointer { source in
        ring.withUnsafeMutableBufferPointer { ring in
          accumulator.withUnsafeMutableBufferPointer { accumulator in
            guard let sourceBase = source.baseAddress, let ringBase = ring.baseAddress,
              let sum = accumulator.baseAddress, let targetBase = target.baseAddress
            else { return }
            for y in 0..<height {
              for index in 0..<rowLength { sum[index] = 0 }
              for tap in vertical[y] {
                let slot = tap.index % ringSize
                let row = ringBase + slot * rowLength
                if ringRow[slot] != tap.index {
                  columns.resample(sourceBase + tap.index * image.width * channels, channels: channels, into: row)
                  ringRow[slot] = tap.index
                }
                let weight = tap.weight
                for index in 0..<rowLength { sum[index] += weight * row[index] }
              }
              // Round half up (the sums are never negative): a truncating conversion vectorises,
              // `rounded()` is a library call per value without SSE4.1.
              let out = targetBase + y * rowLength
              for index in 0..<rowLength { out[index] = UInt8(Int32(max(0, min(255, sum[index])) + 0.5)) }
            }
          }
        }
      }
      initialized = height * rowLength
    }
    return Image8(width: width, height: height, channels: channels, samples: samples)
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

  /// One axis's taps in flat arrays: output `i` uses `index[first[i] ..< first[i + 1]]`.
  struct FlatTaps {
    var first: [Int]
    var index: [Int]
    var weight: [Float]

    /// When every output has one or two taps (downscaling by up to 2, and bilinear): per output the
    /// two indices and weights, a single tap padded with weight 0 on the same pixel.
    var pairs: [PairTap]?

    struct PairTap {
      var index0: Int
      var index1: Int
      var weight0: Float
      var weight1: Float
    }

    init(_ taps: [[Tap]]) {
      first = [0]
      index = []
      weight = []
      for list in taps {
        index += list.map(\.index)
        weight += list.map(\.weight)
        first.append(index.count)
      }
      if taps.allSatisfy({ (1...2).contains($0.count) }) {
        pairs = taps.map { list in
          let second = list.count == 2 ? list[1] : Tap(index: list[0].index, weight: 0)
          return PairTap(index0: list[0].index, index1: second.index, weight0: list[0].weight, weight1: second.weight)
        }
      }
    }

    /// ``resample(_:channels:into:)`` for RGB rows and two taps per output: the same sums (adding
    /// `0 · x` to a non-negative sum changes nothing), without the inner loops.
    private static func resampleRGB(_ source: UnsafePointer<UInt8>, _ pairs: [PairTap], into output: UnsafeMutablePointer<Float>) {
      pairs.withUnsafeBufferPointer { pairs in
        for (x, tap) in pairs.enumerated() {
          let a = source + 3 &* tap.index0
          let b = source + 3 &* tap.index1
          let out = output + 3 &* x
          out[0] = tap.weight0 * Float(a[0]) + tap.weight1 * Float(b[0])
          out[1] = tap.weight0 * Float(a[1]) + tap.weight1 * Float(b[1])
          out[2] = tap.weight0 * Float(a[2]) + tap.weight1 * Float(b[2])
        }
      }
    }

    /// Resamples one row of interleaved samples along this axis into `output` (`Float`, one value
    /// per output pixel and channel): `output[i, c] = Σ weight · source[index, c]` in tap order.
    func resample(_ source: UnsafePointer<UInt8>, channels: Int, into output: UnsafeMutablePointer<Float>) {
      if channels == 3, let pairs { return Self.resampleRGB(source, pairs, into: output) }
      first.withUnsafeBufferPointer { first in
        index.withUnsafeBufferPointer { index in
          weight.withUnsafeBufferPointer { weight in
            for x in 0..<(first.count - 1) {
              let out = output + x * channels
              for c in 0..<channels { out[c] = 0 }
              for t in first[x]..<first[x + 1] {
                let pixel = source + index[t] * channels
                let w = weight[t]
                if channels == 3 {
                  out[0] += w * Float(pixel[0])
                  out[1] += w * Float(pixel[1])
                  out[2] += w * Float(pixel[2])
                } else {
                  for c in 0..<channels { out[c] += w * Float(pixel[c]) }
                }
              }
            }
          }
        }
      }
    }
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

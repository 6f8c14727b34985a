public import Tensors

/// Inference at a reduced input scale: the network sees the image downsampled by `s` (area
/// averaging, exact fractional coverage, as `dance slim` resamples images), and its logits are
/// upsampled bilinearly to the label's full size. Its forward FLOPs fall by about `1 − s²` without
/// any change to the network.
public enum InputScaling {
  /// The side of `length` pixels at `scale`: `round(length · scale)`, at least 1 and at most `length`.
  public static func scaledLength(_ length: Int, scale: Double) -> Int {
    min(length, max(1, Int((Double(length) * scale).rounded())))
  }

  /// `input` (`[N, C, H, W]`) area-resampled to `height × width` (never larger than the input).
  /// Area averaging commutes with the per-channel affine input normalization, so resampling the
  /// normalized tensor equals normalizing the resampled image (without its 8-bit rounding).
  public static func areaResized(_ input: Tensor, height: Int, width: Int) -> Tensor {
    let n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3]
    precondition(height >= 1 && width >= 1 && height <= h && width <= w, "area resampling only shrinks")
    if height == h && width == w { return input }
    let rows = coverage(source: h, destination: height), columns = coverage(source: w, destination: width)
    return Tensor(shape: [n, c, height, width]) { output in
      input.withUnsafeBufferPointer { x in
        var horizontal = [Float](repeating: 0, count: h * width)
        for plane in 0..<(n * c) {
          let source = x.baseAddress! + plane * h * w
          for y in 0..<h {
            for (column, taps) in columns.enumerated() {
              var sum: Float = 0
              for (index, weight) in taps { sum += source[y * w + index] * weight }
              horizontal[y * width + column] = sum
            }
          }
          let target = plane * height * width
          for (row, taps) in rows.enumerated() {
            for column in 0..<width {
              var sum: Float = 0
              for (index, weight) in taps { sum += horizontal[index * width + column] * weight }
              output[target + row * width + column] = sum
            }
          }
        }
      }
    }
  }

  /// For each destination pixel, the source pixels it covers and their weights (summing to 1):
  /// destination pixel i covers source `[i·L/D, (i+1)·L/D)`.
  static func coverage(source: Int, destination: Int) -> [[(index: Int, weight: Float)]] {
    let ratio = Double(source) / Double(destination)
    return (0..<destination).map { i in
      let start = Double(i) * ratio, end = Double(i + 1) * ratio
      var taps: [(index: Int, weight: Float)] = []
      var position = Int(start.rounded(.down))
      while Double(position) < end && position < source {
        let overlap = min(end, Double(position + 1)) - max(start, Double(position))
        if overlap > 1e-12 { taps.append((position, Float(overlap / ratio))) }
        position += 1
      }
      return taps
    }
  }
}

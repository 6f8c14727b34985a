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

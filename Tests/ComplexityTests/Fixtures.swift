import DanceCore
import ImageCodecs
import TestSupport

/// Small image builders for the indicator tests.
enum Fixtures {
  /// A one-channel image whose pixel `(x, y)` is `value(x, y)`.
  static func gray(_ width: Int, _ height: Int, _ value: (Int, Int) -> UInt8) -> Image8 {
    var image = Image8(width: width, height: height, channels: 1)
    for y in 0..<height {
      for x in 0..<width { image[x, y] = value(x, y) }
    }
    return image
  }

  /// Seeded uniform noise with `channels` channels.
  static func noise(_ width: Int, _ height: Int, channels: Int, seed: UInt64, range: ClosedRange<UInt8> = 0...255)
    -> Image8
  {
    var generator = SplitMix(seed: seed)
    let samples = (0..<(width * height * channels)).map { _ in UInt8.random(in: range, using: &generator) }
    return Image8(width: width, height: height, channels: channels, samples: samples)
  }

  /// Naive P.910 legacy SI in `Double`: BT.601 luma, Sobel on interior pixels, population
  /// statistics in two passes. Returns `(mean, standardDeviation)`.
  static func referenceSobel(_ image: Image8) -> (mean: Double, std: Double) {
    let w = image.width
    let h = image.height
    func luma(_ x: Int, _ y: Int) -> Double {
      if image.channels < 3 { return Double(image[x, y, 0]) }
      return 0.299 * Double(image[x, y, 0]) + 0.587 * Double(image[x, y, 1]) + 0.114 * Double(image[x, y, 2])
    }
    var magnitudes: [Double] = []
    guard w >= 3 && h >= 3 else { return (0, 0) }
    for y in 1..<(h - 1) {
      for x in 1..<(w - 1) {
        var gx = 0.0
        var gy = 0.0
        let kx: [[Double]] = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
        for j in -1...1 {
          for i in -1...1 {
            gx += kx[j + 1][i + 1] * luma(x + i, y + j)
            gy += kx[i + 1][j + 1] * luma(x + i, y + j)
          }
        }
        magnitudes.append((gx * gx + gy * gy).squareRoot())
      }
    }
    let mean = magnitudes.reduce(0, +) / Double(magnitudes.count)
    let variance = magnitudes.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(magnitudes.count)
    return (mean, variance.squareRoot())
  }
}

/// `|a − b| ≤ relative · max(|a|, |b|) + absolute`.
func isClose(_ a: Double?, _ b: Double, relative: Double = 1e-6, absolute: Double = 1e-9) -> Bool {
  guard let a else { return false }
  return abs(a - b) <= relative * max(abs(a), abs(b)) + absolute
}

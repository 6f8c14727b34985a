import DanceCore
import ImageCodecs
import TestSupport
import Testing

@Suite struct ImageResamplerTests {
  static func row(_ values: [UInt8]) -> Image8 { Image8(width: values.count, height: 1, channels: 1, samples: values) }

  @Test(arguments: [
    ([10, 20, 30, 40] as [UInt8], 2, [15, 35] as [UInt8]),
    ([10, 20, 30], 2, [13, 27]),  // (10 + 20/2) / 1.5 = 13.3; (20/2 + 30) / 1.5 = 26.7
    ([0, 255, 0, 255, 0, 255], 3, [128, 128, 128]),
    ([10, 20, 30, 40, 50], 2, [18, 42]),  // covers [0, 2.5) and [2.5, 5)
  ])
  func areaAveragingByHand(source: [UInt8], width: Int, expected: [UInt8]) {
    #expect(ImageResampler.resize(Self.row(source), width: width, height: 1).samples == expected)
  }

  @Test func areaOnBlocksIsTheBlockMean() {
    var image = Image8(width: 4, height: 4, channels: 3)
    for y in 0..<4 { for x in 0..<4 { for c in 0..<3 { image[x, y, c] = UInt8(x * 10 + y * 40 + c) } } }
    let half = ImageResampler.resize(image, scale: 0.5)
    #expect(half.width == 2 && half.height == 2)
    // Block (0,0): x ∈ {0,1}, y ∈ {0,1} → mean of 0,10,40,50 = 25 (+c).
    #expect(half[0, 0, 0] == 25 && half[0, 0, 2] == 27 && half[1, 1, 0] == 25 + 20 + 80)
  }

  /// An independent 2-D reference: exact coverage of every source pixel in Double.
  static func reference(_ image: Image8, width: Int, height: Int) -> [Double] {
    let rx = Double(image.width) / Double(width)
    let ry = Double(image.height) / Double(height)
    var output: [Double] = []
    for y in 0..<height {
      for x in 0..<width {
        var sum = 0.0
        for sy in 0..<image.height {
          let cy = max(0, min(Double(sy + 1), Double(y + 1) * ry) - max(Double(sy), Double(y) * ry))
          for sx in 0..<image.width {
            let cx = max(0, min(Double(sx + 1), Double(x + 1) * rx) - max(Double(sx), Double(x) * rx))
            sum += cx * cy * Double(image[sx, sy])
          }
        }
        output.append(sum / (rx * ry))
      }
    }
    return output
  }

  @Test(arguments: [(17, 13, 0.75), (17, 13, 0.5), (30, 20, 0.25), (9, 7, 0.6)])
  func areaMatchesExactCoverageWithinOne(width: Int, height: Int, scale: Double) {
    var generator = SplitMix(seed: UInt64(width * height))
    let image = Image8(width: width, height: height, channels: 1, samples: (0..<(width * height)).map { _ in UInt8.random(in: 0...255, using: &generator) })
    let resized = ImageResampler.resize(image, scale: scale)
    let expected = Self.reference(image, width: resized.width, height: resized.height)
    #expect(zip(resized.samples, expected).allSatisfy { abs(Double($0) - $1) <= 0.5 + 1e-3 })
  }

  /// Channel `c` of `image` as a one-channel image.
  static func plane(_ image: Image8, _ c: Int) -> Image8 {
    Image8(width: image.width, height: image.height, channels: 1,
           samples: stride(from: c, to: image.samples.count, by: image.channels).map { image.samples[$0] })
  }

  /// RGB rows take a two-tap fast path when every output has at most two taps; each of its channels
  /// must equal the general path on that channel alone, bit for bit.
  @Test(arguments: [(0.5, ImageResampler.Kernel.area), (0.75, .area), (0.6, .area), (0.3, .area), (0.75, .bilinear), (1.7, .bilinear)])
  func rgbEqualsEachChannelAlone(scale: Double, kernel: ImageResampler.Kernel) {
    var generator = SplitMix(seed: 41)
    let image = Image8(width: 23, height: 11, channels: 3, samples: (0..<(23 * 11 * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) })
    let resized = ImageResampler.resize(image, scale: scale, kernel: kernel)
    for c in 0..<3 {
      #expect(Self.plane(resized, c) == ImageResampler.resize(Self.plane(image, c), scale: scale, kernel: kernel), "channel \(c)")
    }
  }

  @Test func bilinearUsesHalfPixelCentres() {
    #expect(ImageResampler.resize(Self.row([0, 100]), width: 4, height: 1, kernel: .bilinear).samples == [0, 25, 75, 100])
    #expect(ImageResampler.resize(Self.row([0, 100, 200, 100]), width: 2, height: 1, kernel: .bilinear).samples == [50, 150])
  }

  @Test func enlargingWithAreaFallsBackToBilinear() {
    #expect(ImageResampler.resize(Self.row([0, 100]), width: 4, height: 1).samples == [0, 25, 75, 100])
  }

  @Test(arguments: [
    ([1, 1, 2, 255] as [UInt8], [1] as [UInt8]),
    ([1, 2, 2, 1], [1]),  // tie → smaller class
    ([255, 255, 255, 255], [255]),
    ([2, 2, 255, 255], [2]),
    ([3, 255, 255, 255], [3]),  // ignore is never the majority
  ])
  func modeTakesTheMajorityIgnoringIgnore(source: [UInt8], expected: [UInt8]) {
    #expect(ModeResampler.resize(Self.row(source), width: 1, height: 1).samples == expected)
  }

  @Test func modeOnFractionalFootprints() {
    // 3 → 2: output 0 covers source 0 and 1, output 1 covers 1 and 2.
    #expect(ModeResampler.resize(Self.row([4, 4, 7]), width: 2, height: 1).samples == [4, 4])
    #expect(ModeResampler.resize(Self.row([4, 7, 7]), width: 2, height: 1).samples == [4, 7])
  }
}

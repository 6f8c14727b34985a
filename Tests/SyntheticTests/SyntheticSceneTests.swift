import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Synthetic
import TestSupport
import Testing

@Suite("Synthetic scenes")
struct SyntheticSceneTests {
  /// Classic scenes spread widely in texture and classes, and their complexity level drives the
  /// texture. Photographic scenes spread less at the calm end by design (every one gets distant
  /// objects, signal poles and sensor noise), and their texture is drawn apart from the level.
  @Test("spatial complexity spreads strongly across images",
        arguments: DatasetFormat.allCases, SyntheticDatasetConfiguration.Style.allCases)
  func complexitySpreads(format: DatasetFormat, style: SyntheticDatasetConfiguration.Style) {
    let writer = SyntheticDatasetWriter(
      configuration: .init(format: format, outputDirectory: "/unused", seed: 2026, style: style))
    let samples = (0..<16).map { writer.render(split: .train, index: $0) }
    let sobel = samples.map { SyntheticFixtures.sobelMean($0.image) }
    let classes = samples.map { Set($0.label.samples).count }
    let simplest = sobel.min() ?? 0
    let busiest = sobel.max() ?? 0
    #expect(simplest > 0)
    #expect(busiest / simplest >= (style == .classic ? 3 : 2), "Sobel means \(sobel)")
    // Pascal VOC's classes are objects: the street is background, so few values per image.
    let spread = format == .voc ? 1 : style == .classic ? 4 : 3
    #expect((classes.max() ?? 0) - (classes.min() ?? 0) >= spread, "classes per image \(classes)")
    guard style == .classic else { return }
    // The scene's complexity level and the measured Sobel mean go together.
    let levelsBySobel: [Double] = zip(samples.map(\.complexity), sobel).sorted { $0.1 < $1.1 }.map(\.0)
    let calmest: Double = levelsBySobel.prefix(4).reduce(0, +)
    let busiest4: Double = levelsBySobel.suffix(4).reduce(0, +)
    #expect(calmest < busiest4)
  }

  @Test("label boundaries spread too", arguments: SyntheticDatasetConfiguration.Style.allCases)
  func boundaryFractionSpreads(style: SyntheticDatasetConfiguration.Style) {
    let writer = SyntheticDatasetWriter(
      configuration: .init(format: .cityscapes, outputDirectory: "/unused", seed: 3, style: style))
    let fractions = (0..<16).map { index -> Double in
      let label = writer.render(split: .train, index: index).label
      var boundary = 0
      for y in 0..<(label.height - 1) {
        for x in 0..<(label.width - 1) {
          let value = label[x, y]
          if value != label[x + 1, y] || value != label[x, y + 1] { boundary += 1 }
        }
      }
      return Double(boundary) / Double(label.pixelCount)
    }
    let spread = (fractions.max() ?? 0) / max(fractions.min() ?? 1, 1e-9)
    #expect(spread >= (style == .classic ? 3 : 2), "boundary fractions \(fractions)")
  }

  /// Mean colour per label value over 12 samples, for the classes with at least 400 pixels.
  static func meanColours(_ style: SyntheticDatasetConfiguration.Style) -> [Int: (Double, Double, Double)] {
    let writer = SyntheticDatasetWriter(
      configuration: .init(format: .cityscapes, outputDirectory: "/unused", seed: 9, style: style))
    var sums: [Int: (Double, Double, Double, Int)] = [:]
    for index in 0..<12 {
      let sample = writer.render(split: .train, index: index)
      for pixel in 0..<sample.label.pixelCount {
        let id = Int(sample.label.samples[pixel])
        let current = sums[id] ?? (0, 0, 0, 0)
        sums[id] = (
          current.0 + Double(sample.image.samples[pixel * 3]), current.1 + Double(sample.image.samples[pixel * 3 + 1]),
          current.2 + Double(sample.image.samples[pixel * 3 + 2]), current.3 + 1
        )
      }
    }
    return sums.filter { $0.value.3 >= 400 }.mapValues {
      ($0.0 / Double($0.3), $0.1 / Double($0.3), $0.2 / Double($0.3))
    }
  }

  /// Distances between the mean colours of every pair of classes.
  static func pairDistances(_ means: [Int: (Double, Double, Double)]) -> [(Int, Int, Double)] {
    var result: [(Int, Int, Double)] = []
    for (a, ma) in means {
      for (b, mb) in means where a < b {
        let distance = ((ma.0 - mb.0) * (ma.0 - mb.0) + (ma.1 - mb.1) * (ma.1 - mb.1) + (ma.2 - mb.2) * (ma.2 - mb.2))
          .squareRoot()
        result.append((a, b, distance))
      }
    }
    return result
  }

  @Test("classic class colours are distinct on average")
  func classicColoursDistinct() {
    let means = Self.meanColours(.classic)
    #expect(means.count >= 8)
    for (a, b, distance) in Self.pairDistances(means) {
      #expect(distance >= 15, "classes \(a) and \(b) have mean colours \(String(describing: means[a])) and \(String(describing: means[b]))")
    }
  }

  /// Issue 15: a class must not be recognisable by its colour alone.
  @Test("photographic class colours overlap: several classes share a mean colour")
  func photographicColoursOverlap() {
    let means = Self.meanColours(.photographic)
    #expect(means.count >= 8)
    let close = Self.pairDistances(means).filter { $0.2 < 15 }
    #expect(close.count >= 3, "class pairs with mean colours closer than 15: \(close)")
  }

  @Test("every format maps scene classes into its label range")
  func labelMappings() {
    for sceneClass in SceneClass.allCases {
      #expect(SyntheticFixtures.cityscapesIDs.contains(Int(sceneClass.labelValue(in: .cityscapes))))
      #expect(sceneClass.labelValue(in: .camvid) <= 11)
      #expect(sceneClass.labelValue(in: .ade20k) <= 150)
      if sceneClass.hasInstances {
        #expect(SyntheticFixtures.cityscapesInstanceIDs.contains(Int(sceneClass.labelValue(in: .cityscapes))))
      }
    }
    #expect(SceneClass.road.labelValue(in: .cityscapes) == 7)
    #expect(SceneClass.sky.labelValue(in: .camvid) == 0)
    #expect(SceneClass.trafficLight.labelValue(in: .ade20k) == 137)
  }

  @Test("a 2048×1024 sample renders and encodes fast in release builds",
        .enabled(if: ProcessInfo.processInfo.environment["DANCE_SYNTH_TIMING"] != nil))
  func timing() throws {
    let writer = SyntheticDatasetWriter(
      configuration: .init(
        format: .cityscapes, outputDirectory: "/unused", imageSize: .init(width: 2048, height: 1024)))
    let clock = ContinuousClock()
    for index in 0..<6 {
      var sample: SyntheticSample?
      let render = clock.measure { sample = writer.render(split: .train, index: index) }
      var bytes = 0
      let encode = try clock.measure {
        bytes = try writer.encode(#require(sample)).reduce(0) { $0 + $1.bytes.count }
      }
      print("sample \(index): complexity \(sample?.complexity ?? 0), render \(render), encode \(encode), \(bytes) bytes")
    }
  }
}

import DanceCore
import Datasets
import Foundation
import Synthetic
import TestSupport
import Testing

@Suite("Synthetic dataset configuration and errors")
struct SyntheticConfigurationTests {
  @Test("sizes parse as WxH", arguments: [
    ("2048x1024", SyntheticDatasetConfiguration.ImageSize(width: 2048, height: 1024)),
    ("240X180", .init(width: 240, height: 180)),
    ("64×32", .init(width: 64, height: 32)),
  ])
  func parsesSizes(text: String, size: SyntheticDatasetConfiguration.ImageSize) {
    #expect(SyntheticDatasetConfiguration.ImageSize(parsing: text) == size)
  }

  @Test("malformed sizes are rejected", arguments: ["", "2048", "x1024", "0x10", "-5x10", "10x10x10", "axb"])
  func rejectsSizes(text: String) {
    #expect(SyntheticDatasetConfiguration.ImageSize(parsing: text) == nil)
  }

  @Test("defaults per format")
  func defaults() {
    #expect(SyntheticDatasetConfiguration.defaultImageSize(for: .cityscapes) == .init(width: 256, height: 128))
    #expect(SyntheticDatasetConfiguration.defaultImageSize(for: .camvid) == .init(width: 240, height: 180))
    #expect(SyntheticDatasetConfiguration.defaultImageSize(for: .ade20k) == .init(width: 256, height: 192))
    let camvid = SyntheticDatasetConfiguration(format: .camvid, outputDirectory: "out", trainCount: 5, valCount: 3)
    #expect(camvid.splitCounts.map(\.count) == [5, 3, 3])
    let cityscapes = SyntheticDatasetConfiguration(format: .cityscapes, outputDirectory: "out", valCount: 0)
    #expect(cityscapes.splitCounts.map(\.split) == [.train])
  }

  @Test("invalid configurations fail with the output path")
  func invalidConfigurations() {
    let tooSmall = SyntheticDatasetConfiguration(
      format: .cityscapes, outputDirectory: "out", imageSize: .init(width: 8, height: 8))
    #expect(throws: DatasetError.invalidConfiguration(
      path: "out", reason: "the image size 8x8 must be 32…8192 pixels on each side")) { try tooSmall.validate() }
    let negative = SyntheticDatasetConfiguration(format: .camvid, outputDirectory: "out", trainCount: -1)
    #expect(throws: DatasetError.self) { try negative.validate() }
    let test = SyntheticDatasetConfiguration(format: .ade20k, outputDirectory: "out", testCount: 2)
    #expect(throws: DatasetError.self) { try test.validate() }
  }

  @Test("an output path blocked by a file fails with a DatasetError naming it")
  func blockedOutput() throws {
    try withTemporaryDirectory { root in
      try writeFile([1, 2, 3], to: root + "/file")
      let configuration = SyntheticDatasetConfiguration(format: .camvid, outputDirectory: root + "/file/out")
      #expect(throws: DatasetError.cannotCreateDirectory(
        path: root + "/file", reason: "a file with that name is in the way")) {
        try SyntheticDatasetWriter(configuration: configuration).write()
      }
    }
  }

  @Test("progress counts every sample once")
  func progress() throws {
    try withTemporaryDirectory { root in
      var reports: [[Int]] = []
      let configuration = SyntheticDatasetConfiguration(
        format: .camvid, outputDirectory: root, trainCount: 2, valCount: 1, testCount: 1,
        imageSize: .init(width: 48, height: 32))
      let summary = try SyntheticDatasetWriter(configuration: configuration).write { reports.append([$0, $1]) }
      #expect(reports == [[1, 4], [2, 4], [3, 4], [4, 4]])
      #expect(summary.totalSamples == 4)
      #expect(summary.description.contains("CamVid"))
    }
  }
}

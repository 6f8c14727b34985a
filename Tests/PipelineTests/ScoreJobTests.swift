import Catalog
import Complexity
import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Pipeline
import Runner
import Synthetic
import TestSupport
import Testing

@Suite struct ScoreJobTests {
  static func writeDataset(_ format: DatasetFormat, to root: String) throws {
    _ = try SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
      format: format, outputDirectory: root, trainCount: 4, valCount: 2, seed: 5)).write()
  }

  static func score(
    _ root: String?, catalog: String, indicators: [Indicator] = Indicator.defaultSet, failFast: Bool = false
  ) throws -> ScoreReport {
    try PipelineRunner.score(
      root: root, catalogPath: catalog, options: ScoreOptions(indicators: indicators, failFast: failFast),
      context: StageContext(workers: 2, progress: .silent))
  }

  @Test(arguments: DatasetFormat.allCases)
  func everySampleGetsEveryIndicatorAndARerunDecodesNothing(format: DatasetFormat) throws {
    try withTemporaryDirectory { directory in
      try Self.writeDataset(format, to: directory + "/data")
      let catalogPath = directory + "/c.sqlite"
      let first = try Self.score(directory + "/data", catalog: catalogPath, indicators: Indicator.allCases)
      #expect(first.samples == first.computed && first.failures.isEmpty)
      #expect(first.decodedImages == first.samples && first.decodedLabels == first.samples)
      let scores = try Catalog(path: catalogPath).scores()
      #expect(scores.count == first.samples * Indicator.allCases.count)
      #expect(scores.allSatisfy { $0.value.isFinite })
      #expect(Set(scores.map(\.variant)) == Set(Indicator.allCases.map(\.variant)))
      let second = try Self.score(directory + "/data", catalog: catalogPath, indicators: Indicator.allCases)
      #expect(second.computed == 0 && second.cached == first.samples)
      #expect(second.decodedImages == 0 && second.decodedLabels == 0)
      #expect(try Catalog(path: catalogPath).scores() == scores)
    }
  }

  @Test func aChangedLabelRecomputesOnlyLabelIndicators() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/data"
      try Self.writeDataset(.camvid, to: root)
      let catalogPath = directory + "/c.sqlite"
      _ = try Self.score(root, catalog: catalogPath)
      let label = root + "/trainannot/" + (try FileManager.default.contentsOfDirectory(atPath: root + "/trainannot").sorted()[0])
      let bytes = try Data(contentsOf: URL(fileURLWithPath: label))
      try FileManager.default.removeItem(atPath: label)
      try bytes.write(to: URL(fileURLWithPath: label))
      try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 5)], ofItemAtPath: label)
      let report = try Self.score(root, catalog: catalogPath)
      #expect(report.computed == 1 && report.decodedLabels == 1 && report.decodedImages == 0)
    }
  }

  @Test func addingIndicatorsComputesOnlyTheMissingOnes() throws {
    try withTemporaryDirectory { directory in
      try Self.writeDataset(.cityscapes, to: directory + "/data")
      let catalogPath = directory + "/c.sqlite"
      let labelsOnly = try Self.score(directory + "/data", catalog: catalogPath, indicators: [.labelBoundary, .classCount])
      #expect(labelsOnly.decodedImages == 0 && labelsOnly.decodedLabels == 6)
      let withImage = try Self.score(directory + "/data", catalog: catalogPath, indicators: [.labelBoundary, .siMean])
      #expect(withImage.decodedImages == 6 && withImage.decodedLabels == 0)
    }
  }

  @Test func aCorruptImageIsRecordedAndTheRunGoesOn() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/data"
      try Self.writeDataset(.camvid, to: root)
      let catalogPath = directory + "/c.sqlite"
      _ = try PipelineRunner.scan(root: root, catalogPath: catalogPath, context: StageContext(progress: .silent))
      // Corrupt pixel data behind a valid header: the scan (headers only) cannot see it.
      let image = root + "/train/" + (try FileManager.default.contentsOfDirectory(atPath: root + "/train").sorted()[1])
      var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image)))
      for index in 60..<bytes.count - 20 { bytes[index] ^= 0x5A }
      try Data(bytes).write(to: URL(fileURLWithPath: image))
      let report = try Self.score(nil, catalog: catalogPath)
      #expect(report.failures.count == 1)
      #expect(report.computed == report.samples - 1)
      let failures = try Catalog(path: catalogPath).scoreFailures()
      #expect(failures.count == 1 && failures[0].reason.contains(image))
      #expect(throws: PipelineError.self) { try Self.score(nil, catalog: catalogPath, failFast: true) }
    }
  }

  @Test func anEmptyCatalogSaysWhatToDo() throws {
    _ = try withTemporaryDirectory { directory in
      #expect(throws: PipelineError.self) { try Self.score(nil, catalog: directory + "/c.sqlite") }
    }
  }
}

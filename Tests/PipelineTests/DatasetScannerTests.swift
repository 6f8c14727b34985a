import Catalog
import DanceCore
import Datasets
import Foundation
import GRDB
import ImageCodecs
import Pipeline
import Runner
import Synthetic
import TestSupport
import Testing

@Suite struct DatasetScannerTests {
  static func writeDataset(_ format: DatasetFormat, to root: String, train: Int = 4, val: Int = 2) throws {
    _ = try SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
      format: format, outputDirectory: root, trainCount: train, valCount: val, seed: 3)).write()
  }

  static func scan(_ root: String, catalog: String, verify: Bool = false) throws -> ScanReport {
    var options = ScanOptions()
    options.verifyImages = verify
    return try PipelineRunner.scan(root: root, catalogPath: catalog, options: options, context: StageContext(workers: 2, progress: .silent))
  }

  @Test(arguments: DatasetFormat.allCases)
  func scanCatalogsEverySample(format: DatasetFormat) throws {
    try withTemporaryDirectory { directory in
      try Self.writeDataset(format, to: directory + "/data")
      let report = try Self.scan(directory + "/data", catalog: directory + "/c.sqlite", verify: true)
      #expect(report.format == format.rawValue)
      #expect(report.splits.first == ScanReport.SplitCount(split: "train", ok: 4, bad: 0))
      #expect(report.badSamples == 0 && report.problems.isEmpty)
      let samples = try Catalog(path: directory + "/c.sqlite").samples()
      #expect(samples.count == report.splits.map(\.ok).reduce(0, +))
      #expect(samples.allSatisfy { $0.width != nil && $0.imageIdentity != nil && $0.labelIdentity != nil })
    }
  }

  @Test func rescanningAnUnchangedDatasetReadsAndChangesNothing() throws {
    try withTemporaryDirectory { directory in
      try Self.writeDataset(.cityscapes, to: directory + "/data")
      let first = try Self.scan(directory + "/data", catalog: directory + "/c.sqlite")
      #expect(first.changes.inserted == 6 && first.validated == 6)
      let catalog = try Catalog(path: directory + "/c.sqlite")
      let rowsBefore = (try catalog.samples(), try catalog.problems(), try catalog.datasets())
      let second = try Self.scan(directory + "/data", catalog: directory + "/c.sqlite")
      #expect(second.validated == 0 && second.reused == 6)
      #expect(second.changes.unchanged == 6 && second.changes.inserted + second.changes.updated + second.changes.deleted == 0)
      #expect(!second.changes.problemsChanged)
      let rowsAfter = (try catalog.samples(), try catalog.problems(), try catalog.datasets())
      #expect(rowsAfter == rowsBefore)
    }
  }

  @Test func aChangedFileIsReadAgainAndARemovedOneLeavesTheCatalog() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/data"
      try Self.writeDataset(.camvid, to: root)
      _ = try Self.scan(root, catalog: directory + "/c.sqlite")
      // Break one label (wrong size) and delete another sample's image.
      try writeFile(try PNGEncoder().encode(Image8(width: 5, height: 5, channels: 1, repeating: 1)), to: root + "/trainannot/" + (try FileManager.default.contentsOfDirectory(atPath: root + "/trainannot").sorted()[0]))
      let victim = try FileManager.default.contentsOfDirectory(atPath: root + "/val").sorted()[0]
      try FileManager.default.removeItem(atPath: root + "/val/" + victim)
      let report = try Self.scan(root, catalog: directory + "/c.sqlite")
      #expect(report.validated == 1)
      #expect(report.changes.updated == 1 && report.changes.deleted == 1)
      #expect(report.badSamples == 1)
      #expect(Set(report.problems.map(\.kind)) == [.sizeMismatch, .missingImage])
      let bad = try Catalog(path: directory + "/c.sqlite").samples(status: .bad)
      #expect(bad.count == 1 && bad[0].error?.contains("label is 5×5") == true)
    }
  }

  @Test func cachedBadSamplesKeepTheirProblems() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/data"
      try Self.writeDataset(.ade20k, to: root, train: 2, val: 1)
      let label = root + "/ADEChallengeData2016/annotations/training/ADE_train_00000001.png"
      try writeFile(try PNGEncoder().encode(Image8(width: 3, height: 3, channels: 1, repeating: 222)), to: label)
      let first = try Self.scan(root, catalog: directory + "/c.sqlite")
      let second = try Self.scan(root, catalog: directory + "/c.sqlite")
      #expect(second.validated == 0)
      #expect(second.problems == first.problems)
      #expect(second.badSamples == 1)
    }
  }

  /// A problem row of a kind this Dance does not know (another tool, a newer Dance) is refused
  /// with the catalog's path and the value, never read as another kind (it was `stray-file`).
  @Test(arguments: ["cosmic-ray", "Stray-File", "missing_label"])
  func anUnknownProblemKindInTheCatalogIsRefusedNamingIt(kind: String) throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/data", catalog = directory + "/c.sqlite"
      try Self.writeDataset(.ade20k, to: root, train: 2, val: 1)
      let label = root + "/ADEChallengeData2016/annotations/training/ADE_train_00000001.png"
      try writeFile(try PNGEncoder().encode(Image8(width: 3, height: 3, channels: 1, repeating: 222)), to: label)
      #expect(try Self.scan(root, catalog: catalog).badSamples == 1)
      try DatabaseQueue(path: catalog).write { db in try db.execute(sql: "UPDATE problem SET kind = ?", arguments: [kind]) }
      #expect {
        _ = try Self.scan(root, catalog: catalog)
      } throws: { error in
        guard case PipelineError.catalog(.sqlite(let path, let reason)) = error else { return false }
        return path == catalog && reason.contains("ProblemKind") && reason.contains(kind)
      }
    }
  }

  @Test func tenThousandTinySamplesScan() throws {
    // Not timed here (speed belongs to benchmarks); this proves the scale works and stays ordered.
    try withTemporaryDirectory { root in
      let image = try PNGEncoder().encode(Image8(width: 4, height: 4, channels: 3, repeating: 9))
      let label = try PNGEncoder().encode(Image8(width: 4, height: 4, channels: 1, repeating: 2))
      for index in 0..<2_000 {
        let name = String(format: "Seq_%05d.png", index)
        try writeFile(image, to: root + "/train/" + name)
        try writeFile(label, to: root + "/trainannot/" + name)
      }
      let report = try Self.scan(root, catalog: root + "-c.sqlite")
      #expect(report.splits == [ScanReport.SplitCount(split: "train", ok: 2_000, bad: 0)])
      try? FileManager.default.removeItem(atPath: root + "-c.sqlite")
    }
  }
}

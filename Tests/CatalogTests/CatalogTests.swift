import Catalog
import DanceCore
import Foundation
import TestSupport
import Testing

@Suite struct CatalogTests {
  static func sample(
    _ key: SampleKey, datasetId: Int64, split: DatasetSplit = .train, status: SampleStatus = .ok, bytes: Int64 = 10
  ) -> SampleRecord {
    SampleRecord(
      key: key, datasetId: datasetId, split: split, imagePath: "img/\(key).png", labelPath: "lbl/\(key).png",
      width: 4, height: 3, image: FileIdentity(bytes: bytes, modifiedNanoseconds: 1),
      label: FileIdentity(bytes: 5, modifiedNanoseconds: 2), status: status, error: status == .bad ? "broken" : nil)
  }

  @Test func openingCreatesTheSchemaAndReopeningKeepsData() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/sub/catalog.sqlite"
      let catalog = try Catalog(path: path)
      let dataset = try catalog.registerDataset(
        DatasetRecord(root: "/data/cs", format: .cityscapes, labelEncoding: "cityscapes-labelIds", labelSpace: "cs"))
      let id = try #require(dataset.id)
      _ = try catalog.recordScan(datasetId: id, samples: [Self.sample("a", datasetId: id)], problems: [])
      let reopened = try Catalog(path: path)
      #expect(try reopened.samples().map(\.key) == ["a"])
      #expect(try reopened.datasets() == [dataset])
    }
  }

  @Test func registeringTheSameRootTwiceReturnsTheFirstAndRefusesAnotherFormat() throws {
    try withTemporaryDirectory { directory in
      let catalog = try Catalog(path: directory + "/c.sqlite")
      let record = DatasetRecord(root: "/d", format: .camvid, labelEncoding: "camvid-segnet", labelSpace: "camvid-segnet-11")
      let first = try catalog.registerDataset(record)
      #expect(try catalog.registerDataset(record) == first)
      var other = record
      other.format = .ade20k
      #expect(throws: CatalogError.self) { try catalog.registerDataset(other) }
    }
  }

  @Test func recordingTheSameScanTwiceChangesNothing() throws {
    try withTemporaryDirectory { directory in
      let catalog = try Catalog(path: directory + "/c.sqlite")
      let id = try #require(try catalog.registerDataset(
        DatasetRecord(root: "/d", format: .camvid, labelEncoding: "camvid-segnet", labelSpace: "s")).id)
      let samples = (0..<5).map { Self.sample("k\($0)", datasetId: id) }
      let problems = [ProblemRecord(datasetId: id, kind: .strayFile, path: "x.txt", sampleKey: nil, detail: "not part of the layout")]
      let first = try catalog.recordScan(datasetId: id, samples: samples, problems: problems)
      #expect(first.inserted == 5 && first.problemsChanged)
      let before = try catalog.totalChanges()
      let second = try catalog.recordScan(datasetId: id, samples: samples.reversed(), problems: problems)
      #expect(second == { var c = ScanChanges(); c.unchanged = 5; return c }())
      #expect(try catalog.totalChanges() == before)
    }
  }

  @Test func changedDeletedAndNewSamplesAreCounted() throws {
    try withTemporaryDirectory { directory in
      let catalog = try Catalog(path: directory + "/c.sqlite")
      let id = try #require(try catalog.registerDataset(
        DatasetRecord(root: "/d", format: .camvid, labelEncoding: "camvid-segnet", labelSpace: "s")).id)
      _ = try catalog.recordScan(datasetId: id, samples: ["a", "b", "c"].map { Self.sample($0, datasetId: id) }, problems: [])
      let changes = try catalog.recordScan(
        datasetId: id,
        samples: [Self.sample("a", datasetId: id), Self.sample("b", datasetId: id, status: .bad, bytes: 11), Self.sample("d", datasetId: id)],
        problems: [])
      #expect(changes.unchanged == 1 && changes.updated == 1 && changes.deleted == 1 && changes.inserted == 1)
      #expect(try catalog.samples(status: .bad).map(\.key) == ["b"])
      #expect(try catalog.samples().map(\.key) == ["a", "b", "d"])
    }
  }

  @Test func aKeyOwnedByAnotherDatasetIsRefused() throws {
    try withTemporaryDirectory { directory in
      let catalog = try Catalog(path: directory + "/c.sqlite")
      let a = try #require(try catalog.registerDataset(DatasetRecord(root: "/a", format: .camvid, labelEncoding: "e", labelSpace: "s")).id)
      let b = try #require(try catalog.registerDataset(DatasetRecord(root: "/b", format: .camvid, labelEncoding: "e", labelSpace: "s", name: "b")).id)
      _ = try catalog.recordScan(datasetId: a, samples: [Self.sample("same", datasetId: a)], problems: [])
      #expect(throws: CatalogError.self) {
        try catalog.recordScan(datasetId: b, samples: [Self.sample("same", datasetId: b)], problems: [])
      }
    }
  }

  @Test func aFileThatIsNotADatabaseIsAClearError() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/not.sqlite"
      try writeFile(Array(repeating: 0x41, count: 4096), to: path)
      #expect {
        try Catalog(path: path)
      } throws: { error in
        guard case .cannotOpen(let errorPath, _) = error as? CatalogError else { return false }
        return errorPath == path
      }
    }
  }
}

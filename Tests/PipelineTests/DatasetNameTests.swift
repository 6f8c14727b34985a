import Catalog
import DanceCore
import Datasets
import Foundation
import GRDB
import Pipeline
import Runner
import TestSupport
import Testing

/// Sample keys start with the dataset's name, so datasets of one layout share a catalog.
@Suite struct DatasetNameTests {
  static func scan(_ root: String, catalog: String, name: String? = nil) throws -> ScanReport {
    try PipelineRunner.scan(
      root: root, catalogPath: catalog, discovery: DiscoveryOptions(name: name.flatMap(DatasetName.init)),
      context: StageContext(workers: 2, progress: .silent))
  }

  @Test func twoCopiesOfOneLayoutShareACatalogUnderTheirOwnNames() throws {
    try withTemporaryDirectory { directory in
      for copy in ["cityscapes", "cityscapes-export"] {
        try DatasetScannerTests.writeDataset(.cityscapes, to: directory + "/" + copy)
        _ = try Self.scan(directory + "/" + copy, catalog: directory + "/c.sqlite")
      }
      let catalog = try Catalog(path: directory + "/c.sqlite")
      #expect(try catalog.datasets().map(\.name) == ["cityscapes", "cityscapes-export"])
      let keys = try catalog.samples().map(\.key)
      #expect(keys.count == 12 && Set(keys).count == 12)
      #expect(keys.filter { $0.rawValue.hasPrefix("cityscapes-export/train/") }.count == 4)
    }
  }

  @Test func aTakenNameIsRefusedWithoutLeavingARowAndAnotherNameWorks() throws {
    try withTemporaryDirectory { directory in
      for copy in ["a/data", "b/data"] { try DatasetScannerTests.writeDataset(.camvid, to: directory + "/" + copy) }
      _ = try Self.scan(directory + "/a/data", catalog: directory + "/c.sqlite")
      #expect {
        _ = try Self.scan(directory + "/b/data", catalog: directory + "/c.sqlite")
      } throws: { error in
        "\(error)".contains("the dataset name 'data'") && "\(error)".contains("--name")
      }
      let catalog = try Catalog(path: directory + "/c.sqlite")
      #expect(try catalog.datasets().count == 1)  // the failed scan left no dataset row behind
      let named = try Self.scan(directory + "/b/data", catalog: directory + "/c.sqlite", name: "second")
      #expect(try catalog.datasets().map(\.name) == ["data", "second"])
      // Without --name, a registered root keeps its name: the rescan changes nothing.
      let rescan = try Self.scan(directory + "/b/data", catalog: directory + "/c.sqlite")
      #expect(rescan.changes.inserted == 0 && rescan.changes.deleted == 0 && rescan.changes.unchanged == named.changes.inserted && named.changes.inserted > 0)
    }
  }

  @Test func aScanThatFailsInTheCatalogLeavesNoDatasetRow() throws {
    try withTemporaryDirectory { directory in
      try DatasetScannerTests.writeDataset(.cityscapes, to: directory + "/one/x")
      try DatasetScannerTests.writeDataset(.cityscapes, to: directory + "/two/y")
      _ = try Self.scan(directory + "/one/x", catalog: directory + "/c.sqlite", name: "same")
      // Force a key collision under a fresh name by renaming the first dataset's row.
      try DatabaseQueue(path: directory + "/c.sqlite").write { db in try db.execute(sql: "UPDATE dataset SET name = 'renamed'") }
      #expect {
        _ = try Self.scan(directory + "/two/y", catalog: directory + "/c.sqlite", name: "same")
      } throws: { error in
        "\(error)".contains("already belongs to the dataset at \(directory)/one/x")
      }
      #expect(try Catalog(path: directory + "/c.sqlite").datasets().map(\.name) == ["renamed"])
    }
  }

  @Test(arguments: [("Cityscapes 2", "Cityscapes_2"), ("ADEChallengeData2016", "ADEChallengeData2016"), ("ünï", "_n_")])
  func defaultNamesAreTheRootsLastComponentMadeSafe(component: String, expected: String) {
    #expect(DatasetName.default(root: "/data/" + component).rawValue == expected)
    #expect(DatasetName("with space") == nil && DatasetName("") == nil && DatasetName(String(repeating: "a", count: 33)) == nil)
  }
}

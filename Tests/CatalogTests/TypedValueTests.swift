import Catalog
import DanceCore
import Foundation
import GRDB
import TestSupport
import Testing

/// The catalog stores and returns formats, splits, indicators and problem kinds typed; a value this Dance does not
/// know (written by another tool, or a newer Dance) is refused with the catalog's path, never read
/// as a default.
@Suite struct TypedValueTests {
  @Test(arguments: DatasetFormat.allCases)
  func formatsSplitsIndicatorsAndProblemKindsRoundTrip(format: DatasetFormat) throws {
    try withTemporaryDirectory { directory in
      let catalog = try Catalog(path: directory + "/c.sqlite")
      let dataset = try catalog.registerDataset(DatasetRecord(root: "/d", format: format, labelEncoding: "e", labelSpace: "s"))
      let id = try #require(dataset.id)
      let samples = DatasetSplit.allCases.map { split in CatalogTests.sample("d/\(split.rawValue)", datasetId: id, split: split) }
      let problems = ProblemKind.allCases.map { ProblemRecord(datasetId: id, kind: $0, path: $0.rawValue, sampleKey: "d/val", detail: "d") }
      _ = try catalog.recordScan(datasetId: id, samples: samples, problems: problems)
      let file = FileIdentity(bytes: 10, modifiedNanoseconds: 1)
      let scores = Indicator.allCases.map { ScoreRecord(sampleKey: "d/train", indicator: $0, variant: $0.variant, value: 0.5, file: file) }
      try catalog.recordScores(scores, failures: [], succeeded: ["d/train"])
      #expect(try catalog.datasets().map(\.format) == [format])
      #expect(try catalog.samples().map(\.split).sorted() == DatasetSplit.allCases)
      for split in DatasetSplit.allCases { #expect(try catalog.samples(split: split).map(\.key) == ["d/\(split.rawValue)"]) }
      #expect(Set(try catalog.scores().map(\.indicator)) == Set(Indicator.allCases))
      #expect(try catalog.scores(indicator: .fidelity50).count == 1)
      #expect(Set(try catalog.problems().map(\.kind)) == Set(ProblemKind.allCases))
    }
  }

  @Test(arguments: [
    (table: "dataset", column: "format", value: "pascal-voc"),
    (table: "sample", column: "split", value: "holdout"),
    (table: "score", column: "indicator", value: "entropy-v9"),
    (table: "problem", column: "kind", value: "cosmic-ray"),
  ])
  func anUnknownValueIsRefusedNotDefaulted(table: String, column: String, value: String) throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/c.sqlite"
      do {
        let catalog = try Catalog(path: path)
        let id = try #require(try catalog.registerDataset(ScoreAndMergeTests.dataset).id)
        let stray = ProblemRecord(datasetId: id, kind: .strayFile, path: "x.txt", sampleKey: nil, detail: "not part of the layout")
        _ = try catalog.recordScan(datasetId: id, samples: [CatalogTests.sample("cs/a", datasetId: id)], problems: [stray])
        let file = FileIdentity(bytes: 10, modifiedNanoseconds: 1)
        try catalog.recordScores(
          [ScoreRecord(sampleKey: "cs/a", indicator: .si, variant: "v1", value: 1, file: file)], failures: [], succeeded: ["cs/a"])
      }
      let queue = try DatabaseQueue(path: path)
      try queue.write { db in try db.execute(sql: "UPDATE \(table) SET \(column) = ?", arguments: [value]) }
      let catalog = try Catalog(path: path, access: .existing)
      let read: () throws -> Void = switch table {
      case "dataset": { _ = try catalog.datasets() }
      case "sample": { _ = try catalog.samples() }
      case "problem": { _ = try catalog.problems() }
      default: { _ = try catalog.scores() }
      }
      #expect {
        try read()
      } throws: { error in
        guard case CatalogError.sqlite(let errorPath, let reason) = error else { return false }
        return errorPath == path && reason.contains(value)
      }
    }
  }
}

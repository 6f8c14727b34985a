import Catalog
import DanceCore
import Foundation
import GRDB
import TestSupport
import Testing

/// Sample keys are stored as the same TEXT the plain strings were, in every table that holds one,
/// and the catalog's score rows group into a ``ScoreTable``.
@Suite struct SampleKeyStorageTests {
  static let file = FileIdentity(bytes: 10, modifiedNanoseconds: 1)

  @Test(arguments: [
    (table: "sample", column: "key"), (table: "score", column: "sampleKey"), (table: "scoreFailure", column: "sampleKey"),
    (table: "problem", column: "sampleKey"), (table: "decision", column: "sampleKey"), (table: "member", column: "sampleKey"),
    (table: "slimFailure", column: "sampleKey"),
  ])
  func aKeyIsStoredAsItsTextAndReadBackTyped(table: String, column: String) throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/c.sqlite"
      let key: SampleKey = "cs/a"
      let catalog = try ScoreAndMergeTests.part(path, keys: [key, "cs/b"])
      let id = try #require(try catalog.datasets().first?.id)
      _ = try catalog.recordScan(
        datasetId: id, samples: [CatalogTests.sample(key, datasetId: id), CatalogTests.sample("cs/b", datasetId: id)],
        problems: [ProblemRecord(datasetId: id, kind: .sizeMismatch, path: "a.png", sampleKey: key, detail: "3×3, 4×4")])
      try catalog.recordScores(
        [ScoreRecord(sampleKey: key, indicator: .siMean, variant: "v1", value: 1, file: Self.file)], failures: [], succeeded: [key])
      try catalog.recordScores([], failures: [ScoreFailureRecord(sampleKey: key, reason: "a.png: broken")], succeeded: [])
      try OutputTests.write(OutputKey(directory: directory + "/out"), in: catalog, shard: "train/train-000000.tar", key: key, failed: key)
      let stored = try DatabaseQueue(path: path).read { db in
        try Row.fetchAll(db, sql: "SELECT typeof(\(column)) AS type, \(column) AS value FROM \(table) WHERE \(column) = ?", arguments: [key.rawValue])
      }
      #expect(stored.map { $0["type"] as String } == ["text"])
      #expect(stored.map { $0["value"] as String } == [key.rawValue])
      #expect(try catalog.samples().map(\.key) == [key, "cs/b"])
      #expect(try catalog.scores().map(\.sampleKey) == [key])
      #expect(try catalog.problems().compactMap(\.sampleKey) == [key])
      #expect(try catalog.scoreFailures().map(\.sampleKey) == [key])
    }
  }

  @Test func scoreRowsGroupIntoATableOfTheGivenSamples() throws {
    let records = [
      ScoreRecord(sampleKey: "d/a", indicator: .siMean, variant: "v", value: 2, file: Self.file),
      ScoreRecord(sampleKey: "d/a", indicator: .fidelity50, variant: "v", value: 0.5, file: Self.file),
      ScoreRecord(sampleKey: "d/b", indicator: .siMean, variant: "v", value: 1, file: Self.file),
      ScoreRecord(sampleKey: "d/bad", indicator: .siMean, variant: "v", value: 9, file: Self.file),
    ]
    let all = ScoreTable(records)
    #expect(all.keys == ["d/a", "d/b", "d/bad"])
    #expect(all["d/a"] == [.siMean: 2, .fidelity50: 0.5] && all["d/b"] == [.siMean: 1])
    let valid = ScoreTable(records, samples: ["d/a", "d/b"])
    #expect(valid.keys == ["d/a", "d/b"] && valid.value(of: .siMean, for: "d/bad") == nil)
    #expect(ScoreTable([], samples: ["d/a"]).keys.isEmpty)
  }
}

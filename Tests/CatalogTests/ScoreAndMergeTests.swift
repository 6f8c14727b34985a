import Catalog
import DanceCore
import Foundation
import TestSupport
import Testing

/// Scores round-trip and replace by (sample, indicator); merge joins agreeing parts and refuses,
/// writing nothing, when parts disagree.
@Suite struct ScoreAndMergeTests {
  static let dataset = DatasetRecord(root: "/data/cs", format: .cityscapes, labelEncoding: "cityscapes-labelIds", labelSpace: "cs")

  /// A catalog at `path` with the dataset and `keys` as samples (`bytes` as the image size).
  static func part(_ path: String, keys: [SampleKey], bytes: Int64 = 10) throws -> Catalog {
    let catalog = try Catalog(path: path)
    let id = try #require(try catalog.registerDataset(Self.dataset).id)
    _ = try catalog.recordScan(datasetId: id, samples: keys.map { CatalogTests.sample($0, datasetId: id, bytes: bytes) }, problems: [])
    return catalog
  }

  @Test func scoresRoundTripAndAReScoreReplacesTheValue() throws {
    try withTemporaryDirectory { directory in
      let catalog = try Self.part(directory + "/c.sqlite", keys: ["cs/a", "cs/b"])
      let file = FileIdentity(bytes: 10, modifiedNanoseconds: 1)
      let scores = [ScoreRecord(sampleKey: "cs/a", indicator: .siMean, variant: "v1", value: 0.25, file: file),
                    ScoreRecord(sampleKey: "cs/b", indicator: .siMean, variant: "v1", value: 0.75, file: file)]
      try catalog.recordScores(scores, failures: [], succeeded: ["cs/a", "cs/b"])
      #expect(try catalog.scores(indicator: .siMean).sorted { $0.sampleKey < $1.sampleKey } == scores)
      let again = ScoreRecord(sampleKey: "cs/a", indicator: .siMean, variant: "v2", value: 0.5, file: file)
      try catalog.recordScores([again], failures: [], succeeded: ["cs/a"])
      let stored = try catalog.scores(indicator: .siMean).sorted { $0.sampleKey < $1.sampleKey }
      #expect(stored == [again, scores[1]])
      #expect(try catalog.scores(indicator: .edgeDensity).isEmpty)
    }
  }

  @Test func agreeingPartsMergeAndAConflictWritesNothing() throws {
    try withTemporaryDirectory { directory in
      let first = try Self.part(directory + "/p0.sqlite", keys: ["cs/a", "cs/b"])
      let second = try Self.part(directory + "/p1.sqlite", keys: ["cs/b", "cs/c"])
      let merged = try Catalog(path: directory + "/merged.sqlite")
      let report = try merged.merge([first, second])
      #expect(report.parts == 2 && report.samples == 3)
      #expect(try merged.samples().map(\.key) == ["cs/a", "cs/b", "cs/c"])
      #expect(try merged.datasets().count == 1)

      // The same key with another file size in a third part: refused, naming that part.
      let conflicting = try Self.part(directory + "/p2.sqlite", keys: ["cs/a"], bytes: 99)
      let target = try Catalog(path: directory + "/target.sqlite")
      #expect {
        _ = try target.merge([first, conflicting])
      } throws: { error in
        guard case .inconsistent(let path, let reason) = error as? CatalogError else { return false }
        return path == directory + "/p2.sqlite" && reason.contains("cs/a")
      }
      #expect(try target.samples().isEmpty && target.datasets().isEmpty, "a refused merge writes nothing")
    }
  }
}

import Catalog
import DanceCore
import Foundation
import TestSupport
import Testing

/// `dance catalog list|forget|vacuum` on the catalog: the summary's counts, forgetting every row of
/// one output directory (and nothing else), and compaction.
@Suite struct HousekeepingTests {
  @Test func theSummaryCountsSamplesScoresAndEachOutputsRows() throws {
    try withTemporaryDirectory { directory in
      let catalog = try OutputTests.catalog(directory + "/c.sqlite")
      let file = FileIdentity(bytes: 10, modifiedNanoseconds: 1)
      try catalog.recordScores([ScoreRecord(sampleKey: "cs/a", indicator: .siMean, variant: "v1", value: 1, file: file)],
                               failures: [], succeeded: ["cs/a"])
      try OutputTests.write(OutputTests.whole, in: catalog, shard: "train/train-000000.tar", key: "cs/a", failed: "cs/c")
      try OutputTests.write(OutputTests.dryRun, in: catalog, complete: false, shard: "train/x.tar", key: "cs/b")
      let summary = try catalog.summary()
      #expect(summary.datasets.count == 1 && summary.datasets[0].valid == ["train": 3] && summary.datasets[0].scores == 1)
      #expect(summary.outputs.map(\.directory) == ["/out/cs", "/out/cs"] && summary.outputs.map(\.dryRun) == [false, true])
      let whole = summary.outputs[0]
      #expect(whole.plans == 1 && whole.kept == 2 && whole.shards == 1 && whole.shardSamples == 1 && whole.bytes == 1024 && whole.failures == 1)
      #expect(summary.bytes > 0 && !summary.outputs[1].complete)
    }
  }

  @Test func forgettingAnOutputRemovesAllItsRowsAndOnlyThem() throws {
    try withTemporaryDirectory { directory in
      let catalog = try OutputTests.catalog(directory + "/c.sqlite")
      let other = OutputKey(directory: "/out/other")
      try OutputTests.write(OutputTests.whole, in: catalog, shard: "train/a.tar", key: "cs/a", failed: "cs/c")
      try OutputTests.write(OutputTests.part(1, of: 2), in: catalog, shard: "train/b.tar", key: "cs/b")
      try OutputTests.write(OutputTests.dryRun, in: catalog, shard: "train/c.tar", key: "cs/c")
      try OutputTests.write(other, in: catalog, shard: "train/d.tar", key: "cs/a")
      let before = try OutputTests.rows(other, in: catalog)
      let forgotten = try catalog.forgetOutputs(directory: "/out/cs")
      #expect(Set(forgotten.outputs) == [OutputTests.whole, OutputTests.part(1, of: 2), OutputTests.dryRun])
      #expect(forgotten.plans == 3 && forgotten.decisions == 6 && forgotten.shards == 3 && forgotten.members == 3 && forgotten.failures == 1)
      for key in [OutputTests.whole, OutputTests.part(1, of: 2), OutputTests.dryRun] {
        #expect(try catalog.outputRecord(key) == nil && OutputTests.rows(key, in: catalog).isEmpty)
      }
      #expect(try OutputTests.rows(other, in: catalog) == before && catalog.samples().count == 3)
      #expect(try catalog.forgetOutputs(directory: "/out/cs").outputs.isEmpty, "nothing left to forget")
    }
  }

  @Test func vacuumingGivesBackTheSpaceOfForgottenRows() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/c.sqlite"
      let catalog = try OutputTests.catalog(path)
      for index in 0..<200 {
        try OutputTests.write(OutputKey(directory: "/out/o\(index)"), in: catalog, shard: "train/s.tar", key: "cs/a")
      }
      for index in 0..<200 { _ = try catalog.forgetOutputs(directory: "/out/o\(index)") }
      let (before, after) = try catalog.vacuum()
      #expect(after < before, "\(before) → \(after) bytes")
      #expect(try catalog.summary().outputs.isEmpty && catalog.samples().count == 3)
    }
  }
}

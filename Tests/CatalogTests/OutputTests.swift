import Catalog
import DanceCore
import Foundation
import TestSupport
import Testing

/// Outputs are rows keyed by directory, partition and dry-run flag: typed round trips, isolation
/// of a dry run and a partition from the whole directory, and merge by columns.
@Suite struct OutputTests {
  static let whole = OutputKey(directory: "/out/cs")
  static let dryRun = OutputKey(directory: "/out/cs", dryRun: true)
  static func part(_ index: Int, of count: Int) -> OutputKey {
    OutputKey(directory: "/out/cs", partition: OutputPartition(index: index, count: count))
  }

  /// A train plan keeping `keys`, as every partition records it.
  static let plan = PlanRecord(
    split: .train, policy: "{\"quantile\":{}}", indicator: "si-mean@v1", weights: "{}", lambda: nil, samples: 2, kept: 2,
    pixelFraction: 0.75)
  static func decisions(_ keys: [SampleKey]) -> [DecisionRecord] {
    keys.map {
      DecisionRecord(planId: 0, sampleKey: $0, keep: true, scale: 0.5, outputWidth: 2, outputHeight: 2, weight: 1, rank: 0.5, reason: "r")
    }
  }

  /// Records `output` with a plan, one shard named `shard` holding `key`, and a failure of `failed`.
  static func write(
    _ output: OutputKey, in catalog: Catalog, configuration: String = "{\"align\":1}", complete: Bool = true,
    shard: String, key: SampleKey, failed: SampleKey? = nil
  ) throws {
    try catalog.saveOutput(OutputRecord(key: output, configuration: configuration, complete: complete))
    _ = try catalog.recordPlan(plan, decisions: decisions(["cs/a", "cs/b"]), output: output)
    _ = try catalog.recordShard(
      ShardRecord(split: .train, path: shard, bytes: 1024, samples: 1, sha256: "sha-" + shard, md5: "md5-" + shard),
      output: output, members: [MemberRecord(shardId: 0, sampleKey: key, field: "json", dataOffset: 512, size: 10)])
    if let failed { try catalog.recordSlimFailures([SlimFailureRecord(sampleKey: failed, reason: "x.png: broken")], output: output) }
  }

  /// What the catalog holds for one output: plan splits and decisions, shard paths and members, failures.
  static func rows(_ output: OutputKey, in catalog: Catalog) throws -> [String] {
    var rows: [String] = []
    for plan in try catalog.plans(output: output) {
      rows.append("plan \(plan.split) " + (try catalog.decisions(planId: plan.id!).map(\.sampleKey.rawValue).joined(separator: ",")))
    }
    for shard in try catalog.shards(output: output) {
      rows.append("shard \(shard.path) " + (try catalog.members(shardId: shard.id!).map(\.sampleKey.rawValue).joined(separator: ",")))
    }
    rows += try catalog.slimFailures(output: output).map { "failure \($0.sampleKey)" }
    return rows
  }

  static func catalog(_ path: String) throws -> Catalog {
    try ScoreAndMergeTests.part(path, keys: ["cs/a", "cs/b", "cs/c"])
  }

  @Test(arguments: [
    OutputKey(directory: "/out/cs"), OutputKey(directory: "/out/cs", dryRun: true),
    OutputKey(directory: "/out/cs", partition: OutputPartition(index: 2, count: 3)),
    OutputKey(directory: "/out/cs", partition: OutputPartition(index: 0, count: 1), dryRun: true),
  ])
  func aKeyRoundTripsAndASecondSaveUpdatesTheSameRow(key: OutputKey) throws {
    try withTemporaryDirectory { directory in
      let catalog = try Self.catalog(directory + "/c.sqlite")
      #expect(try catalog.outputRecord(key) == nil)
      let first = try catalog.saveOutput(OutputRecord(key: key, configuration: "{\"align\":1}", complete: false))
      let id = try #require(first.id)
      let stored = try #require(try Catalog(path: directory + "/c.sqlite").outputRecord(key))
      #expect(stored.key == key && stored.id == id && stored.configuration == "{\"align\":1}" && !stored.complete)
      let second = try catalog.saveOutput(OutputRecord(key: key, configuration: "{\"align\":2}", complete: true))
      #expect(second.id == id)
      #expect(try catalog.outputs().map(\.key) == [key])
      #expect(try catalog.outputRecord(key)?.configuration == "{\"align\":2}")
      let json = try JSONEncoder().encode(key)
      #expect(try JSONDecoder().decode(OutputKey.self, from: json) == key)
    }
  }

  @Test(arguments: [
    (OutputKey(directory: "out/cs"), "not an absolute path"),
    (OutputKey(directory: "/out/cs", partition: OutputPartition(index: 3, count: 3)), "partition 3/3"),
    (OutputKey(directory: "/out/cs", partition: OutputPartition(index: 0, count: 0)), "partition 0/0"),
  ])
  func anImpossibleKeyIsRefused(key: OutputKey, reason: String) throws {
    try withTemporaryDirectory { directory in
      let catalog = try Self.catalog(directory + "/c.sqlite")
      #expect {
        try catalog.saveOutput(OutputRecord(key: key, configuration: nil, complete: false))
      } throws: { error in
        guard case .inconsistent(let path, let message) = error as? CatalogError else { return false }
        return path == directory + "/c.sqlite" && message.contains(reason)
      }
      #expect(try catalog.outputs().isEmpty)
    }
  }

  @Test func rowsOfAnUnrecordedOutputAreRefused() throws {
    try withTemporaryDirectory { directory in
      let catalog = try Self.catalog(directory + "/c.sqlite")
      #expect {
        try catalog.recordPlan(Self.plan, decisions: Self.decisions(["cs/a"]), output: Self.whole)
      } throws: { error in
        guard case .inconsistent(_, let reason) = error as? CatalogError else { return false }
        return reason.contains("no output /out/cs is recorded")
      }
      #expect(try catalog.plans(output: Self.whole).isEmpty)
    }
  }

  @Test func aDryRunAndAPartitionNeverTouchTheWholeDirectorysRows() throws {
    try withTemporaryDirectory { directory in
      let catalog = try Self.catalog(directory + "/c.sqlite")
      let outputs = [Self.whole, Self.dryRun, Self.part(0, of: 2)]
      for (index, output) in outputs.enumerated() {
        try Self.write(output, in: catalog, shard: "train/train-\(index).tar", key: "cs/a", failed: "cs/c")
      }
      let before = try outputs.map { try Self.rows($0, in: catalog) }
      #expect(before[0] == ["plan train cs/a,cs/b", "shard train/train-0.tar cs/a", "failure cs/c"])
      #expect(before[1] == ["plan train cs/a,cs/b", "shard train/train-1.tar cs/a", "failure cs/c"])
      // Rewriting the dry run and clearing the partition leave the whole directory's rows alone.
      try catalog.clearOutput(Self.dryRun)
      #expect(try Self.rows(Self.dryRun, in: catalog).isEmpty)
      #expect(try Self.rows(Self.whole, in: catalog) == before[0])
      #expect(try Self.rows(Self.part(0, of: 2), in: catalog) == before[2])
      try catalog.clearOutput(Self.part(0, of: 2))
      #expect(try Self.rows(Self.whole, in: catalog) == before[0])
      #expect(try catalog.outputs().map(\.key) == [Self.whole])
      // Another partitioning of the same directory is another output.
      #expect(try catalog.plans(output: Self.part(0, of: 3)).isEmpty)
    }
  }

  @Test func partitionsMergeIntoTheWholeOutputByColumns() throws {
    try withTemporaryDirectory { directory in
      let parts = try [0, 2].map { index in
        let part = try Self.catalog(directory + "/catalog.part\(index)of3.sqlite")
        try Self.write(Self.part(index, of: 3), in: part, shard: "train/train-part\(index)of3-000000.tar", key: "cs/a", failed: index == 2 ? "cs/c" : nil)
        return part
      }
      let merged = try Catalog(path: directory + "/merged.sqlite")
      let report = try merged.merge(parts)
      #expect(report.outputs == [MergeReport.MergedOutput(output: Self.whole, partitionCount: 3, missing: [OutputPartition(index: 1, count: 3)])])
      #expect(report.shards == 2)
      #expect(try Self.rows(Self.whole, in: merged) == [
        "plan train cs/a,cs/b", "shard train/train-part0of3-000000.tar cs/a", "shard train/train-part2of3-000000.tar cs/a", "failure cs/c",
      ])
      let record = try #require(try merged.outputRecord(Self.whole))
      #expect(record.configuration == "{\"align\":1}" && !record.complete, "a missing partition leaves the output incomplete")
      #expect(try merged.outputs().map(\.key) == [Self.whole])

      // With the missing partition the output is whole and complete.
      let last = try Self.catalog(directory + "/catalog.part1of3.sqlite")
      try Self.write(Self.part(1, of: 3), in: last, shard: "train/train-part1of3-000000.tar", key: "cs/b")
      let all = try Catalog(path: directory + "/all.sqlite")
      #expect(try all.merge(parts + [last]).outputs.map(\.missing) == [[]])
      #expect(try all.outputRecord(Self.whole)?.complete == true)
    }
  }

  @Test(arguments: [
    (3, "{\"align\":2}", "with another configuration"),
    (2, "{\"align\":1}", "in 2 partitions here but in 3"),
  ])
  func aPartDisagreeingOnTheOutputIsRefusedAndNothingIsWritten(count: Int, configuration: String, reason: String) throws {
    try withTemporaryDirectory { directory in
      let first = try Self.catalog(directory + "/p0.sqlite")
      try Self.write(Self.part(0, of: 3), in: first, shard: "train/a.tar", key: "cs/a")
      let second = try Self.catalog(directory + "/p1.sqlite")
      try Self.write(Self.part(1, of: count), in: second, configuration: configuration, shard: "train/b.tar", key: "cs/b")
      let merged = try Catalog(path: directory + "/merged.sqlite")
      #expect {
        _ = try merged.merge([first, second])
      } throws: { error in
        guard case .inconsistent(let path, let message) = error as? CatalogError else { return false }
        return path == directory + "/p1.sqlite" && message.contains(reason) && message.contains("/out/cs")
      }
      #expect(try merged.outputs().isEmpty && merged.samples().isEmpty, "a refused merge writes nothing")
    }
  }

  @Test func aDryRunPartitionMergesIntoTheDryRunNotTheWrittenOutput() throws {
    try withTemporaryDirectory { directory in
      let part = try Self.catalog(directory + "/p.sqlite")
      let dryPart = OutputKey(directory: "/out/cs", partition: OutputPartition(index: 0, count: 1), dryRun: true)
      try part.saveOutput(OutputRecord(key: dryPart, configuration: "{}", complete: true))
      _ = try part.recordPlan(Self.plan, decisions: Self.decisions(["cs/a"]), output: dryPart)
      let merged = try Catalog(path: directory + "/merged.sqlite")
      #expect(try merged.merge([part]).outputs.map(\.output) == [Self.dryRun])
      #expect(try merged.plans(output: Self.dryRun).count == 1)
      #expect(try merged.plans(output: Self.whole).isEmpty)
    }
  }
}

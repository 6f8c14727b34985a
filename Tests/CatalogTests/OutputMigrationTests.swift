import DanceCore
@testable import Catalog
import Foundation
import GRDB
import TestSupport
import Testing

/// `v6-output-rows`: a catalog whose outputs were named by strings (`DIR`, `DIR#dry-run`,
/// `DIR#partIofN`) migrates to output rows with columns and keeps every row that referred to them.
@Suite struct OutputMigrationTests {
  /// The migration before `v6-output-rows`.
  static let previous: String = {
    let migrations = Catalog.migrator.migrations
    return migrations[migrations.firstIndex(of: "v6-output-rows")! - 1]
  }()

  static let partitionConfiguration = #"{"align":1,"output":{"imageCodec":"png"},"partition":"part1of3","policy":{"none":{}}}"#

  /// A catalog at the previous schema with a plain output, its dry run and one partition of
  /// another directory, each with a plan and a decision; the plain one and the partition with a
  /// shard, a member and a failure.
  static func legacyCatalog(at path: String) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA application_id = \(Catalog.applicationID)") }
    try Catalog.migrator.migrate(queue, upTo: previous)
    try queue.write { db in
      try db.execute(sql: """
        INSERT INTO dataset (id, root, format, labelEncoding, labelSpace, name) VALUES (1, '/data/cs', 'cityscapes', 'e', 's', 'cs');
        INSERT INTO sample (key, datasetId, split, imagePath, labelPath, width, height, status) VALUES
          ('cs/train/a', 1, 'train', 'a.png', 'a_label.png', 4, 3, 'ok'), ('cs/train/b', 1, 'train', 'b.png', 'b_label.png', 4, 3, 'ok');
        INSERT INTO output (path, configuration, complete) VALUES
          ('/out/plain', '{"align":1}', 1), ('/out/parts#part1of3', ?, 0);
        INSERT INTO plan (id, output, split, policy, indicator, weights, lambda, samples, kept, pixelFraction) VALUES
          (7, '/out/plain', 'train', 'p', 'si-mean@v1', 'w', NULL, 2, 2, 1.0),
          (8, '/out/plain#dry-run', 'train', 'p', 'si-mean@v1', 'w', NULL, 2, 1, 0.5),
          (9, '/out/parts#part1of3', 'train', 'p', 'si-mean@v1', 'w', 0.25, 2, 2, 0.75);
        INSERT INTO decision (planId, sampleKey, keep, scale, outputWidth, outputHeight, weight, rank, reason) VALUES
          (7, 'cs/train/a', 1, 1, 4, 3, 1, 0.5, 'kept'), (8, 'cs/train/b', 0, 0, 0, 0, 0, 0.1, 'dropped'),
          (9, 'cs/train/a', 1, 0.5, 2, 2, 1, 0.5, 'kept');
        INSERT INTO shard (id, output, split, path, bytes, samples, sha256, md5) VALUES
          (3, '/out/plain', 'train', 'train/train-000000.tar', 2048, 1, 's1', 'm1'),
          (4, '/out/parts#part1of3', 'train', 'train/train-part1of3-000000.tar', 3072, 1, 's2', 'm2');
        INSERT INTO member (shardId, sampleKey, field, dataOffset, size) VALUES
          (3, 'cs/train/a', 'json', 512, 10), (4, 'cs/train/a', 'png', 512, 99);
        INSERT INTO slimFailure (output, sampleKey, reason) VALUES
          ('/out/plain', 'cs/train/b', 'b.png: broken'), ('/out/parts#part1of3', 'cs/train/b', 'b.png: broken');
        """, arguments: [partitionConfiguration])
    }
  }

  static let plain = OutputKey(directory: "/out/plain")
  static let dryRun = OutputKey(directory: "/out/plain", dryRun: true)
  static let partition = OutputKey(directory: "/out/parts", partition: OutputPartition(index: 1, count: 3))

  @Test func legacyOutputsBecomeRowsWithColumnsAndKeepTheirRows() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/old.sqlite"
      try Self.legacyCatalog(at: path)
      let catalog = try Catalog(path: path)
      let outputs = try catalog.outputs()
      #expect(Set(outputs.map(\.key)) == [Self.plain, Self.dryRun, Self.partition])
      let byKey = Dictionary(uniqueKeysWithValues: outputs.map { ($0.key, $0) })
      #expect(byKey[Self.plain]?.configuration == #"{"align":1}"# && byKey[Self.plain]?.complete == true)
      // The partition is a column now, so the configuration no longer names it.
      #expect(byKey[Self.partition]?.configuration == #"{"align":1,"output":{"imageCodec":"png"},"policy":{"none":{}}}"#)
      #expect(byKey[Self.partition]?.complete == false)
      // A dry run had no output record: its row is created, without a configuration.
      #expect(byKey[Self.dryRun]?.configuration == nil && byKey[Self.dryRun]?.complete == false)

      #expect(try catalog.plans(output: Self.plain).map(\.id) == [7])
      #expect(try catalog.plans(output: Self.dryRun).map(\.kept) == [1])
      let partitionPlan = try #require(try catalog.plans(output: Self.partition).first)
      #expect(partitionPlan.id == 9 && partitionPlan.lambda == 0.25 && partitionPlan.outputId == byKey[Self.partition]?.id)
      #expect(try catalog.decisions(planId: 8).map(\.reason) == ["dropped"])
      #expect(try catalog.shards(output: Self.plain).map(\.path) == ["train/train-000000.tar"])
      let shard = try #require(try catalog.shards(output: Self.partition).first)
      #expect(shard.id == 4 && shard.bytes == 3072 && shard.md5 == "m2")
      #expect(try catalog.members(shardId: 4).map(\.size) == [99])
      #expect(try catalog.slimFailures(output: Self.partition).map(\.reason) == ["b.png: broken"])
      #expect(try catalog.slimFailures(output: Self.dryRun).isEmpty)

      // Every row now hangs off its output row: clearing the plain output takes its rows with it.
      try catalog.clearOutput(Self.plain)
      #expect(try catalog.decisions(planId: 7).isEmpty && catalog.members(shardId: 3).isEmpty)
      #expect(try catalog.slimFailures(output: Self.plain).isEmpty)
      #expect(try catalog.plans(output: Self.dryRun).count == 1 && catalog.shards(output: Self.partition).count == 1)
    }
  }

  @Test func theRebuiltTablesKeepTheirKeysAndIndexes() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/old.sqlite"
      try Self.legacyCatalog(at: path)
      _ = try Catalog(path: path)
      let queue = try DatabaseQueue(path: path)
      let schema = try queue.read { db throws -> [String: Bool] in
        [
          "plan has outputId": try db.columns(in: "plan").map(\.name).contains("outputId"),
          "shard has no output": try !db.columns(in: "shard").map(\.name).contains("output"),
          "shard unique on (outputId, path)": try db.indexes(on: "shard").contains { $0.isUnique && $0.columns == ["outputId", "path"] },
          "plan indexed on outputId": try db.indexes(on: "plan").contains { $0.columns == ["outputId"] },
          "slimFailure keyed by (outputId, sampleKey)": try db.primaryKey("slimFailure").columns == ["outputId", "sampleKey"],
          "shard references output": try db.foreignKeys(on: "shard").contains { $0.destinationTable == "output" },
          "decision references plan": try db.foreignKeys(on: "decision").contains { $0.destinationTable == "plan" },
        ]
      }
      #expect(schema.filter { !$0.value }.keys.sorted() == [])
      try queue.write { db throws in
        // The whole directory's key is unique although its partition columns are NULL.
        #expect(throws: DatabaseError.self) {
          try db.execute(sql: "INSERT INTO output (directory, dryRun, configuration, complete) VALUES ('/out/plain', 0, NULL, 0)")
        }
        #expect(throws: DatabaseError.self) {
          try db.execute(sql: "INSERT INTO shard (outputId, split, path, bytes, samples, sha256, md5) SELECT outputId, split, path, 1, 1, 's', 'm' FROM shard WHERE id = 3")
        }
      }
    }
  }

  @Test(arguments: [
    ("/out/a", OutputKey(directory: "/out/a")),
    ("/out/a#dry-run", OutputKey(directory: "/out/a", dryRun: true)),
    ("/out/a#part0of3", OutputKey(directory: "/out/a", partition: OutputPartition(index: 0, count: 3))),
    ("/out/a#b#part12of20", OutputKey(directory: "/out/a#b", partition: OutputPartition(index: 12, count: 20))),
    // Not what Dance wrote: kept as a directory name.
    ("/out/a#part01of3", OutputKey(directory: "/out/a#part01of3")),
    ("/out/a#part3of3", OutputKey(directory: "/out/a#part3of3")),
    ("/out/a#partial", OutputKey(directory: "/out/a#partial")),
  ])
  func aLegacyNameIsParsedOnlyWhenDanceWroteItSo(name: String, key: OutputKey) {
    #expect(Catalog.legacyKey(name) == key)
  }
}

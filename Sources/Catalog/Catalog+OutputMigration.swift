import Foundation
import GRDB

extension Catalog {
  /// Adds `v6-output-rows`: the `output` table becomes one row per output with typed columns, and
  /// `plan`, `shard` and `slimFailure` refer to it by `outputId` instead of by a key string.
  ///
  /// Until v6 an output was named by a string: the directory, `DIR#dry-run` for a dry run and
  /// `DIR#partIofN` for a partition. This migration is the only place that reads those strings:
  /// each becomes a row with its directory, partition and dry-run flag (a dry run's plans had no
  /// output record, so its row is created here, with no configuration). A partition's
  /// configuration loses its `partition` field, which is a column now.
  static func registerOutputRowsMigration(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("v6-output-rows") { db in
      try replaceOutputTable(db)
      // Each table that named its output: create it anew, copy through legacyOutput, drop, rename.
      try replacePlanTable(db)
      try replaceShardTable(db)
      try replaceSlimFailureTable(db)
      try db.execute(sql: "DROP TABLE temp.legacyOutput")
    }
  }

  /// Puts one row per legacy output string (recorded in `output`, or only named by a plan, shard
  /// or failure) in place of the `output` table, and records each string's row in `temp.legacyOutput`.
  private static func replaceOutputTable(_ db: Database) throws {
    let recorded = try Row.fetchAll(db, sql: "SELECT path, configuration, complete FROM output")
    var legacy: [String: (configuration: String, complete: Bool)] = [:]
    for row in recorded {
      let name: String = row["path"]
      legacy[name] = (row["configuration"], row["complete"])
    }
    let referenced = try String.fetchAll(
      db, sql: "SELECT output FROM plan UNION SELECT output FROM shard UNION SELECT output FROM slimFailure")

    try createOutputTable(db)
    // The key of each legacy string's row, for copying the rows that referred to it.
    try db.execute(sql: "CREATE TEMP TABLE legacyOutput (name TEXT PRIMARY KEY, outputId INTEGER NOT NULL)")
    for name in Set(legacy.keys).union(referenced).sorted() {
      let key = legacyKey(name)
      var configuration = legacy[name]?.configuration
      if let partition = key.partition {
        let field = "\"partition\":\"part\(partition.index)of\(partition.count)\""
        configuration = configuration?.replacingOccurrences(of: "," + field, with: "").replacingOccurrences(of: field + ",", with: "")
      }
      try db.execute(
        sql: """
          INSERT INTO new_output (directory, partitionIndex, partitionCount, dryRun, configuration, complete)
          VALUES (?, ?, ?, ?, ?, ?)
          """,
        arguments: [key.directory, key.partition?.index, key.partition?.count, key.dryRun, configuration, legacy[name]?.complete ?? false])
      try db.execute(sql: "INSERT INTO legacyOutput (name, outputId) VALUES (?, ?)", arguments: [name, db.lastInsertedRowID])
    }
    try db.drop(table: "output")
    try db.rename(table: "new_output", to: "output")
    // NULLs are distinct in a UNIQUE constraint, so the whole directory's NULL partition is indexed as -1.
    try db.execute(sql: """
      CREATE UNIQUE INDEX output_key ON output (directory, IFNULL(partitionIndex, -1), IFNULL(partitionCount, -1), dryRun)
      """)
  }

  /// The v6 `output` table, as `new_output`: one row per output with typed columns.
  private static func createOutputTable(_ db: Database) throws {
    try db.create(table: "new_output") { table in
      table.autoIncrementedPrimaryKey("id")
      table.column("directory", .text).notNull()
      table.column("partitionIndex", .integer)
      table.column("partitionCount", .integer)
      table.column("dryRun", .boolean).notNull()
      table.column("configuration", .text)
      table.column("complete", .boolean).notNull()
      table.check(sql: "(partitionIndex IS NULL) = (partitionCount IS NULL)")
      table.check(sql: "partitionCount IS NULL OR (partitionIndex >= 0 AND partitionIndex < partitionCount)")
    }
  }

  /// `plan` with `outputId` for its output string.
  private static func replacePlanTable(_ db: Database) throws {
    try db.create(table: "new_plan") { table in
      table.autoIncrementedPrimaryKey("id")
      table.column("outputId", .integer).notNull().references("output", column: "id", onDelete: .cascade)
      table.column("split", .text).notNull()
      table.column("policy", .text).notNull()
      table.column("indicator", .text).notNull()
      table.column("weights", .text).notNull()
      table.column("lambda", .double)
      table.column("samples", .integer).notNull()
      table.column("kept", .integer).notNull()
      table.column("pixelFraction", .double).notNull()
    }
    try replace("plan", columns: ["id", "split", "policy", "indicator", "weights", "lambda", "samples", "kept", "pixelFraction"], db)
    try db.create(index: "plan_on_outputId", on: "plan", columns: ["outputId"])
  }

  /// `shard` with `outputId` for its output string, a shard's path unique within its output.
  private static func replaceShardTable(_ db: Database) throws {
    try db.create(table: "new_shard") { table in
      table.autoIncrementedPrimaryKey("id")
      table.column("outputId", .integer).notNull().references("output", column: "id", onDelete: .cascade)
      table.column("split", .text).notNull()
      table.column("path", .text).notNull()
      table.column("bytes", .integer).notNull()
      table.column("samples", .integer).notNull()
      table.column("sha256", .text).notNull()
      table.column("md5", .text).notNull()
      table.uniqueKey(["outputId", "path"])
    }
    try replace("shard", columns: ["id", "split", "path", "bytes", "samples", "sha256", "md5"], db)
    try db.create(index: "shard_on_outputId", on: "shard", columns: ["outputId"])
  }

  /// `slimFailure` keyed by `outputId` (for its output string) and sample.
  private static func replaceSlimFailureTable(_ db: Database) throws {
    try db.create(table: "new_slimFailure") { table in
      table.column("outputId", .integer).notNull().references("output", column: "id", onDelete: .cascade)
      table.column("sampleKey", .text).notNull()
      table.column("reason", .text).notNull()
      table.primaryKey(["outputId", "sampleKey"])
    }
    try replace("slimFailure", columns: ["sampleKey", "reason"], db)
  }

  /// Copies `table`'s rows into `new_<table>` with `outputId` for the legacy `output` string, then
  /// puts the new table in its place (ids are kept, so `decision` and `member` rows stay attached).
  private static func replace(_ table: String, columns: [String], _ db: Database) throws {
    let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
    let source = columns.map { "\"\(table)\".\"\($0)\"" }.joined(separator: ", ")
    try db.execute(sql: """
      INSERT INTO "new_\(table)" (outputId, \(list))
      SELECT legacyOutput.outputId, \(source) FROM "\(table)" JOIN temp.legacyOutput ON legacyOutput.name = "\(table)".output
      """)
    try db.drop(table: table)
    try db.rename(table: "new_\(table)", to: table)
  }

  /// The output a v5 key string named: `DIR#dry-run`, `DIR#partIofN` (written exactly as Dance
  /// wrote it) or `DIR`.
  static func legacyKey(_ name: String) -> OutputKey {
    let dryRunSuffix = "#dry-run"
    if name.hasSuffix(dryRunSuffix) { return OutputKey(directory: String(name.dropLast(dryRunSuffix.count)), dryRun: true) }
    guard let match = name.wholeMatch(of: /(.*)#part([0-9]+)of([0-9]+)/), let index = Int(match.2), let count = Int(match.3),
      match.2 == "\(index)", match.3 == "\(count)", (0..<count).contains(index)
    else { return OutputKey(directory: name) }
    return OutputKey(directory: String(match.1), partition: OutputPartition(index: index, count: count))
  }
}

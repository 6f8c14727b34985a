public import DanceCore
import Foundation
import GRDB

/// What a catalog holds, as `dance catalog list` shows it.
public struct CatalogSummary: Sendable, Codable, Equatable {
  /// One registered dataset and its samples.
  public struct Dataset: Sendable, Codable, Equatable {
    /// Its name (the first part of its sample keys).
    public var name: String
    /// Its layout.
    public var format: DatasetFormat
    /// Its root.
    public var root: String
    /// Its training label space.
    public var labelSpace: String
    /// Valid samples per split.
    public var valid: [String: Int]
    /// Samples the scan found bad.
    public var bad: Int
    /// Scores cached for its samples.
    public var scores: Int

    enum CodingKeys: String, CodingKey {
      case name, format, root, valid, bad, scores
      case labelSpace = "label_space"
    }
  }

  /// One recorded output (a directory, a partition of one, or a dry run) and its rows.
  public struct Output: Sendable, Codable, Equatable {
    /// The output directory.
    public var directory: String
    /// `i/N` for a partition.
    public var partition: String?
    /// Whether it is a dry run.
    public var dryRun: Bool
    /// Whether its run finished.
    public var complete: Bool
    /// Plans (one per split), and the samples they keep.
    public var plans: Int, kept: Int
    /// Shards, the samples in them and their bytes.
    public var shards: Int, shardSamples: Int, bytes: Int
    /// Samples that failed.
    public var failures: Int

    enum CodingKeys: String, CodingKey {
      case directory, partition, complete, plans, kept, shards, bytes, failures
      case dryRun = "dry_run"
      case shardSamples = "shard_samples"
    }
  }

  /// The catalog file.
  public var path: String
  /// Its size in bytes (with its write-ahead log, when one is present).
  public var bytes: Int
  /// The registered datasets, by name.
  public var datasets: [Dataset]
  /// The recorded outputs, in the order they were first recorded.
  public var outputs: [Output]
}

/// The rows `dance catalog forget` removed.
public struct ForgottenRows: Sendable, Codable, Equatable {
  /// The outputs forgotten (the directory, its partitions and its dry run).
  public var outputs: [OutputKey]
  /// Their plans, decisions, shards, members and failures.
  public var plans: Int, decisions: Int, shards: Int, members: Int, failures: Int
}

extension Catalog {
  /// The datasets with their sample and score counts, and the outputs with their rows.
  public func summary() throws(CatalogError) -> CatalogSummary {
    try read { db in
      var datasets: [CatalogSummary.Dataset] = []
      for dataset in try DatasetRecord.order(Column("name")).fetchAll(db) {
        let id = dataset.id ?? -1
        var valid: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT split, COUNT(*) AS n FROM sample WHERE datasetId = ? AND status = 'ok' GROUP BY split", arguments: [id]) {
          valid[row["split"]] = row["n"]
        }
        let bad = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sample WHERE datasetId = ? AND status = 'bad'", arguments: [id]) ?? 0
        let scores = try Int.fetchOne(
          db, sql: "SELECT COUNT(*) FROM score JOIN sample ON sample.key = score.sampleKey WHERE sample.datasetId = ?", arguments: [id]) ?? 0
        datasets.append(.init(name: dataset.name, format: dataset.format, root: dataset.root, labelSpace: dataset.labelSpace,
                              valid: valid, bad: bad, scores: scores))
      }
      let outputs = try OutputRecord.order(Column("id")).fetchAll(db).map { record in try Self.summary(of: record, db) }
      return CatalogSummary(
        path: URL(fileURLWithPath: path).standardizedFileURL.path, bytes: Self.fileBytes(path), datasets: datasets, outputs: outputs)
    }
  }

  static func summary(of record: OutputRecord, _ db: Database) throws -> CatalogSummary.Output {
    let id = record.id ?? -1
    func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql, arguments: [id]) ?? 0 }
    let key = record.key
    return CatalogSummary.Output(
      directory: key.directory, partition: key.partition?.description, dryRun: key.dryRun, complete: record.complete,
      plans: try count("SELECT COUNT(*) FROM plan WHERE outputId = ?"), kept: try count("SELECT COALESCE(SUM(kept), 0) FROM plan WHERE outputId = ?"),
      shards: try count("SELECT COUNT(*) FROM shard WHERE outputId = ?"),
      shardSamples: try count("SELECT COALESCE(SUM(samples), 0) FROM shard WHERE outputId = ?"),
      bytes: try count("SELECT COALESCE(SUM(bytes), 0) FROM shard WHERE outputId = ?"),
      failures: try count("SELECT COUNT(*) FROM slimFailure WHERE outputId = ?"))
  }

  /// Removes the rows of every output in `directory` (the whole output, each partition and the dry
  /// run): their records, plans, decisions, shards, members and failures. Files are never touched.
  /// - Returns: what was removed; no outputs when the catalog records none in `directory`.
  public func forgetOutputs(directory: String) throws(CatalogError) -> ForgottenRows {
    try write { db in
      let records = try OutputRecord.filter(Column("directory") == directory).order(Column("id")).fetchAll(db)
      let ids = records.compactMap(\.id)
      let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
      func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql, arguments: StatementArguments(ids)) ?? 0 }
      let forgotten = ForgottenRows(
        outputs: records.map(\.key), plans: try count("SELECT COUNT(*) FROM plan WHERE outputId IN (\(marks))"),
        decisions: try count("SELECT COUNT(*) FROM decision JOIN plan ON plan.id = decision.planId WHERE plan.outputId IN (\(marks))"),
        shards: try count("SELECT COUNT(*) FROM shard WHERE outputId IN (\(marks))"),
        members: try count("SELECT COUNT(*) FROM member JOIN shard ON shard.id = member.shardId WHERE shard.outputId IN (\(marks))"),
        failures: try count("SELECT COUNT(*) FROM slimFailure WHERE outputId IN (\(marks))"))
      // The plans, decisions, shards, members and failures go with their output (ON DELETE CASCADE).
      _ = try OutputRecord.filter(ids.contains(Column("id"))).deleteAll(db)
      return forgotten
    }
  }

  /// Compacts the file: SQLite's `VACUUM` rewrites it without its free pages, then the write-ahead
  /// log is checkpointed and truncated. Returns the bytes before and after.
  public func vacuum() throws(CatalogError) -> (before: Int, after: Int) {
    let before = Self.fileBytes(path)
    do {
      try pool.writeWithoutTransaction { db in
        try db.execute(sql: "VACUUM")
        try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
      }
    } catch {
      throw .sqlite(path: path, reason: Self.message(error))
    }
    return (before, Self.fileBytes(path))
  }

  /// The size of the catalog file and its write-ahead log.
  static func fileBytes(_ path: String) -> Int {
    [path, path + "-wal"].reduce(0) { total, file in
      total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
    }
  }
}

public import DanceCore
import Foundation
import GRDB

/// The SQLite catalog of a Dance run: datasets, samples and the problems found in them (later
/// issues add scores, plans, decisions, shards and members).
///
/// The file is opened in WAL mode, and its schema is versioned by migrations: opening an older
/// catalog upgrades it; opening one written by a newer Dance fails with ``CatalogError/newerSchema(path:reason:)``.
/// Only this target names SQL.
public final class Catalog: Sendable {
  /// The catalog file.
  public let path: String
  let pool: any DatabaseWriter

  /// `PRAGMA application_id` of every Dance catalog: the ASCII bytes `DANC`, so that `file(1)`
  /// and Dance itself can tell a catalog from any other SQLite database.
  public static let applicationID: Int32 = 0x4441_4E43

  /// How ``init(path:access:)`` opens the file.
  public enum Access: Sendable {
    /// Create the file (and its directory) when missing: for commands that write a catalog.
    case createIfMissing
    /// Refuse a missing file with ``CatalogError/missing(path:)``: for commands that write a
    /// catalog they must not create.
    case existing
    /// Refuse a missing file, and open it read-only: nothing is written, no `-wal`/`-shm` file is
    /// left behind, and a read-only file or directory is fine. For commands that only read
    /// (`verify`, `audit`, the trainer, the parts of `catalog merge`). An older catalog is not
    /// upgraded but refused (a writing command upgrades it).
    case readOnly
  }

  /// Opens the catalog at `path`, by default creating it (and its directory) if needed.
  ///
  /// A database that is not a Dance catalog (another application id, or tables without Dance's
  /// migration history) is refused with ``CatalogError/foreignDatabase(path:reason:)`` before
  /// anything is written to it, and one whose pages fail SQLite's integrity check with
  /// ``CatalogError/corrupt(path:reason:)``: a damaged catalog is neither used nor written.
  public init(path: String, access: Access = .createIfMissing) throws(CatalogError) {
    self.path = path
    let exists = FileManager.default.fileExists(atPath: path)
    if !exists, access != .createIfMissing { throw .missing(path: path) }
    let directory = (path as NSString).deletingLastPathComponent
    if !exists, !directory.isEmpty {
      try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    var configuration = Configuration()
    configuration.foreignKeysEnabled = true
    configuration.busyMode = .timeout(30)
    do {
      // The integrity check reads through a read-only connection, before a writing one exists.
      var reading = configuration
      reading.readonly = true
      if exists { try Self.checkIntegrity(try DatabaseQueue(path: Self.readOnlyLocation(path), configuration: reading), path: path) }
      pool = access == .readOnly
        ? try DatabaseQueue(path: Self.readOnlyLocation(path), configuration: reading)
        : try DatabasePool(path: path, configuration: configuration)
    } catch let error as CatalogError {
      throw error
    } catch {
      throw .cannotOpen(path: path, reason: Self.message(error))
    }
    let migrator = Self.migrator
    do {
      if access == .readOnly {
        try pool.read { db in try Self.checkReadable(db, path: path, migrator: migrator) }
        return
      }
      try pool.writeWithoutTransaction { db in try Self.claim(db, path: path, migrator: migrator) }
      let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
      let unknown = applied.subtracting(migrator.migrations)
      if !unknown.isEmpty {
        throw CatalogError.newerSchema(path: path, reason: "unknown migrations \(unknown.sorted().joined(separator: ", "))")
      }
      try migrator.migrate(pool)
    } catch let error as CatalogError {
      throw error
    } catch {
      throw .cannotOpen(path: path, reason: Self.message(error))
    }
  }

  /// Where a read-only connection opens `path`. A catalog closed cleanly has no `-wal` file; it
  /// is opened `immutable` so that SQLite creates no `-wal`/`-shm` beside it (a read-only
  /// connection would create them and leave them). With a `-wal` file (a writer is at work, or
  /// one was killed), the plain path reads the WAL's content too.
  static func readOnlyLocation(_ path: String) -> String {
    if FileManager.default.fileExists(atPath: path + "-wal") { return path }
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#%"))
    return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
  }

  /// Refuses a database whose pages fail `PRAGMA integrity_check`, naming SQLite's first findings.
  static func checkIntegrity(_ database: DatabaseQueue, path: String) throws {
    let findings: [String]
    do {
      findings = try database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check(5)") }
    } catch {
      throw CatalogError.corrupt(path: path, reason: Self.message(error))
    }
    guard findings == ["ok"] else {
      throw CatalogError.corrupt(path: path, reason: findings.prefix(3).joined(separator: "; "))
    }
  }

  /// For a read-only open: refuses anything but a Dance catalog this Dance reads as it is.
  static func checkReadable(_ db: Database, path: String, migrator: DatabaseMigrator) throws {
    let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
    let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    let history = tables.contains("grdb_migrations")
      ? Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) : []
    guard id == applicationID || (id == 0 && history.contains("v1-datasets-samples")) else {
      throw CatalogError.foreignDatabase(path: path, reason: "it is not a Dance catalog (application id \(String(format: "0x%08X", id)))")
    }
    let unknown = history.subtracting(migrator.migrations)
    if !unknown.isEmpty {
      throw CatalogError.newerSchema(path: path, reason: "unknown migrations \(unknown.sorted().joined(separator: ", "))")
    }
    let missing = Set(migrator.migrations).subtracting(history)
    if !missing.isEmpty {
      throw CatalogError.cannotOpen(
        path: path, reason: "written by an older Dance; any command that writes the catalog (dance scan) upgrades it, then read it again")
    }
  }

  /// Checks that `db` is a Dance catalog, or an empty database that becomes one, and stamps the
  /// application id; refuses anything else without changing it.
  static func claim(_ db: Database, path: String, migrator: DatabaseMigrator) throws {
    let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
    if id == applicationID { return }
    if id != 0 {
      throw CatalogError.foreignDatabase(
        path: path, reason: "its application id is \(String(format: "0x%08X", id)), not Dance's \(String(format: "0x%08X", applicationID))")
    }
    let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    if !tables.isEmpty {
      // A catalog written before the application id was set: its own migration history says so.
      let history = tables.contains("grdb_migrations")
        ? Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) : []
      guard history.contains("v1-datasets-samples") else {
        let shown = tables.sorted().prefix(5).joined(separator: ", ")
        throw CatalogError.foreignDatabase(
          path: path, reason: "it holds tables Dance did not create (\(shown)\(tables.count > 5 ? ", …" : ""))")
      }
    }
    try db.execute(sql: "PRAGMA application_id = \(applicationID)")
  }

  /// The schema, one migration per version; never edit a released migration, add one.
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1-datasets-samples") { db in
      try db.create(table: "dataset") { table in
        table.autoIncrementedPrimaryKey("id")
        table.column("root", .text).notNull().unique()
        table.column("format", .text).notNull()
        table.column("labelEncoding", .text).notNull()
        table.column("labelSpace", .text).notNull()
      }
      try db.create(table: "sample") { table in
        table.primaryKey("key", .text)
        table.column("datasetId", .integer).notNull().indexed().references("dataset", onDelete: .cascade)
        table.column("split", .text).notNull()
        table.column("imagePath", .text).notNull()
        table.column("labelPath", .text)
        table.column("width", .integer)
        table.column("height", .integer)
        table.column("imageBytes", .integer)
        table.column("imageModified", .integer)
        table.column("labelBytes", .integer)
        table.column("labelModified", .integer)
        table.column("status", .text).notNull()
        table.column("error", .text)
      }
      try db.create(table: "problem") { table in
        table.column("datasetId", .integer).notNull().indexed().references("dataset", onDelete: .cascade)
        table.column("kind", .text).notNull()
        table.column("path", .text).notNull()
        table.column("sampleKey", .text)
        table.column("detail", .text).notNull()
      }
    }
    migrator.registerMigration("v2-scores") { db in
      try db.alter(table: "dataset") { table in table.add(column: "camvidGrouping", .text) }
      try db.create(table: "score") { table in
        table.column("sampleKey", .text).notNull().references("sample", onDelete: .cascade)
        table.column("indicator", .text).notNull()
        table.column("variant", .text).notNull()
        table.column("value", .double).notNull()
        table.column("fileBytes", .integer).notNull()
        table.column("fileModified", .integer).notNull()
        table.primaryKey(["sampleKey", "indicator"])
      }
      try db.create(table: "scoreFailure") { table in
        table.primaryKey("sampleKey", .text).references("sample", onDelete: .cascade)
        table.column("reason", .text).notNull()
      }
    }
    migrator.registerMigration("v3-plans-shards") { db in
      try db.create(table: "plan") { table in
        table.autoIncrementedPrimaryKey("id")
        table.column("output", .text).notNull().indexed()
        table.column("split", .text).notNull()
        table.column("policy", .text).notNull()
        table.column("indicator", .text).notNull()
        table.column("weights", .text).notNull()
        table.column("lambda", .double)
        table.column("samples", .integer).notNull()
        table.column("kept", .integer).notNull()
        table.column("pixelFraction", .double).notNull()
      }
      try db.create(table: "decision") { table in
        table.column("planId", .integer).notNull().references("plan", onDelete: .cascade)
        table.column("sampleKey", .text).notNull().references("sample", onDelete: .cascade)
        table.column("keep", .boolean).notNull()
        table.column("scale", .double).notNull()
        table.column("outputWidth", .integer).notNull()
        table.column("outputHeight", .integer).notNull()
        table.column("weight", .double).notNull()
        table.column("rank", .double).notNull()
        table.column("reason", .text).notNull()
        table.primaryKey(["planId", "sampleKey"])
      }
      try db.create(table: "shard") { table in
        table.autoIncrementedPrimaryKey("id")
        table.column("output", .text).notNull().indexed()
        table.column("split", .text).notNull()
        table.column("path", .text).notNull()
        table.column("bytes", .integer).notNull()
        table.column("samples", .integer).notNull()
        table.column("sha256", .text).notNull()
        table.column("md5", .text).notNull()
        table.uniqueKey(["output", "path"])
      }
      try db.create(table: "member") { table in
        table.column("shardId", .integer).notNull().indexed().references("shard", onDelete: .cascade)
        table.column("sampleKey", .text).notNull().indexed()
        table.column("field", .text).notNull()
        table.column("dataOffset", .integer).notNull()
        table.column("size", .integer).notNull()
        table.primaryKey(["shardId", "sampleKey", "field"])
      }
      try db.create(table: "slimFailure") { table in
        table.column("output", .text).notNull()
        table.column("sampleKey", .text).notNull()
        table.column("reason", .text).notNull()
        table.primaryKey(["output", "sampleKey"])
      }
    }
    migrator.registerMigration("v4-outputs") { db in
      try db.create(table: "output") { table in
        table.primaryKey("path", .text)
        table.column("configuration", .text).notNull()
        table.column("complete", .boolean).notNull()
      }
    }
    migrator.registerMigration("v5-dataset-names") { db in
      try db.alter(table: "dataset") { table in table.add(column: "name", .text).notNull().defaults(sql: "''") }
      // Keys written before names began with the format; a second dataset of one format gets `-<id>`.
      try db.execute(sql: """
        UPDATE dataset SET name = format || CASE WHEN EXISTS (
          SELECT 1 FROM dataset AS earlier WHERE earlier.format = dataset.format AND earlier.id < dataset.id
        ) THEN '-' || id ELSE '' END
        """)
      try db.create(index: "dataset_name", on: "dataset", columns: ["name"], unique: true)
    }
    registerDecodeWarningMigration(&migrator)
    registerOutputRowsMigration(&migrator)
    return migrator
  }

  /// Runs a read, mapping GRDB's errors to ``CatalogError``.
  func read<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
    do {
      return try pool.read(body)
    } catch let error as CatalogError {
      throw error
    } catch {
      throw .sqlite(path: path, reason: Self.message(error))
    }
  }

  /// Runs a write transaction, mapping GRDB's errors to ``CatalogError``.
  func write<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
    do {
      return try pool.write(body)
    } catch let error as CatalogError {
      throw error
    } catch {
      throw .sqlite(path: path, reason: Self.message(error))
    }
  }

  static func message(_ error: any Error) -> String {
    if let error = error as? DatabaseError {
      return [error.message, error.sql.map { "in \($0)" }].compactMap { $0 }.joined(separator: " ")
    }
    return "\(error)"
  }

  // MARK: - Queries

  /// Every registered dataset, in registration order.
  public func datasets() throws(CatalogError) -> [DatasetRecord] {
    try read { db in try DatasetRecord.order(Column("id")).fetchAll(db) }
  }

  /// The samples, ordered by key; optionally only one dataset, split or status.
  public func samples(datasetId: Int64? = nil, split: DatasetSplit? = nil, status: SampleStatus? = nil)
    throws(CatalogError) -> [SampleRecord]
  {
    try read { db in
      var request = SampleRecord.all()
      if let datasetId { request = request.filter(Column("datasetId") == datasetId) }
      if let split { request = request.filter(Column("split") == split.rawValue) }
      if let status { request = request.filter(Column("status") == status.rawValue) }
      return try request.order(Column("key")).fetchAll(db)
    }
  }

  /// The problems of a dataset (or all), ordered by path, kind and detail.
  public func problems(datasetId: Int64? = nil) throws(CatalogError) -> [ProblemRecord] {
    try read { db in
      var request = ProblemRecord.all()
      if let datasetId { request = request.filter(Column("datasetId") == datasetId) }
      return try request.order(Column("path"), Column("kind"), Column("detail")).fetchAll(db)
    }
  }

  /// The number of rows changed since the catalog was opened by this process (for tests and logs).
  public func totalChanges() throws(CatalogError) -> Int {
    try write { db in db.totalChangesCount }
  }
}

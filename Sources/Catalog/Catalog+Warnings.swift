public import GRDB

/// A file a command accepted in lenient mode although the decoder warned about it: which file,
/// which command, and the decoder's first warning (issue 12: never accept corrupt data silently).
public struct DecodeWarningRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "decodeWarning"

  /// The file's path as the command read it.
  public var path: String
  /// The command that accepted it: `scan`, `score` or `slim`.
  public var command: String
  /// The decoder's first warning, e.g. `Corrupt JPEG data: 3 extraneous bytes before marker 0xdb`.
  public var message: String
  /// How many warnings the decoder gave for the file.
  public var count: Int

  /// Creates a record.
  public init(path: String, command: String, message: String, count: Int) {
    self.path = path
    self.command = command
    self.message = message
    self.count = count
  }
}

extension Catalog {
  /// Adds the `decodeWarning` table (one row per file and command, the latest warning kept).
  static func registerDecodeWarningMigration(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("v5-decode-warnings") { db in
      try db.create(table: "decodeWarning") { table in
        table.column("path", .text).notNull()
        table.column("command", .text).notNull()
        table.column("message", .text).notNull()
        table.column("count", .integer).notNull()
        table.primaryKey(["path", "command"])
      }
    }
  }

  /// Records files accepted with warnings, replacing an earlier warning of the same file and command.
  public func recordDecodeWarnings(_ warnings: [DecodeWarningRecord]) throws(CatalogError) {
    guard !warnings.isEmpty else { return }
    try write { db in
      for warning in warnings { try warning.upsert(db) }
    }
  }

  /// Every recorded decode warning, ordered by path and command.
  public func decodeWarnings() throws(CatalogError) -> [DecodeWarningRecord] {
    try read { db in try DecodeWarningRecord.order(Column("path"), Column("command")).fetchAll(db) }
  }

  /// Removes the warnings of `paths` (every command), once a strict read has judged those files again.
  public func forgetDecodeWarnings(paths: [String]) throws(CatalogError) {
    guard !paths.isEmpty else { return }
    try write { db in _ = try DecodeWarningRecord.filter(paths.contains(Column("path"))).deleteAll(db) }
  }
}

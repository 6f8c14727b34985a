public import GRDB

/// One of the disjoint parts an output directory is written in (`dance slim --partition i/N`).
public struct OutputPartition: Sendable, Hashable, Codable, CustomStringConvertible {
  /// This part, `0..<count`.
  public var index: Int
  /// The number of parts.
  public var count: Int

  /// Creates a partition; ``Catalog/saveOutput(_:)`` refuses one whose index is not in `0..<count`.
  public init(index: Int, count: Int) {
    self.index = index
    self.count = count
  }

  /// `i/N`, as `--partition` takes it.
  public var description: String { "\(index)/\(count)" }
}

/// What identifies an output in the catalog: its directory, the partition written (if any) and
/// whether it is a dry run. A dry run and each partition of a directory have their own rows, so
/// they never touch each other's plans, shards or failures.
public struct OutputKey: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The output directory (absolute).
  public var directory: String
  /// The part of the directory this output writes, or `nil` for the whole directory.
  public var partition: OutputPartition?
  /// Whether it is a dry run (plans only, no shards).
  public var dryRun: Bool

  /// Creates a key; by default the whole directory, written for real.
  public init(directory: String, partition: OutputPartition? = nil, dryRun: Bool = false) {
    self.directory = directory
    self.partition = partition
    self.dryRun = dryRun
  }

  /// The key that the partitions of this output are merged into: the same directory and dry-run
  /// flag, without a partition.
  public var whole: OutputKey { OutputKey(directory: directory, dryRun: dryRun) }

  /// The directory, with the partition and the dry run named when there are any.
  public var description: String {
    let qualifiers = [partition.map { "partition \($0)" }, dryRun ? "dry run" : nil].compactMap { $0 }
    return qualifiers.isEmpty ? directory : "\(directory) (\(qualifiers.joined(separator: ", ")))"
  }
}

/// An output of `dance slim` (a directory, or one partition or the dry run of it), with the
/// configuration that writes it; its plans, shards and failures refer to it by ``id``.
public struct OutputRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "output"

  /// Row id, assigned on insert.
  public var id: Int64?
  var directory: String
  var partitionIndex: Int?
  var partitionCount: Int?
  var dryRun: Bool
  /// The configuration, as canonical JSON: a rerun with the same text resumes, another is refused.
  /// `nil` for an output recorded before Dance kept configurations (and dry runs before v6).
  public var configuration: String?
  /// Whether the run finished.
  public var complete: Bool

  /// Creates a record (the id is assigned when ``Catalog/saveOutput(_:)`` inserts it).
  public init(key: OutputKey, configuration: String?, complete: Bool) {
    directory = key.directory
    partitionIndex = key.partition?.index
    partitionCount = key.partition?.count
    dryRun = key.dryRun
    self.configuration = configuration
    self.complete = complete
  }

  /// Which output the record describes.
  public var key: OutputKey {
    let partition = partitionIndex.flatMap { index in partitionCount.map { OutputPartition(index: index, count: $0) } }
    return OutputKey(directory: directory, partition: partition, dryRun: dryRun)
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension Catalog {
  /// The record of an output, if it was ever written.
  public func outputRecord(_ output: OutputKey) throws(CatalogError) -> OutputRecord? {
    try read { db in try Self.outputRequest(output).fetchOne(db) }
  }

  /// Every recorded output, in the order they were first recorded.
  public func outputs() throws(CatalogError) -> [OutputRecord] {
    try read { db in try OutputRecord.order(Column("id")).fetchAll(db) }
  }

  /// Creates the record of an output, or updates the configuration and completeness of the one
  /// with the same key (keeping its id, and so its plans, shards and failures); returns it with its id.
  ///
  /// - Throws: ``CatalogError/inconsistent(path:reason:)`` for a relative directory or a partition
  ///   that does not exist.
  @discardableResult
  public func saveOutput(_ record: OutputRecord) throws(CatalogError) -> OutputRecord {
    try write { db in try save(record, db) }
  }

  /// Forgets an output: its record and every plan, decision, shard, member and failure recorded
  /// for it (before a rewrite). Other partitions and the dry run of the same directory are kept.
  public func clearOutput(_ output: OutputKey) throws(CatalogError) {
    try write { db in _ = try Self.outputRequest(output).deleteAll(db) }
  }

  /// The rows of exactly this output (`IS` compares the partition columns, which are NULL for a whole directory).
  static func outputRequest(_ output: OutputKey) -> QueryInterfaceRequest<OutputRecord> {
    OutputRecord.filter(
      Column("directory") == output.directory && Column("partitionIndex") == output.partition?.index
        && Column("partitionCount") == output.partition?.count && Column("dryRun") == output.dryRun)
  }

  /// The id of a recorded output, or `nil`.
  static func outputId(_ output: OutputKey, _ db: Database) throws -> Int64? {
    try outputRequest(output).select(Column("id"), as: Int64.self).fetchOne(db)
  }

  /// The id of a recorded output; an output must be recorded before anything that belongs to it.
  func requireOutputId(_ output: OutputKey, _ db: Database) throws -> Int64 {
    guard let id = try Self.outputId(output, db) else {
      throw CatalogError.inconsistent(path: path, reason: "no output \(output) is recorded; save the output before its plans, shards and failures")
    }
    return id
  }

  /// ``saveOutput(_:)`` inside a transaction.
  func save(_ record: OutputRecord, _ db: Database) throws -> OutputRecord {
    let key = record.key
    guard key.directory.hasPrefix("/") else {
      throw CatalogError.inconsistent(path: path, reason: "the output directory \(key.directory) is not an absolute path")
    }
    if let partition = key.partition, partition.count < 1 || !(0..<partition.count).contains(partition.index) {
      throw CatalogError.inconsistent(path: path, reason: "partition \(partition) of \(key.directory) does not exist")
    }
    var saved = record
    if let id = try Self.outputId(key, db) {
      saved.id = id
      try saved.update(db)
    } else {
      saved.id = nil
      try saved.insert(db)
    }
    return saved
  }
}

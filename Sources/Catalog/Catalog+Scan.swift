import DanceCore
import GRDB

/// What recording a scan changed in the catalog.
public struct ScanChanges: Sendable, Equatable, Codable {
  /// Samples seen for the first time.
  public var inserted = 0
  /// Samples whose files or validation changed.
  public var updated = 0
  /// Samples whose files disappeared.
  public var deleted = 0
  /// Samples exactly as recorded before.
  public var unchanged = 0
  /// Whether the dataset's problem list was rewritten.
  public var problemsChanged = false

  /// Creates an empty change count.
  public init() {}

  enum CodingKeys: String, CodingKey {
    case inserted, updated, deleted, unchanged
    case problemsChanged = "problems_changed"
  }
}

extension Catalog {
  /// Registers a dataset root, or returns the existing registration; refuses a root already
  /// registered with a different format, label encoding or name, and a name another root has.
  public func registerDataset(_ dataset: DatasetRecord) throws(CatalogError) -> DatasetRecord {
    try write { db in try register(dataset, db) }
  }

  /// Replaces what the catalog knows about a dataset's samples and problems with a new scan, in one
  /// transaction, touching only rows that differ: rescanning an unchanged dataset changes nothing.
  public func recordScan(datasetId: Int64, samples: [SampleRecord], problems: [ProblemRecord])
    throws(CatalogError) -> ScanChanges
  {
    try write { db in try replaceScan(datasetId: datasetId, samples: samples, problems: problems, db) }
  }

  /// Registers the dataset (if new) and records its scan in one transaction, so that a scan that
  /// fails leaves the catalog as it was, without an empty dataset row. The samples' and problems'
  /// dataset ids are set to the registration's.
  public func recordScan(of dataset: DatasetRecord, samples: [SampleRecord], problems: [ProblemRecord])
    throws(CatalogError) -> (dataset: DatasetRecord, changes: ScanChanges)
  {
    try write { db in
      let registered = try register(dataset, db)
      let id = registered.id!
      let changes = try replaceScan(
        datasetId: id,
        samples: samples.map { sample in
          var sample = sample
          sample.datasetId = id
          return sample
        },
        problems: problems.map { problem in
          var problem = problem
          problem.datasetId = id
          return problem
        }, db)
      return (registered, changes)
    }
  }

  /// The dataset registered for `root`, if any.
  public func dataset(root: String) throws(CatalogError) -> DatasetRecord? {
    try read { db in try DatasetRecord.filter(Column("root") == root).fetchOne(db) }
  }

  private func register(_ dataset: DatasetRecord, _ db: Database) throws -> DatasetRecord {
    if let existing = try DatasetRecord.filter(Column("root") == dataset.root).fetchOne(db) {
      guard existing.format == dataset.format, existing.labelEncoding == dataset.labelEncoding else {
        throw CatalogError.inconsistent(
          path: path,
          reason: "\(dataset.root) is registered as \(existing.format) (\(existing.labelEncoding)), "
            + "not \(dataset.format) (\(dataset.labelEncoding)); use another catalog or the same --format")
      }
      guard existing.name == dataset.name else {
        throw CatalogError.inconsistent(
          path: path,
          reason: "\(dataset.root) is registered under the name '\(existing.name)', not '\(dataset.name)'; "
            + "pass --name \(existing.name) or use another catalog")
      }
      return existing
    }
    if let other = try DatasetRecord.filter(Column("name") == dataset.name).fetchOne(db) {
      throw CatalogError.inconsistent(
        path: path,
        reason: "the dataset name '\(dataset.name)' (the first part of every sample key) already belongs to "
          + "\(other.root); give \(dataset.root) another with --name")
    }
    var inserted = dataset
    try inserted.insert(db)
    return inserted
  }

  private func replaceScan(datasetId: Int64, samples: [SampleRecord], problems: [ProblemRecord], _ db: Database) throws
    -> ScanChanges
  {
    var changes = ScanChanges()
    var existing = Dictionary(
      uniqueKeysWithValues: try SampleRecord.filter(Column("datasetId") == datasetId).fetchAll(db).map { ($0.key, $0) })
    for sample in samples {
      if let old = existing.removeValue(forKey: sample.key) {
        if old == sample {
          changes.unchanged += 1
        } else {
          try sample.update(db)
          changes.updated += 1
        }
      } else {
        if let other = try SampleRecord.fetchOne(db, key: sample.key) {
          let owner = try DatasetRecord.fetchOne(db, key: other.datasetId)
          throw CatalogError.inconsistent(
            path: path,
            reason: "sample key \(sample.key) already belongs to the dataset at \(owner?.root ?? "#\(other.datasetId)"); "
              + "give this dataset another name with --name")
        }
        try sample.insert(db)
        changes.inserted += 1
      }
    }
    for key in existing.keys.sorted() {
      _ = try SampleRecord.deleteOne(db, key: key)
      changes.deleted += 1
    }
    let oldProblems = try ProblemRecord.filter(Column("datasetId") == datasetId).fetchAll(db)
    if oldProblems.sorted(by: Self.problemOrder) != problems.sorted(by: Self.problemOrder) {
      try ProblemRecord.filter(Column("datasetId") == datasetId).deleteAll(db)
      for problem in problems.sorted(by: Self.problemOrder) { try problem.insert(db) }
      changes.problemsChanged = true
    }
    return changes
  }

  /// The order problems are stored and reported in: path, kind, detail, sample key.
  public static func problemOrder(_ a: ProblemRecord, _ b: ProblemRecord) -> Bool {
    (a.path, a.kind.rawValue, a.detail, a.sampleKey?.rawValue ?? "") < (b.path, b.kind.rawValue, b.detail, b.sampleKey?.rawValue ?? "")
  }
}

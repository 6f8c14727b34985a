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
}

extension Catalog {
  /// Registers a dataset root, or returns the existing registration; refuses a root already
  /// registered with a different format or label encoding.
  public func registerDataset(_ dataset: DatasetRecord) throws(CatalogError) -> DatasetRecord {
    try write { db in
      if let existing = try DatasetRecord.filter(Column("root") == dataset.root).fetchOne(db) {
        guard existing.format == dataset.format, existing.labelEncoding == dataset.labelEncoding else {
          throw CatalogError.inconsistent(
            path: path,
            reason: "\(dataset.root) is registered as \(existing.format) (\(existing.labelEncoding)), "
              + "not \(dataset.format) (\(dataset.labelEncoding)); use another catalog or the same --format")
        }
        return existing
      }
      var inserted = dataset
      try inserted.insert(db)
      return inserted
    }
  }

  /// Replaces what the catalog knows about a dataset's samples and problems with a new scan, in one
  /// transaction, touching only rows that differ: rescanning an unchanged dataset changes nothing.
  public func recordScan(datasetId: Int64, samples: [SampleRecord], problems: [ProblemRecord])
    throws(CatalogError) -> ScanChanges
  {
    try write { db in
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
            throw CatalogError.inconsistent(
              path: path, reason: "sample key \(sample.key) already belongs to dataset \(other.datasetId)")
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
  }

  /// The order problems are stored and reported in: path, kind, detail, sample key.
  public static func problemOrder(_ a: ProblemRecord, _ b: ProblemRecord) -> Bool {
    (a.path, a.kind, a.detail, a.sampleKey ?? "") < (b.path, b.kind, b.detail, b.sampleKey ?? "")
  }
}

public import DanceCore
public import GRDB

/// One indicator value of one sample, with the identity of the file it was computed from.
///
/// A score is valid while its file keeps the recorded size and modification time, and its
/// `variant` (the exact definition of the indicator) matches; anything else is recomputed.
public struct ScoreRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "score"

  /// The sample.
  public var sampleKey: SampleKey
  /// The indicator id, e.g. `si-mean`.
  public var indicator: Indicator
  /// The exact definition the value was computed with.
  public var variant: String
  /// The value.
  public var value: Double
  /// Size of the file the indicator reads (image or label) when it was computed.
  public var fileBytes: Int64
  /// Modification time (ns) of that file when it was computed.
  public var fileModified: Int64

  /// Creates a record.
  public init(sampleKey: SampleKey, indicator: Indicator, variant: String, value: Double, file: FileIdentity) {
    self.sampleKey = sampleKey
    self.indicator = indicator
    self.variant = variant
    self.value = value
    fileBytes = file.bytes
    fileModified = file.modifiedNanoseconds
  }

  /// The identity of the file the value was computed from.
  public var file: FileIdentity { FileIdentity(bytes: fileBytes, modifiedNanoseconds: fileModified) }
}

/// A sample that could not be scored, with the reason (the file and what was wrong with it).
public struct ScoreFailureRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "scoreFailure"

  /// The sample.
  public var sampleKey: SampleKey
  /// `"<path>: <reason>"`.
  public var reason: String

  /// Creates a record.
  public init(sampleKey: SampleKey, reason: String) {
    self.sampleKey = sampleKey
    self.reason = reason
  }
}

extension Catalog {
  /// Scores, optionally of some indicators only and of one dataset's samples, ordered by sample
  /// and indicator.
  ///
  /// The dataset is selected with a subquery rather than a list of keys, so no dataset is too
  /// large for SQLite's limit on bound parameters.
  public func scores(of indicators: [Indicator]? = nil, datasetId: Int64? = nil) throws(CatalogError) -> [ScoreRecord] {
    try read { db in
      var request = ScoreRecord.all()
      if let indicators { request = request.filter(indicators.map(\.rawValue).contains(Column("indicator"))) }
      if let datasetId {
        request = request.filter(sql: "sampleKey IN (SELECT key FROM sample WHERE datasetId = ?)", arguments: [datasetId])
      }
      return try request.order(Column("sampleKey"), Column("indicator")).fetchAll(db)
    }
  }

  /// The scores of one indicator, optionally of one dataset's samples, ordered by sample.
  public func scores(indicator: Indicator, datasetId: Int64? = nil) throws(CatalogError) -> [ScoreRecord] {
    try scores(of: [indicator], datasetId: datasetId)
  }

  /// The samples that failed to score, with their reasons.
  public func scoreFailures() throws(CatalogError) -> [ScoreFailureRecord] {
    try read { db in try ScoreFailureRecord.order(Column("sampleKey")).fetchAll(db) }
  }

  /// Stores new scores (replacing older values of the same sample and indicator) and failures, and
  /// clears the failures of samples that scored this time, in one transaction.
  public func recordScores(_ scores: [ScoreRecord], failures: [ScoreFailureRecord], succeeded: [SampleKey])
    throws(CatalogError)
  {
    try write { db in
      for score in scores { try score.upsert(db) }  // one statement per value: (sampleKey, indicator) is the key
      if !succeeded.isEmpty { try ScoreFailureRecord.filter(succeeded.contains(Column("sampleKey"))).deleteAll(db) }
      for failure in failures { try failure.upsert(db) }
    }
  }
}

extension ScoreTable {
  /// The table of `records`, only of the samples in `samples` when given (slim and the audit plan
  /// from the valid samples only): the catalog's rows grouped by sample, one value per indicator.
  public init(_ records: [ScoreRecord], samples: Set<SampleKey>? = nil) {
    self.init()
    for record in records where samples?.contains(record.sampleKey) ?? true {
      self.record(record.value, of: record.indicator, for: record.sampleKey)
    }
  }
}

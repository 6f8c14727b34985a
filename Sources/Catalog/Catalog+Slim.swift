public import DanceCore
public import GRDB

/// A slimming plan of one split, as `dance slim` (or `--dry-run`) made it.
public struct PlanRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "plan"

  /// Row id, assigned on insert.
  public var id: Int64?
  /// The output the plan was made for (its ``OutputRecord/id``); set when the plan is recorded.
  public var outputId: Int64 = 0
  /// The split.
  public var split: DatasetSplit
  /// The policy, as JSON.
  public var policy: String
  /// The ranking indicator and its variant, `id@variant`.
  public var indicator: String
  /// The loss-weight scheme, as JSON.
  public var weights: String
  /// The budget solver's λ, if any.
  public var lambda: Double?
  /// Samples planned.
  public var samples: Int
  /// Samples kept.
  public var kept: Int
  /// Kept pixels over original pixels.
  public var pixelFraction: Double

  /// Creates a record (its output is set by ``Catalog/recordPlan(_:decisions:output:)``).
  public init(
    split: DatasetSplit, policy: String, indicator: String, weights: String, lambda: Double?, samples: Int, kept: Int,
    pixelFraction: Double
  ) {
    self.split = split
    self.policy = policy
    self.indicator = indicator
    self.weights = weights
    self.lambda = lambda
    self.samples = samples
    self.kept = kept
    self.pixelFraction = pixelFraction
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The decision for one sample under a plan.
public struct DecisionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "decision"

  /// The plan.
  public var planId: Int64
  /// The sample.
  public var sampleKey: SampleKey
  /// Whether it is kept.
  public var keep: Bool
  /// Its scale (0 when dropped).
  public var scale: Double
  /// Stored width (0 when dropped).
  public var outputWidth: Int
  /// Stored height (0 when dropped).
  public var outputHeight: Int
  /// Loss weight (0 when dropped).
  public var weight: Double
  /// Percentile rank of its score in the split.
  public var rank: Double
  /// Why.
  public var reason: String

  /// Creates a record.
  public init(
    planId: Int64, sampleKey: SampleKey, keep: Bool, scale: Double, outputWidth: Int, outputHeight: Int, weight: Double,
    rank: Double, reason: String
  ) {
    self.planId = planId
    self.sampleKey = sampleKey
    self.keep = keep
    self.scale = scale
    self.outputWidth = outputWidth
    self.outputHeight = outputHeight
    self.weight = weight
    self.rank = rank
    self.reason = reason
  }
}

/// A finished shard file.
public struct ShardRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "shard"

  /// Row id, assigned on insert.
  public var id: Int64?
  /// The output the shard belongs to (its ``OutputRecord/id``); set when the shard is recorded.
  public var outputId: Int64 = 0
  /// The split the shard holds.
  public var split: DatasetSplit
  /// Path relative to the output directory, e.g. `train/train-000000.tar`.
  public var path: String
  /// File size in bytes.
  public var bytes: Int
  /// Samples in the shard.
  public var samples: Int
  /// SHA-256 of the file, hex.
  public var sha256: String
  /// MD5 of the file, hex (what wids checks).
  public var md5: String

  /// Creates a record (its output is set by ``Catalog/recordShard(_:output:members:midTransaction:)``).
  public init(split: DatasetSplit, path: String, bytes: Int, samples: Int, sha256: String, md5: String) {
    self.split = split
    self.path = path
    self.bytes = bytes
    self.samples = samples
    self.sha256 = sha256
    self.md5 = md5
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Where one member of a sample lies in its shard, for random access without scanning the tar.
public struct MemberRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "member"

  /// The shard.
  public var shardId: Int64
  /// The sample.
  public var sampleKey: SampleKey
  /// The field, e.g. `png`, `seg.png`, `json`.
  public var field: String
  /// Byte offset of the member's data in the shard.
  public var dataOffset: Int
  /// Size of the data in bytes.
  public var size: Int

  /// Creates a record.
  public init(shardId: Int64, sampleKey: SampleKey, field: String, dataOffset: Int, size: Int) {
    self.shardId = shardId
    self.sampleKey = sampleKey
    self.field = field
    self.dataOffset = dataOffset
    self.size = size
  }
}

/// A sample that could not be written to the shards of an output directory.
public struct SlimFailureRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "slimFailure"

  /// The output (its ``OutputRecord/id``); set when the failure is recorded.
  public var outputId: Int64 = 0
  /// The sample.
  public var sampleKey: SampleKey
  /// `"<path>: <reason>"`.
  public var reason: String

  /// Creates a record (its output is set by ``Catalog/recordSlimFailures(_:output:)``).
  public init(sampleKey: SampleKey, reason: String) {
    self.sampleKey = sampleKey
    self.reason = reason
  }
}

extension Catalog {
  /// Forgets the given shards and their members (shards that resuming found missing or changed).
  public func deleteShards(ids: [Int64]) throws(CatalogError) {
    try write { db in _ = try ShardRecord.deleteAll(db, keys: ids) }
  }

  /// Records samples of `output` that failed to be written, replacing earlier failures of the same samples.
  public func recordSlimFailures(_ failures: [SlimFailureRecord], output: OutputKey) throws(CatalogError) {
    guard !failures.isEmpty else { return }
    try write { db in
      let outputId = try requireOutputId(output, db)
      for var failure in failures {
        failure.outputId = outputId
        try failure.upsert(db)
      }
    }
  }

  /// The failures recorded for an output, by sample key.
  public func slimFailures(output: OutputKey) throws(CatalogError) -> [SlimFailureRecord] {
    try read { db in try SlimFailureRecord.filter(Self.belongs(to: output)).order(Column("sampleKey")).fetchAll(db) }
  }

  /// Records a plan of `output` and its decisions in one transaction; returns the plan with its ids.
  public func recordPlan(_ plan: PlanRecord, decisions: [DecisionRecord], output: OutputKey) throws(CatalogError)
    -> PlanRecord
  {
    try write { db in
      var inserted = plan
      inserted.outputId = try requireOutputId(output, db)
      try inserted.insert(db)
      for var decision in decisions {
        decision.planId = inserted.id!
        try decision.insert(db)
      }
      return inserted
    }
  }

  /// Records a finished shard of `output` and the offsets of its members in one transaction.
  ///
  /// `midTransaction` runs after the shard row is inserted and before its members are (fault
  /// injection for the crash-safety tests; `nil` in normal use).
  public func recordShard(
    _ shard: ShardRecord, output: OutputKey, members: [MemberRecord], midTransaction: (() -> Void)? = nil
  ) throws(CatalogError) -> ShardRecord {
    try write { db in
      var inserted = shard
      inserted.outputId = try requireOutputId(output, db)
      try inserted.insert(db)
      midTransaction?()
      for var member in members {
        member.shardId = inserted.id!
        try member.insert(db)
      }
      return inserted
    }
  }

  /// The plans recorded for an output, in the order they were recorded.
  public func plans(output: OutputKey) throws(CatalogError) -> [PlanRecord] {
    try read { db in try PlanRecord.filter(Self.belongs(to: output)).order(Column("id")).fetchAll(db) }
  }

  /// The decisions of a plan, by sample key.
  public func decisions(planId: Int64) throws(CatalogError) -> [DecisionRecord] {
    try read { db in try DecisionRecord.filter(Column("planId") == planId).order(Column("sampleKey")).fetchAll(db) }
  }

  /// The shards of an output, in write order.
  public func shards(output: OutputKey) throws(CatalogError) -> [ShardRecord] {
    try read { db in try ShardRecord.filter(Self.belongs(to: output)).order(Column("id")).fetchAll(db) }
  }

  /// The members of a shard, in file order.
  public func members(shardId: Int64) throws(CatalogError) -> [MemberRecord] {
    try read { db in try MemberRecord.filter(Column("shardId") == shardId).order(Column("dataOffset")).fetchAll(db) }
  }

  /// Rows whose `outputId` is the id of `output` (none when it is not recorded).
  static func belongs(to output: OutputKey) -> SQLExpression {
    outputRequest(output).select(Column("id")).contains(Column("outputId"))
  }
}

import DanceCore
import GRDB

/// What `Catalog.merge(_:)` joined.
public struct MergeReport: Sendable, Equatable, Codable {
  /// One output whose partitions were joined.
  public struct MergedOutput: Sendable, Equatable, Codable {
    /// The whole output the partitions now belong to.
    public var output: OutputKey
    /// The number of partitions it was written in.
    public var partitionCount: Int
    /// The partitions no part held, by index (empty when all were merged).
    public var missing: [OutputPartition]

    /// Creates a summary.
    public init(output: OutputKey, partitionCount: Int, missing: [OutputPartition]) {
      self.output = output
      self.partitionCount = partitionCount
      self.missing = missing
    }
  }

  /// Catalog files merged.
  public var parts: Int
  /// Samples in the merged catalog.
  public var samples: Int
  /// Shards in the merged catalog.
  public var shards: Int
  /// The outputs whose partitions were joined, by directory.
  public var outputs: [MergedOutput]
}

extension Catalog {
  /// Joins partition catalogs (from `dance slim --partition i/N`) into this one, in one transaction.
  ///
  /// Datasets, samples, scores and plans must agree wherever parts overlap (every partition records
  /// the whole plan; they must be identical); shards must not overlap. The rows of a partition's
  /// output are recorded under the whole output (``OutputKey/whole``), whose configuration must be
  /// the same in every part and which is complete when every partition is present and complete.
  /// Anything inconsistent aborts the merge with ``CatalogError/inconsistent(path:reason:)`` naming
  /// the part, and nothing is written.
  public func merge(_ parts: [Catalog]) throws(CatalogError) -> MergeReport {
    let contents = try parts.map { part throws(CatalogError) in try PartContents(part) }
    return try write { db in
      var joined: [OutputKey: JoinedOutput] = [:]
      for (part, content) in zip(parts, contents) {
        var merger = PartMerger(catalog: self, partPath: part.path, db: db)
        try merger.mergeDatasets(content.datasets)
        try merger.mergeSamples(content.samples)
        try merger.mergeScores(content.scores)
        try merger.mergeOutputs(content.outputs, into: &joined)
        try merger.mergePlans(content.plans)
        try merger.mergeShards(content.shards)
        try merger.mergeFailures(content.failures)
      }
      return try finishMerge(of: parts.count, joined, db)
    }
  }

  /// Records each whole output as complete when every part was and no partition is missing, and
  /// reports what the merge joined.
  private func finishMerge(of parts: Int, _ joined: [OutputKey: JoinedOutput], _ db: Database) throws -> MergeReport {
    var report = MergeReport(parts: parts, samples: 0, shards: 0, outputs: [])
    for (whole, output) in joined.sorted(by: { ($0.key.directory, $0.key.dryRun ? 1 : 0) < ($1.key.directory, $1.key.dryRun ? 1 : 0) }) {
      var missing: [OutputPartition] = []
      if let count = output.partitionCount {
        missing = (0..<count).filter { !output.present.contains($0) }.map { OutputPartition(index: $0, count: count) }
        report.outputs.append(MergeReport.MergedOutput(output: whole, partitionCount: count, missing: missing))
      }
      _ = try save(OutputRecord(key: whole, configuration: output.configuration, complete: output.complete && missing.isEmpty), db)
    }
    report.samples = try SampleRecord.fetchCount(db)
    report.shards = try ShardRecord.fetchCount(db)
    return report
  }

  static func decisionKey(_ decision: DecisionRecord) -> String {
    "\(decision.sampleKey) \(decision.keep) \(decision.scale) \(decision.outputWidth)x\(decision.outputHeight) \(decision.weight) \(decision.rank)"
  }
}

/// Everything one part catalog holds, read before the merge transaction starts.
private struct PartContents {
  var datasets: [DatasetRecord]
  var samples: [SampleRecord]
  var scores: [ScoreRecord]
  var plans: [(PlanRecord, [DecisionRecord])]
  var shards: [(ShardRecord, [MemberRecord])]
  var failures: [SlimFailureRecord]
  var outputs: [OutputRecord]

  init(_ catalog: Catalog) throws(CatalogError) {
    (datasets, samples, scores, plans, shards, failures, outputs) = try catalog.read { db in
      (
        try DatasetRecord.order(Column("id")).fetchAll(db),
        try SampleRecord.order(Column("key")).fetchAll(db),
        try ScoreRecord.order(Column("sampleKey"), Column("indicator")).fetchAll(db),
        try PlanRecord.order(Column("id")).fetchAll(db).map { plan in
          (plan, try DecisionRecord.filter(Column("planId") == plan.id!).order(Column("sampleKey")).fetchAll(db))
        },
        try ShardRecord.order(Column("id")).fetchAll(db).map { shard in
          (shard, try MemberRecord.filter(Column("shardId") == shard.id!).order(Column("dataOffset")).fetchAll(db))
        },
        try SlimFailureRecord.fetchAll(db),
        try OutputRecord.order(Column("id")).fetchAll(db)
      )
    }
  }
}

/// What the parts say about one whole output.
private struct JoinedOutput {
  var configuration: String?
  var complete: Bool
  var partitionCount: Int?
  var present: Set<Int> = []
}

/// Copies one part's rows into the merged catalog inside the merge transaction, refusing any that
/// disagree with what an earlier part (or the merged catalog itself) holds.
private struct PartMerger {
  let catalog: Catalog
  let partPath: String
  let db: Database
  /// The part's dataset ids mapped to the merged catalog's.
  var datasetIds: [Int64: Int64] = [:]
  /// Each output of the part mapped to the whole output's row here, created on first sight.
  var targets: [Int64: (id: Int64, whole: OutputKey)] = [:]

  init(catalog: Catalog, partPath: String, db: Database) {
    self.catalog = catalog
    self.partPath = partPath
    self.db = db
  }

  func inconsistent(_ reason: String) -> CatalogError { .inconsistent(path: partPath, reason: reason) }

  /// Finds each dataset by root (which must have the same format and label encoding) or inserts it.
  mutating func mergeDatasets(_ datasets: [DatasetRecord]) throws {
    for dataset in datasets {
      if let existing = try DatasetRecord.filter(Column("root") == dataset.root).fetchOne(db) {
        guard existing.format == dataset.format, existing.labelEncoding == dataset.labelEncoding else {
          throw inconsistent("dataset \(dataset.root) is \(dataset.format) here but \(existing.format) in another part")
        }
        datasetIds[dataset.id!] = existing.id!
      } else {
        var copy = dataset
        copy.id = nil
        try copy.insert(db)
        datasetIds[dataset.id!] = copy.id!
      }
    }
  }

  /// Inserts each sample (under its dataset's id here) unless an identical one is already recorded.
  func mergeSamples(_ samples: [SampleRecord]) throws {
    for var sample in samples {
      sample.datasetId = datasetIds[sample.datasetId] ?? sample.datasetId
      if let existing = try SampleRecord.fetchOne(db, key: sample.key) {
        guard existing == sample else { throw inconsistent("sample \(sample.key) differs from another part") }
      } else {
        try sample.insert(db)
      }
    }
  }

  /// Inserts each score unless an identical one is already recorded.
  func mergeScores(_ scores: [ScoreRecord]) throws {
    for score in scores {
      if let existing = try ScoreRecord.filter(Column("sampleKey") == score.sampleKey && Column("indicator") == score.indicator.rawValue).fetchOne(db) {
        guard existing == score else { throw inconsistent("score \(score.indicator) of \(score.sampleKey) differs from another part") }
      } else {
        try score.insert(db)
      }
    }
  }

  /// Joins each output of the part into its whole output (same configuration everywhere, one
  /// partition count) and records the whole output's row, incomplete until the merge ends.
  mutating func mergeOutputs(_ outputs: [OutputRecord], into joined: inout [OutputKey: JoinedOutput]) throws {
    for output in outputs {
      let whole = output.key.whole
      if var known = joined[whole] {
        guard known.configuration == output.configuration else {
          throw inconsistent("\(whole) was written with another configuration in another part")
        }
        known.complete = known.complete && output.complete
        joined[whole] = known
      } else {
        if let existing = try Catalog.outputRequest(whole).fetchOne(db), existing.configuration != output.configuration {
          throw inconsistent("\(whole) is recorded in \(catalog.path) with another configuration")
        }
        joined[whole] = JoinedOutput(configuration: output.configuration, complete: output.complete)
      }
      if let partition = output.key.partition {
        if let count = joined[whole]?.partitionCount, count != partition.count {
          throw inconsistent("\(whole) is written in \(partition.count) partitions here but in \(count) in another part")
        }
        joined[whole]?.partitionCount = partition.count
        joined[whole]?.present.insert(partition.index)
      }
      let saved = try catalog.save(OutputRecord(key: whole, configuration: output.configuration, complete: false), db)
      targets[output.id!] = (saved.id!, whole)
    }
  }

  /// The whole output's row that a row of the part's output `outputId` belongs to.
  func target(_ outputId: Int64) throws -> (id: Int64, whole: OutputKey) {
    guard let target = targets[outputId] else { throw inconsistent("a row refers to output \(outputId), which the part does not record") }
    return target
  }

  /// Inserts each plan with its decisions, unless the whole output already has an identical one for the split.
  func mergePlans(_ plans: [(PlanRecord, [DecisionRecord])]) throws {
    for (plan, decisions) in plans {
      let (outputId, whole) = try target(plan.outputId)
      if let existing = try PlanRecord.filter(Column("outputId") == outputId && Column("split") == plan.split.rawValue).fetchOne(db) {
        let other = try DecisionRecord.filter(Column("planId") == existing.id!).order(Column("sampleKey")).fetchAll(db)
        guard other.map(Catalog.decisionKey) == decisions.map(Catalog.decisionKey), existing.policy == plan.policy else {
          throw inconsistent("the \(plan.split) plan of \(whole) differs from another part's")
        }
      } else {
        var copy = plan
        copy.id = nil
        copy.outputId = outputId
        try copy.insert(db)
        for var decision in decisions {
          decision.planId = copy.id!
          try decision.insert(db)
        }
      }
    }
  }

  /// Inserts each shard with its members; a shard another part already recorded means the parts overlap.
  func mergeShards(_ shards: [(ShardRecord, [MemberRecord])]) throws {
    for (shard, members) in shards {
      let (outputId, whole) = try target(shard.outputId)
      if try ShardRecord.filter(Column("outputId") == outputId && Column("path") == shard.path).fetchCount(db) > 0 {
        throw inconsistent("shard \(shard.path) of \(whole) is also in another part (overlapping parts)")
      }
      var copy = shard
      copy.id = nil
      copy.outputId = outputId
      try copy.insert(db)
      for var member in members {
        member.shardId = copy.id!
        try member.insert(db)
      }
    }
  }

  /// Records each failure under the whole output.
  func mergeFailures(_ failures: [SlimFailureRecord]) throws {
    for var failure in failures {
      failure.outputId = try target(failure.outputId).id
      try failure.upsert(db)
    }
  }
}

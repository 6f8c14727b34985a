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
      /// What the parts say about one whole output.
      struct Joined {
        var configuration: String?
        var complete: Bool
        var partitionCount: Int?
        var present: Set<Int> = []
      }
      var joined: [OutputKey: Joined] = [:]
      for (part, content) in zip(parts, contents) {
        func inconsistent(_ reason: String) -> CatalogError { .inconsistent(path: part.path, reason: reason) }
        var datasetIds: [Int64: Int64] = [:]
        for dataset in content.datasets {
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
        for var sample in content.samples {
          sample.datasetId = datasetIds[sample.datasetId] ?? sample.datasetId
          if let existing = try SampleRecord.fetchOne(db, key: sample.key) {
            guard existing == sample else { throw inconsistent("sample \(sample.key) differs from another part") }
          } else {
            try sample.insert(db)
          }
        }
        for score in content.scores {
          if let existing = try ScoreRecord.filter(Column("sampleKey") == score.sampleKey && Column("indicator") == score.indicator.rawValue).fetchOne(db) {
            guard existing == score else { throw inconsistent("score \(score.indicator) of \(score.sampleKey) differs from another part") }
          } else {
            try score.insert(db)
          }
        }
        // Each output of the part maps to the whole output's row here, created on first sight.
        var targets: [Int64: (id: Int64, whole: OutputKey)] = [:]
        for output in content.outputs {
          let whole = output.key.whole
          if var known = joined[whole] {
            guard known.configuration == output.configuration else {
              throw inconsistent("\(whole) was written with another configuration in another part")
            }
            known.complete = known.complete && output.complete
            joined[whole] = known
          } else {
            if let existing = try Self.outputRequest(whole).fetchOne(db), existing.configuration != output.configuration {
              throw inconsistent("\(whole) is recorded in \(path) with another configuration")
            }
            joined[whole] = Joined(configuration: output.configuration, complete: output.complete)
          }
          if let partition = output.key.partition {
            if let count = joined[whole]?.partitionCount, count != partition.count {
              throw inconsistent("\(whole) is written in \(partition.count) partitions here but in \(count) in another part")
            }
            joined[whole]?.partitionCount = partition.count
            joined[whole]?.present.insert(partition.index)
          }
          let saved = try save(OutputRecord(key: whole, configuration: output.configuration, complete: false), db)
          targets[output.id!] = (saved.id!, whole)
        }
        func target(_ outputId: Int64) throws -> (id: Int64, whole: OutputKey) {
          guard let target = targets[outputId] else { throw inconsistent("a row refers to output \(outputId), which the part does not record") }
          return target
        }
        for (plan, decisions) in content.plans {
          let (outputId, whole) = try target(plan.outputId)
          if let existing = try PlanRecord.filter(Column("outputId") == outputId && Column("split") == plan.split.rawValue).fetchOne(db) {
            let other = try DecisionRecord.filter(Column("planId") == existing.id!).order(Column("sampleKey")).fetchAll(db)
            guard other.map(Self.decisionKey) == decisions.map(Self.decisionKey), existing.policy == plan.policy else {
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
        for (shard, members) in content.shards {
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
        for var failure in content.failures {
          failure.outputId = try target(failure.outputId).id
          try failure.upsert(db)
        }
      }
      var report = MergeReport(parts: parts.count, samples: 0, shards: 0, outputs: [])
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

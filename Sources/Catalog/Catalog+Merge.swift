import Foundation
import GRDB

/// What `Catalog.merge(_:)` joined.
public struct MergeReport: Sendable, Equatable, Codable {
  /// Catalog files merged.
  public var parts: Int
  /// Samples in the merged catalog.
  public var samples: Int
  /// Shards in the merged catalog.
  public var shards: Int
  /// Output directories whose partitions were joined, with the partitions still missing (if any).
  public var outputs: [String: [String]]
}

extension Catalog {
  /// Joins partition catalogs (from `dance slim --partition i/N`) into this one, in one transaction.
  ///
  /// Datasets, samples, scores and plans must agree wherever parts overlap (every partition records
  /// the whole plan; they must be identical); shards must not overlap. An output written as
  /// `DIR#partIofN` is recorded as `DIR`. Anything inconsistent aborts the merge with
  /// ``CatalogError/inconsistent(path:reason:)`` naming the part, and nothing is written.
  public func merge(_ parts: [Catalog]) throws(CatalogError) -> MergeReport {
    let contents = try parts.map { part throws(CatalogError) in try PartContents(part) }
    return try write { db in
      var report = MergeReport(parts: parts.count, samples: 0, shards: 0, outputs: [:])
      var seenPartitions: [String: Set<String>] = [:]
      var configurations: [String: (text: String, complete: Bool)] = [:]
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
          if let existing = try ScoreRecord.filter(Column("sampleKey") == score.sampleKey && Column("indicator") == score.indicator).fetchOne(db) {
            guard existing == score else { throw inconsistent("score \(score.indicator) of \(score.sampleKey) differs from another part") }
          } else {
            try score.insert(db)
          }
        }
        for (plan, decisions) in content.plans {
          let (base, partition) = Self.splitPartition(plan.output)
          if let partition { seenPartitions[base, default: []].insert(partition) }
          if let existing = try PlanRecord.filter(Column("output") == base && Column("split") == plan.split).fetchOne(db) {
            let other = try DecisionRecord.filter(Column("planId") == existing.id!).order(Column("sampleKey")).fetchAll(db)
            guard other.map(Self.decisionKey) == decisions.map(Self.decisionKey), existing.policy == plan.policy else {
              throw inconsistent("the \(plan.split) plan of \(base) differs from another part's")
            }
          } else {
            var copy = plan
            copy.id = nil
            copy.output = base
            try copy.insert(db)
            for var decision in decisions {
              decision.planId = copy.id!
              try decision.insert(db)
            }
          }
        }
        for (shard, members) in content.shards {
          let (base, _) = Self.splitPartition(shard.output)
          if try ShardRecord.filter(Column("output") == base && Column("path") == shard.path).fetchCount(db) > 0 {
            throw inconsistent("shard \(shard.path) of \(base) is also in another part (overlapping parts)")
          }
          var copy = shard
          copy.id = nil
          copy.output = base
          try copy.insert(db)
          for var member in members {
            member.shardId = copy.id!
            try member.insert(db)
          }
        }
        for var failure in content.failures {
          failure.output = Self.splitPartition(failure.output).base
          try failure.upsert(db)
        }
        for output in content.outputs {
          let (base, _) = Self.splitPartition(output.path)
          let text = Self.withoutPartition(output.configuration)
          if let known = configurations[base] {
            guard known.text == text else { throw inconsistent("\(base) was written with another configuration in another part") }
            configurations[base] = (text, known.complete && output.complete)
          } else {
            configurations[base] = (text, output.complete)
          }
        }
      }
      for (base, partitions) in seenPartitions {
        let count = partitions.compactMap { Int($0.split(separator: "f").last ?? "") }.first ?? partitions.count
        let missing = (0..<count).map { "part\($0)of\(count)" }.filter { !partitions.contains($0) }
        report.outputs[base] = missing
        if let configuration = configurations[base] {
          try OutputRecord(path: base, configuration: configuration.text, complete: configuration.complete && missing.isEmpty)
            .upsert(db)
        }
      }
      report.samples = try SampleRecord.fetchCount(db)
      report.shards = try ShardRecord.fetchCount(db)
      return report
    }
  }

  /// `DIR#part1of3` → (`DIR`, `part1of3`).
  static func splitPartition(_ output: String) -> (base: String, partition: String?) {
    guard let hash = output.lastIndex(of: "#"), output[output.index(after: hash)...].hasPrefix("part") else {
      return (output, nil)
    }
    return (String(output[..<hash]), String(output[output.index(after: hash)...]))
  }

  static func decisionKey(_ decision: DecisionRecord) -> String {
    "\(decision.sampleKey) \(decision.keep) \(decision.scale) \(decision.outputWidth)x\(decision.outputHeight) \(decision.weight) \(decision.rank)"
  }

  /// A slim configuration's canonical JSON without its `partition` key.
  static func withoutPartition(_ configuration: String) -> String {
    guard var object = try? JSONSerialization.jsonObject(with: Data(configuration.utf8)) as? [String: Any] else {
      return configuration
    }
    object.removeValue(forKey: "partition")
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return configuration }
    return String(decoding: data, as: UTF8.self)
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
        try OutputRecord.fetchAll(db)
      )
    }
  }
}

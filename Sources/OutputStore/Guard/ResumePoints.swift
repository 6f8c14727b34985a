public import Catalog
public import DanceCore

/// Where an interrupted run stopped in one split: its recorded shards and the samples they (or
/// its recorded failures) already account for.
public struct ResumePoint: Sendable, Equatable {
  /// The recorded shards kept, in order; the split continues at the next shard index.
  public var shards: [ShardRecord]
  /// Keys of the samples already written (or recorded as failed).
  public var done: Set<SampleKey>

  /// Creates a resume point.
  public init(shards: [ShardRecord], done: Set<SampleKey>) {
    self.shards = shards
    self.done = done
  }
}

/// What opening an output for writing found: where each split continues, what was repaired.
public struct ResumePlan: Sendable, Equatable {
  /// Per split, the shards kept from an interrupted run (none for a new or overwritten output).
  public var points: [DatasetSplit: ResumePoint] = [:]
  /// What resuming found wrong with the recorded shards, and will write again.
  public var repairs: [String] = []
  /// Whether the output was recorded complete with this configuration before this run.
  public var wasComplete = false

  /// A plan that keeps nothing: a new, overwritten or dry-run output.
  public init() {}

  /// Whether `key` of `split` was written (or recorded failed) by an earlier run.
  public func isDone(_ key: SampleKey, split: DatasetSplit) -> Bool { points[split]?.done.contains(key) ?? false }
}

extension ResumePlan {
  /// The recorded shards a resumed run keeps, per split: never trusting the catalog over the
  /// files, each must exist with its recorded size and SHA-256. From the first one that does not,
  /// the split's later shards are forgotten (their rows deleted) and written again (output is
  /// deterministic, so they come out byte-identical); ``repairs`` says what was found.
  static func resuming(_ output: OutputKey, catalog: Catalog) throws(CatalogError) -> ResumePlan {
    var plan = ResumePlan()
    var forgotten: [Int64] = []
    for (split, shards) in Dictionary(grouping: try catalog.shards(output: output), by: \.split).sorted(by: { $0.key < $1.key }) {
      var point = ResumePoint(shards: [], done: [])
      var broken = false
      for shard in shards {
        if !broken, let problem = ShardFileProblem.of(output.directory + "/" + shard.path, bytes: shard.bytes, sha256: shard.sha256) {
          plan.repairs.append("\(shard.path): \(problem); writing the \(split) split again from this shard on")
          broken = true
        }
        if broken {
          forgotten.append(shard.id!)
          continue
        }
        point.shards.append(shard)
        for member in try catalog.members(shardId: shard.id!) { point.done.insert(member.sampleKey) }
      }
      plan.points[split] = point
    }
    if !forgotten.isEmpty { try catalog.deleteShards(ids: forgotten) }
    let failed = try catalog.slimFailures(output: output).map(\.sampleKey)
    for split in Array(plan.points.keys) { plan.points[split]?.done.formUnion(failed) }
    return plan
  }
}

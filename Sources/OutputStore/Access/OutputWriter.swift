public import Catalog
public import DanceCore
import Foundation
public import Shards

/// The one writer of a slimmed output: ``init(directory:partition:)`` opens it (the lock) →
/// ``resumePlan(configuration:dataset:overwrite:catalog:)`` decides what an earlier run left that
/// is kept (or removes it, by the overwrite rules) → ``begin(splits:)`` → per split
/// ``openSplit(_:maxSamples:maxBytes:)`` and ``add(_:split:midTransaction:)`` for each finished
/// shard → ``finish(splits:)``.
///
/// Every shard is recorded in the order the files become true: the shard is renamed into place
/// (``ShardWriter``), then its DALI `.idx` is written, then its catalog rows, then the manifest is
/// rewritten listing it; `shardindex.json` and the complete marks come last. An interruption at
/// any point leaves an output the next run resumes from, byte-identically.
public final class OutputWriter {
  /// The output directory (absolute, standardised).
  public let directory: String
  /// The catalog's name for this output (a partition writes its own part).
  public let key: OutputKey
  private let lock: OutputLock
  /// What ``resumePlan(configuration:dataset:overwrite:catalog:)`` started: the catalog recorded
  /// into, the manifest kept current, the configuration's canonical JSON.
  private var session: (catalog: Catalog, recorder: ManifestRecorder, configuration: String)?
  /// What ``resumePlan(configuration:dataset:overwrite:catalog:)`` found.
  public private(set) var plan = ResumePlan()

  /// Opens `directory` for writing (creating it): takes its lock, exclusively for a whole output,
  /// shared with the other partitions for a partition (which holds its own lock exclusively).
  /// - Throws: ``OutputStoreError/refused(path:reason:)`` naming the PID of another writer.
  public init(directory: String, partition: OutputPartition?) throws(OutputStoreError) {
    self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
    key = OutputKey(directory: self.directory, partition: partition)
    lock = try OutputLock(directory: self.directory, partition: partition)
  }

  /// Drops the lock (also done when the writer goes away or the process ends).
  public func close() { lock.release() }

  /// Compares `configuration` with what `catalog` records for the output: an equal one resumes
  /// (keeping each recorded shard whose file is intact); otherwise the output must be empty, or
  /// `overwrite` must be given and every file in it listed by a manifest (``OutputOverwrite``).
  /// The output's row is then recorded unfinished with this configuration, and the manifest,
  /// describing `dataset`, is started.
  /// - Throws: ``OutputStoreError/refused(path:reason:)`` naming what differs or what is in the way.
  public func resumePlan(
    configuration fingerprint: SlimFingerprint, dataset: OutputManifest.Dataset, overwrite: Bool, catalog: Catalog
  ) throws(OutputStoreError) -> ResumePlan {
    let given = try fingerprint.canonicalJSON(for: directory)
    let recorded = try OutputStoreError.catalog { () throws(CatalogError) in try catalog.outputRecord(key) }
    if let recorded, recorded.configuration == given, !overwrite {
      plan = try OutputStoreError.catalog { () throws(CatalogError) in try ResumePlan.resuming(key, catalog: catalog) }
      plan.wasComplete = recorded.complete
    } else {
      try OutputOverwrite.prepare(
        directory, key: key, catalog: catalog, overwrite: overwrite, recorded: recorded?.configuration, given: given)
    }
    try OutputStoreError.catalog { () throws(CatalogError) in
      try catalog.saveOutput(OutputRecord(key: key, configuration: given, complete: false))
    }
    let manifest = OutputManifest(
      version: OutputManifest.currentVersion, partition: key.partition?.name, complete: false, configuration: given, dataset: dataset,
      splits: [:])
    session = (catalog, ManifestRecorder(directory: directory, manifest: manifest), given)
    return plan
  }

  /// Lists in the manifest every split this run writes, with the shards it keeps from an earlier
  /// run, and writes it: from here on an interruption leaves only files the manifest owns.
  public func begin(splits: [DatasetSplit]) throws(OutputStoreError) {
    let recorder = try started().recorder
    for split in Set(splits).union(plan.points.keys).sorted() {
      recorder.declare(split: split.rawValue, prefix: shardPrefix(split), index: indexName(split))
      for shard in plan.points[split]?.shards ?? [] { recorder.note(shard, prefix: shardPrefix(split), index: indexName(split)) }
    }
    try recorder.save()
  }

  /// Prepares `split`'s folder for its shards: removes what an interruption left that the catalog
  /// does not record (a `.partial` file, a renamed but unrecorded shard, a stale index), refusing a
  /// file of this writer's naming that Dance did not write.
  /// - Returns: where the split's shard writer starts (after the shards kept from an earlier run).
  public func openSplit(_ split: DatasetSplit, maxSamples: Int?, maxBytes: Int?) throws(OutputStoreError) -> ShardWriterConfiguration {
    let recorder = try started().recorder
    let folder = directory + "/" + split.rawValue
    try OutputStoreError.fileSystem(folder) { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    let kept = plan.points[split]?.shards ?? []
    try OutputOverwrite.removeUnrecorded(
      in: folder, prefix: shardPrefix(split), indexName: indexName(split),
      keeping: Set(kept.map { ($0.path as NSString).lastPathComponent }), owned: recorder.ownedFiles(split: split.rawValue))
    return ShardWriterConfiguration(
      directory: folder, prefix: shardPrefix(split), maxSamples: maxSamples, maxBytes: maxBytes, firstShardIndex: kept.count)
  }

  /// Records a shard the ``ShardWriter`` of `split` has renamed into place: its DALI index, its
  /// catalog rows (every member's offset; `midTransaction` runs inside that transaction, for the
  /// crash tests) and the manifest, rewritten.
  public func add(_ shard: FinishedShard, split: DatasetSplit, midTransaction: @escaping () -> Void = {}) throws(OutputStoreError) {
    let (catalog, recorder, _) = try started()
    do throws(ShardError) { _ = try DALIIndex.write(for: shard) } catch { throw OutputStoreError(error) }
    let record = ShardRecord(
      split: split, path: split.rawValue + "/" + shard.fileName, bytes: shard.byteCount, samples: shard.sampleCount,
      sha256: shard.sha256, md5: shard.md5)
    let members = shard.samples.flatMap { sample in
      sample.members.map { member in
        MemberRecord(shardId: 0, sampleKey: SampleKey(rawValue: sample.key), field: sample.field(of: member), dataOffset: member.dataOffset, size: member.size)
      }
    }
    _ = try OutputStoreError.catalog { () throws(CatalogError) in
      try catalog.recordShard(record, output: key, members: members, midTransaction: midTransaction)
    }
    try recorder.add(record, prefix: shardPrefix(split), index: indexName(split))
  }

  /// Writes the wids `shardindex.json` of each of `splits` that has shards (from the catalog, so
  /// kept shards count too), then records the output complete in the catalog and the manifest.
  /// - Returns: per split name, the shards the output holds.
  @discardableResult
  public func finish(splits: [DatasetSplit]) throws(OutputStoreError) -> [DatasetSplit: [ShardRecord]] {
    let (catalog, recorder, configuration) = try started()
    let shards = try OutputStoreError.catalog { () throws(CatalogError) in try catalog.shards(output: key) }
    var bySplit: [DatasetSplit: [ShardRecord]] = [:]
    for split in splits {
      let written = shards.filter { $0.split == split }
      bySplit[split] = written
      guard !written.isEmpty else { continue }
      do throws(ShardError) {
        try ShardIndexJSON(split: split.rawValue, records: written).write(to: directory + "/" + split.rawValue + "/" + indexName(split))
      } catch {
        throw OutputStoreError(error)
      }
    }
    try OutputStoreError.catalog { () throws(CatalogError) in
      try catalog.saveOutput(OutputRecord(key: key, configuration: configuration, complete: true))
    }
    try recorder.finish()
    return bySplit
  }

  private func started() throws(OutputStoreError) -> (catalog: Catalog, recorder: ManifestRecorder, configuration: String) {
    guard let session else { throw .invalid(path: directory, reason: "the writer was not started (resumePlan was not called)") }
    return session
  }

  private func shardPrefix(_ split: DatasetSplit) -> String { key.partition?.shardPrefix(split: split.rawValue) ?? split.rawValue }

  private func indexName(_ split: DatasetSplit) -> String {
    ShardIndexJSON.fileName(partitionPrefix: key.partition?.shardPrefix(split: split.rawValue))
  }
}

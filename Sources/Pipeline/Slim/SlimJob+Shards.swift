import Catalog
import DanceCore
import Foundation
import ImageCodecs
import Shards

extension SlimJob {
  /// Encodes every kept sample on all cores and writes them, in key order per split, through one
  /// shard writer per split; every finished shard gets its DALI index and then its catalog rows,
  /// and every split its `shardindex.json` at the end. The bytes written do not depend on the
  /// number of workers.
  ///
  /// When `resume` names shards an interrupted run recorded, their samples are skipped and the
  /// split continues at the next shard index, after removing whatever the interruption left that
  /// the catalog does not know (a `.partial` file, a renamed but unrecorded shard, a stale index):
  /// since output is deterministic, the result is byte-identical to an uninterrupted run.
  /// - Returns: the number of samples encoded in this run (0 when every one was written before).
  @discardableResult
  static func writeShards(
    _ jobs: [SlimSampleJob], directory: String, output: OutputKey, catalog: Catalog, configuration: SlimConfiguration,
    resume: [DatasetSplit: ResumePoint], manifest: ManifestRecorder, report: inout SlimReport
  ) throws -> Int {
    let pending = jobs.filter { !(resume[$0.split]?.done.contains($0.key) ?? false) }
    let indexName = { (split: DatasetSplit) in shardIndexName(configuration.partition?.shardPrefix(split: split.rawValue)) }
    for split in Set(jobs.map(\.split)).union(resume.keys).sorted() {
      let prefix = configuration.partition?.shardPrefix(split: split.rawValue) ?? split.rawValue
      manifest.declare(split: split.rawValue, prefix: prefix, index: indexName(split))
      for shard in resume[split]?.shards ?? [] { manifest.note(shard, prefix: prefix, index: indexName(split)) }
    }
    try manifest.save()
    let decoder = ImageDecoder(options: configuration.decodeOptions)
    let options = configuration.output
    let progress = ProgressReporter(label: "slim", total: pending.count, unit: "samples", style: configuration.progress)
    var writer: ShardWriter?
    var writerSplit: DatasetSplit?
    var failures: [SlimFailureRecord] = []

    func openWriter(for split: DatasetSplit) throws {
      let splitDirectory = directory + "/" + split.rawValue
      let prefix = configuration.partition?.shardPrefix(split: split.rawValue) ?? split.rawValue
      try FileManager.default.createDirectory(atPath: splitDirectory, withIntermediateDirectories: true)
      let recorded = resume[split]?.shards ?? []
      try removeUnrecorded(
        in: splitDirectory, prefix: prefix, indexName: indexName(split),
        keeping: Set(recorded.map { ($0.path as NSString).lastPathComponent }),
        owned: manifest.ownedFiles(split: split.rawValue))
      writer = try ShardWriter(
        configuration: ShardWriterConfiguration(
          directory: splitDirectory, prefix: prefix, maxSamples: configuration.shardMaxSamples,
          maxBytes: configuration.shardMaxBytes, firstShardIndex: recorded.count)
      ) { shard in
        FaultInjection.reach("shard-renamed")
        _ = try DALIIndex.write(for: shard)
        let record = ShardRecord(
          split: split, path: split.rawValue + "/" + shard.fileName, bytes: shard.byteCount,
          samples: shard.sampleCount, sha256: shard.sha256, md5: shard.md5)
        _ = try catalog.recordShard(
          record, output: output,
          members: shard.samples.flatMap { sample in
            sample.members.map { member in
              MemberRecord(
                shardId: 0, sampleKey: SampleKey(rawValue: sample.key), field: sample.field(of: member), dataOffset: member.dataOffset,
                size: member.size)
            }
          },
          midTransaction: { FaultInjection.reach("catalog-write") })
        try manifest.add(record, prefix: prefix, index: indexName(split))
      }
      writerSplit = split
    }

    // Each result holds a sample's encoded members (megabytes for a photographic frame), so two
    // per worker in flight: enough to keep the writer fed, and a bounded peak however long the run.
    let workers = max(1, configuration.workers ?? ProcessInfo.processInfo.activeProcessorCount)
    try OrderedParallelMap(workers: workers, window: workers * 2).run(pending) { job in
      (job.key, job.split, job.encode(options: options, decoder: decoder))
    } consume: { _, result in
      let (key, split, outcome) = result
      if split != writerSplit || writer == nil {
        try writer?.finish()
        try openWriter(for: split)
      }
      switch outcome {
      case .success(let encoded):
        try writer?.write(ShardSample(key: key.rawValue, fields: encoded.fields))
        report.copiedImages += encoded.copiedImage ? 1 : 0
        FaultInjection.reach("sample")
      case .failure(let failure):
        if configuration.failFast { throw PipelineError.sampleFailed(sample: key, reason: failure.reason) }
        failures.append(SlimFailureRecord(sampleKey: key, reason: failure.reason))
        report.failures.append("\(key): \(failure.reason)")
      }
      progress.advance()
    }
    try writer?.finish()
    if !pending.isEmpty { progress.finish() }
    try catalog.recordSlimFailures(failures, output: output)

    // Every split's index and counts, from the catalog (so resumed shards count too).
    let shards = try catalog.shards(output: output)
    for index in report.splits.indices {
      let split = report.splits[index].split
      let written = shards.filter { $0.split.rawValue == split }
      report.splits[index].shards = written.count
      report.splits[index].bytes = written.reduce(0) { $0 + $1.bytes }
      guard !written.isEmpty else { continue }
      try ShardIndexJSON(split: split, shards: written.map { ($0.path, $0.samples, $0.bytes, $0.md5) }).write(to: directory + "/" + split + "/" + shardIndexName(configuration.partition?.shardPrefix(split: split)))
    }
    return pending.count
  }

  /// `shardindex.json`, or `shardindex.<prefix>.json` for a partition (merged later by
  /// `dance catalog merge`).
  static func shardIndexName(_ partitionPrefix: String?) -> String {
    partitionPrefix.map { "shardindex.\($0).json" } ?? ShardIndexJSON.defaultFileName
  }

  /// Removes this writer's shards, indexes and partial files in `directory` that are not among
  /// `keeping` (shard file names the catalog records), and its index JSON, rewritten at the end.
  /// Only files the output's manifest owns (`owned`, names in `directory`) are removed; a file of
  /// this writer's naming that the manifest does not own is refused, since writing would replace it.
  /// Files of other prefixes (other partitions) are left alone.
  static func removeUnrecorded(
    in directory: String, prefix: String, indexName: String, keeping: Set<String>, owned: Set<String>
  ) throws {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
      let ownShard = name.hasPrefix(prefix + "-") || name.hasPrefix("." + prefix + "-")
      guard ownShard || name == indexName else { continue }
      let shardName = name.hasSuffix(".idx") ? String(name.dropLast(4)) + ".tar" : name
      let stale = name.hasSuffix(".partial") || name == indexName
        || ((name.hasSuffix(".tar") || name.hasSuffix(".idx")) && !keeping.contains(shardName))
      guard stale else { continue }
      guard owned.contains(name) else {
        throw PipelineError.refused(
          path: directory + "/" + name,
          reason: "has the name of a file this run writes, but the output's manifest does not list it (Dance did not "
            + "write it); move it away or choose another --out")
      }
      try FileManager.default.removeItem(atPath: directory + "/" + name)
    }
  }
}

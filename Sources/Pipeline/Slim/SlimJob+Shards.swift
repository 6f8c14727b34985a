import Catalog
import DanceCore
import Foundation
import ImageCodecs
import OutputStore
import Shards

extension SlimJob {
  /// Encodes every kept sample on all cores and writes them, in key order per split, through one
  /// shard writer per split into `writer` (which records every finished shard: DALI index, catalog
  /// rows, manifest), then finishes the output (each split's `shardindex.json`, the complete marks).
  /// The bytes written do not depend on the number of workers.
  ///
  /// Samples an interrupted run already wrote (``OutputWriter/plan``) are skipped and each split
  /// continues at its next shard index; since output is deterministic, the result is
  /// byte-identical to an uninterrupted run.
  /// - Returns: the number of samples encoded in this run (0 when every one was written before).
  static func writeShards(
    _ jobs: [SlimSampleJob], through writer: OutputWriter, catalog: Catalog, configuration: SlimConfiguration,
    report: inout SlimReport
  ) throws -> Int {
    let pending = jobs.filter { !writer.plan.isDone($0.key, split: $0.split) }
    try writer.begin(splits: jobs.map(\.split))
    let failures = try encode(pending, into: writer, configuration: configuration, report: &report)
    try catalog.recordSlimFailures(failures, output: writer.key)
    let splits = report.splits.compactMap { DatasetSplit(rawValue: $0.split) }
    let shards = try writer.finish(splits: splits)
    for index in report.splits.indices {
      let written = DatasetSplit(rawValue: report.splits[index].split).flatMap { shards[$0] } ?? []
      report.splits[index].shards = written.count
      report.splits[index].bytes = written.reduce(0) { $0 + $1.bytes }
    }
    return pending.count
  }

  /// Encodes `pending` with a bounded window of workers and hands each result, in order, to the
  /// shard writer of its split; a sample that fails is recorded (or stops the run with `--fail-fast`).
  /// - Returns: the samples that failed.
  static func encode(
    _ pending: [SlimSampleJob], into writer: OutputWriter, configuration: SlimConfiguration, report: inout SlimReport
  ) throws -> [SlimFailureRecord] {
    let decoder = ImageDecoder(options: configuration.decodeOptions)
    let options = configuration.output
    let progress = ProgressReporter(label: "slim", total: pending.count, unit: "samples", style: configuration.progress)
    var shards: ShardWriter?
    var shardsSplit: DatasetSplit?
    var failures: [SlimFailureRecord] = []
    // Each result holds a sample's encoded members (megabytes for a photographic frame), so two
    // per worker in flight: enough to keep the writer fed, and a bounded peak however long the run.
    let workers = max(1, configuration.workers ?? ProcessInfo.processInfo.activeProcessorCount)
    try OrderedParallelMap(workers: workers, window: workers * 2).run(pending) { job in
      (job.key, job.split, job.encode(options: options, decoder: decoder))
    } consume: { _, result in
      let (key, split, outcome) = result
      if split != shardsSplit || shards == nil {
        try shards?.finish()
        shards = try shardWriter(split, into: writer, configuration: configuration)
        shardsSplit = split
      }
      switch outcome {
      case .success(let encoded):
        try shards?.write(ShardSample(key: key.rawValue, fields: encoded.fields))
        report.copiedImages += encoded.copiedImage ? 1 : 0
        FaultInjection.reach("sample")
      case .failure(let failure):
        if configuration.failFast { throw PipelineError.sampleFailed(sample: key, reason: failure.reason) }
        failures.append(SlimFailureRecord(sampleKey: key, reason: failure.reason))
        report.failures.append("\(key): \(failure.reason)")
      }
      progress.advance()
    }
    try shards?.finish()
    if !pending.isEmpty { progress.finish() }
    return failures
  }

  /// The shard writer of `split`, continuing after the shards kept from an earlier run; each
  /// shard it finishes is recorded by `writer`.
  static func shardWriter(_ split: DatasetSplit, into writer: OutputWriter, configuration: SlimConfiguration) throws -> ShardWriter {
    let start = try writer.openSplit(split, maxSamples: configuration.shardMaxSamples, maxBytes: configuration.shardMaxBytes)
    return try ShardWriter(configuration: start) { shard in
      FaultInjection.reach("shard-renamed")
      try writer.add(shard, split: split, midTransaction: { FaultInjection.reach("catalog-write") })
    }
  }
}

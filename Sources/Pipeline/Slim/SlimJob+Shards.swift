import Catalog
import Foundation
import ImageCodecs
import Shards

extension SlimJob {
  /// Encodes every kept sample on all cores and writes them, in key order per split, through one
  /// shard writer per split; every finished shard gets its DALI index and its catalog rows, and
  /// every split its `shardindex.json`. The bytes written do not depend on the number of workers.
  static func writeShards(
    _ jobs: [SlimSampleJob], output: String, catalog: Catalog, configuration: SlimConfiguration, report: inout SlimReport
  ) throws {
    let decoder = ImageDecoder()
    let options = configuration.output
    let progress = ProgressReporter(label: "slim", total: jobs.count, unit: "samples", style: configuration.progress)
    var writer: ShardWriter?
    var writerSplit = ""
    var finished: [FinishedShard] = []
    var failures: [SlimFailureRecord] = []

    func closeWriter() throws {
      guard let current = writer else { return }
      try current.finish()
      try ShardIndexJSON(name: writerSplit, finishedShards: finished).write(
        to: output + "/" + writerSplit + "/" + ShardIndexJSON.defaultFileName)
      if let index = report.splits.firstIndex(where: { $0.split == writerSplit }) {
        report.splits[index].shards = finished.count
        report.splits[index].bytes = finished.reduce(0) { $0 + $1.byteCount }
      }
      writer = nil
      finished = []
    }

    try OrderedParallelMap(workers: configuration.workers).run(jobs) { job in
      (job.key, job.split, job.encode(options: options, decoder: decoder))
    } consume: { _, result in
      let (key, split, outcome) = result
      if split != writerSplit || writer == nil {
        try closeWriter()
        writerSplit = split
        try FileManager.default.createDirectory(atPath: output + "/" + split, withIntermediateDirectories: true)
        writer = try ShardWriter(
          configuration: ShardWriterConfiguration(
            directory: output + "/" + split, prefix: split, maxSamples: configuration.shardMaxSamples,
            maxBytes: configuration.shardMaxBytes)
        ) { shard in
          _ = try DALIIndex.write(for: shard)
          let relative = split + "/" + shard.fileName
          _ = try catalog.recordShard(
            ShardRecord(
              output: output, split: split, path: relative, bytes: shard.byteCount, samples: shard.sampleCount,
              sha256: shard.sha256, md5: shard.md5),
            members: shard.samples.flatMap { sample in
              sample.members.map { member in
                MemberRecord(
                  shardId: 0, sampleKey: sample.key, field: sample.field(of: member), dataOffset: member.dataOffset,
                  size: member.size)
              }
            })
          finished.append(shard)
        }
      }
      switch outcome {
      case .success(let encoded):
        try writer?.write(ShardSample(key: key, fields: encoded.fields))
        report.copiedImages += encoded.copiedImage ? 1 : 0
      case .failure(let failure):
        if configuration.failFast { throw PipelineError.sampleFailed(sample: key, reason: failure.reason) }
        failures.append(SlimFailureRecord(output: output, sampleKey: key, reason: failure.reason))
        report.failures.append("\(key): \(failure.reason)")
      }
      progress.advance()
    }
    try closeWriter()
    if !jobs.isEmpty { progress.finish() }
    try catalog.recordSlimFailures(failures)
  }
}

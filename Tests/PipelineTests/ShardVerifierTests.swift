import Catalog
import DanceCore
import Datasets
import Foundation
import OutputStore
import Pipeline
import Runner
import Synthetic
import TestSupport
import Testing

@Suite(.serialized) struct ShardVerifierTests {
  /// A slimmed synthetic dataset: returns the output directory and catalog path.
  static func slimmed(in directory: String) throws -> (output: String, catalog: String) {
    let root = directory + "/data"
    _ = try SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
      format: .camvid, outputDirectory: root, trainCount: 8, valCount: 2, testCount: 2, seed: 2)).write()
    var options = SlimOptions()
    options.shardSamples = 3
    _ = try PipelineRunner.slim(
      root: root, catalogPath: directory + "/c.sqlite", outputDirectory: directory + "/out", options: options,
      context: StageContext(workers: 2, progress: .silent))
    return (directory + "/out", directory + "/c.sqlite")
  }

  static func problems(_ slimmed: (output: String, catalog: String)) throws -> [VerifyReport.Problem] {
    try ShardVerifier.verify(output: slimmed.output, catalogPath: slimmed.catalog, workers: 2).problems
  }

  @Test func aFreshOutputIsConsistent() throws {
    try withTemporaryDirectory { directory in
      let slimmed = try Self.slimmed(in: directory)
      let report = try ShardVerifier.verify(output: slimmed.output, catalogPath: slimmed.catalog)
      #expect(report.problems.isEmpty)
      // floor(0.1 · 8) = 0 dropped: 8 train samples in 3 shards of at most 3, 2 val, 2 test.
      #expect(report.shards == 5 && report.samples == 12 && report.members == 36)
    }
  }

  @Test func aTruncatedShardIsReported() throws {
    try withTemporaryDirectory { directory in
      let slimmed = try Self.slimmed(in: directory)
      let path = slimmed.output + "/train/train-000001.tar"
      let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
      try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
      let problems = try Self.problems(slimmed)
      #expect(problems.contains { $0.path == "train/train-000001.tar" && $0.reason.hasPrefix("size ") })
      #expect(problems.contains { $0.path == "train/train-000001.tar" && $0.reason.hasPrefix("unreadable tar") })
    }
  }

  @Test func aBitFlipIsCaughtByTheChecksum() throws {
    try withTemporaryDirectory { directory in
      let slimmed = try Self.slimmed(in: directory)
      let path = slimmed.output + "/val/val-000000.tar"
      var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
      bytes[1500] ^= 0x01
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      #expect(try Self.problems(slimmed).contains { $0.path == "val/val-000000.tar" && $0.reason.hasPrefix("SHA-256") })
    }
  }

  @Test func aMissingShardIsReported() throws {
    try withTemporaryDirectory { directory in
      let slimmed = try Self.slimmed(in: directory)
      try FileManager.default.removeItem(atPath: slimmed.output + "/test/test-000000.tar")
      #expect(try Self.problems(slimmed) == [VerifyReport.Problem(path: "test/test-000000.tar", reason: "missing or unreadable")])
    }
  }

  @Test func staleSidecarsAreReported() throws {
    try withTemporaryDirectory { directory in
      let slimmed = try Self.slimmed(in: directory)
      let index = slimmed.output + "/train/shardindex.json"
      let text = try String(contentsOfFile: index, encoding: .utf8).replacingOccurrences(of: "\"nsamples\": 3", with: "\"nsamples\": 4")
      try text.write(toFile: index, atomically: true, encoding: .utf8)
      let idx = slimmed.output + "/train/train-000000.idx"
      try "v1.2 1\n".write(toFile: idx, atomically: true, encoding: .utf8)
      let problems = try Self.problems(slimmed)
      #expect(problems.contains { $0.path == "train/shardindex.json" && $0.reason.hasPrefix("stale") })
      #expect(problems.contains { $0.path == "train/train-000000.idx" && $0.reason.hasPrefix("stale") })
    }
  }
}

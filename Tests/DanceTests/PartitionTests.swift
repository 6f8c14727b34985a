import DanceCore
import Catalog
import Foundation
import TestSupport
import Testing

/// Three `dance slim --partition i/3` processes plus `dance catalog merge` give exactly the
/// samples and decisions of one unpartitioned run (design.md §5).
@Suite(.serialized) struct PartitionTests {
  static func decisions(_ catalog: String, output: String) throws -> [String] {
    let catalog = try Catalog(path: catalog)
    return try catalog.plans(output: OutputKey(directory: output)).flatMap { plan in
      try catalog.decisions(planId: plan.id!).map { "\(plan.split) \($0.sampleKey) \($0.keep) \($0.scale) \($0.weight)" }
    }.sorted()
  }

  static func writtenKeys(_ catalog: String, output: String) throws -> [String] {
    let catalog = try Catalog(path: catalog)
    return try catalog.shards(output: OutputKey(directory: output)).flatMap { shard in
      try catalog.members(shardId: shard.id!).filter { $0.field == "json" }.map(\.sampleKey.rawValue)
    }.sorted()
  }

  /// The samples a (partition's) manifest lists, per split.
  static func samplesPerSplit(manifest path: String) throws -> [String: Int] {
    let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
    let splits = manifest?["splits"] as? [String: [String: Any]] ?? [:]
    return splits.mapValues { split in
      (split["shards"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["samples"] as? Int ?? 0) }
    }.filter { $0.value > 0 }
  }

  @Test(arguments: ["quantile", "budget"])
  func threePartitionsMergeIntoTheSingleRun(policy: String) throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "12", "--val", "3", "--test", "3", "--size", "96x72"]).status == 0)
      let options = ["--shard-samples", "3", "--policy", policy] + (policy == "budget" ? ["--budget", "0.4"] : [])
      #expect(try runDance(["slim", root, "--out", directory + "/single", "--catalog", directory + "/single.sqlite"] + options).status == 0)
      #expect(try runDance(["score", root, "--catalog", directory + "/scored.sqlite"]).status == 0)

      // The three parts run as separate processes at the same time, one through each scheduler's variables.
      let environments: [[String: String]] = [
        [:], ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3"], ["JOB_COMPLETION_INDEX": "2"],
      ]
      let arguments: [[String]] = [["--partition", "0/3"], [], ["--partitions", "3"]]
      let runs = try (0..<3).map { index in
        try startDance(
          ["slim", root, "--out", directory + "/parts", "--catalog", directory + "/scored.sqlite"] + options + arguments[index],
          environment: environments[index])
      }
      for run in runs {
        run.waitUntilExit()
        #expect(run.terminationStatus == 0)
      }
      let parts = (0..<3).map { directory + "/parts/catalog.part\($0)of3.sqlite" }
      let merge = try runDance(["catalog", "merge"] + parts + ["-o", directory + "/merged.sqlite"])
      #expect(merge.status == 0, "\(merge.standardError)")
      #expect(merge.standardOutput.contains("all partitions present"))

      #expect(try Self.decisions(directory + "/merged.sqlite", output: directory + "/parts")
        == Self.decisions(directory + "/single.sqlite", output: directory + "/single"))
      let written = try Self.writtenKeys(directory + "/merged.sqlite", output: directory + "/parts")
      let single = try Self.writtenKeys(directory + "/single.sqlite", output: directory + "/single")
      #expect(!written.isEmpty && written == single)
      let verify = try runDance(["verify", directory + "/parts", "--catalog", directory + "/merged.sqlite"])
      #expect(verify.status == 0, "\(verify.standardOutput)")
    }
  }

  @Test func overlappingPartsAreRefusedAndAMissingPartIsNamed() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "6", "--val", "1", "--test", "1", "--size", "64x48"]).status == 0)
      #expect(try runDance(["score", root, "--catalog", directory + "/scored.sqlite"]).status == 0)
      #expect(try runDance(["slim", root, "--out", directory + "/parts", "--catalog", directory + "/scored.sqlite", "--partition", "0/2"]).status == 0)
      let part = directory + "/parts/catalog.part0of2.sqlite"
      let merge = try runDance(["catalog", "merge", part, part, "-o", directory + "/merged.sqlite"])
      #expect(merge.status == 1)
      #expect(merge.standardError.contains("overlapping parts"))
      let merged = try Catalog(path: directory + "/merged.sqlite").samples()
      #expect(merged.isEmpty)  // nothing was written
      // The part alone merges, and the merge names the partition still missing.
      let alone = try runDance(["catalog", "merge", part, "-o", directory + "/alone.sqlite"])
      #expect(alone.status == 0, "\(alone.standardError)")
      #expect(alone.standardOutput.contains("\(directory)/parts: missing partitions 1/2"), "\(alone.standardOutput)")
    }
  }

  /// Issue 26, B3: `--partition 1/2` of the default synthetic dataset once received none of its 16
  /// training samples; each half now holds 8. A part left with nothing is warned about.
  @Test func bothHalvesOfTheDefaultDatasetHoldHalfItsSamples() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/cs", catalog = directory + "/c.sqlite"
      #expect(try runDance(["synth", "--format", "cityscapes", "--out", root]).status == 0)
      #expect(try runDance(["score", root, "--catalog", catalog]).status == 0)
      for index in 0..<2 {
        let part = try runDance(
          ["slim", root, "--out", directory + "/parts", "--catalog", catalog, "--policy", "none", "--partition", "\(index)/2"])
        #expect(part.status == 0, "\(part.standardError)")
        #expect(!part.standardError.contains("warning"), "\(part.standardError)")
        let written = try Self.samplesPerSplit(manifest: directory + "/parts/manifest.part\(index)of2.json")
        #expect(written == ["train": 8, "val": 2], "part \(index)/2 wrote \(written)")
      }
      let sparse = try runDance(
        ["slim", root, "--out", directory + "/sixths", "--catalog", catalog, "--policy", "none", "--partition", "5/6"])
      #expect(sparse.status == 0, "\(sparse.standardError)")
      #expect(sparse.standardError.contains("warning: partition 5/6 holds none of the 4 kept val samples (6 parts)"),
              "\(sparse.standardError)")
    }
  }

  @Test func partitionsNeedScoresAndAValidIndex() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "4", "--val", "1", "--test", "1", "--size", "64x48"]).status == 0)
      let unscored = try runDance(["slim", root, "--out", directory + "/o", "--catalog", directory + "/c.sqlite", "--partition", "0/2"])
      #expect(unscored.status == 2 && unscored.standardError.contains("dance score"))
      let bad = try runDance(["slim", root, "--out", directory + "/o", "--catalog", directory + "/c.sqlite", "--partition", "2/2"])
      #expect(bad.status == 2 && bad.standardError.contains("partition 2/2 does not exist"), "\(bad.standardError)")
    }
  }
}

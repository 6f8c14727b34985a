import Foundation
import TestSupport
import Testing

/// One command line `dance` must refuse as bad usage (exit 2) before doing anything.
struct RefusedCommandLine: CustomTestStringConvertible, Sendable {
  var arguments: [String]
  /// A fragment the message on standard error must hold.
  var message: String

  var testDescription: String { arguments.joined(separator: " ") }
}

/// `dance slim` arguments up to the option under test; the root need not exist, since options are
/// checked before anything is read.
private func slim(_ options: String...) -> [String] {
  ["slim", "/nonexistent/dataset", "--out", "/nonexistent/out", "--catalog", "/nonexistent/c.sqlite"] + options
}

/// Issue 12, part D: the command line refuses nonsense clearly, with exit code 2.
@Suite struct UsageErrorTests {
  static let refused: [RefusedCommandLine] = [
    // D1: every numeric option's range, from the definitions pipeline files use.
    .init(arguments: slim("--align", "100000"), message: "--align must be a whole number in 1…4096, got 100000"),
    .init(arguments: slim("--align", "0"), message: "--align must be a whole number in 1…4096, got 0"),
    .init(arguments: slim("--png-level", "10"), message: "--png-level must be a whole number in 0…9, got 10"),
    .init(arguments: slim("--jpeg-quality", "0"), message: "--jpeg-quality must be a whole number in 1…100, got 0"),
    .init(arguments: slim("--workers", "0"), message: "--workers must be a whole number in 1…4096, got 0"),
    .init(arguments: slim("--shard-size", "5000"), message: "--shard-size must be a whole number 10240 or more, got 5000"),
    .init(arguments: slim("--policy", "fixed", "--scale", "1.5"), message: "--scale must be a number in (0, 1], got 1.5"),
    .init(arguments: ["scan", "/nonexistent", "--catalog", "/nonexistent/c.sqlite", "--workers", "0"], message: "--workers must be a whole number in 1…4096, got 0"),
    .init(arguments: ["verify", "/nonexistent", "--catalog", "/nonexistent/c.sqlite", "--workers", "5000"], message: "--workers must be a whole number in 1…4096, got 5000"),
    .init(arguments: ["audit", "--catalog", "/nonexistent/c.sqlite", "--json", "--extremes", "1001"], message: "--extremes must be a whole number in 0…1000, got 1001"),
    // D2: parameters of another policy.
    .init(arguments: slim("--budget", "0.3"), message: "--budget applies to --policy budget only (the policy is quantile)"),
    .init(arguments: slim("--policy", "budget", "--drop", "0.2"), message: "--drop applies to --policy quantile only (the policy is budget)"),
    .init(arguments: slim("--policy", "quantile", "--scale", "0.5"), message: "--scale applies to --policy fixed only (the policy is quantile)"),
    .init(arguments: slim("--policy", "none", "--budget", "0.5"), message: "--budget applies to --policy budget only (the policy is none)"),
    // D3: unknown split names.
    .init(arguments: slim("--splits", "bogus"), message: "--splits: unknown split 'bogus' (known: train, val, test)"),
    .init(arguments: slim("--splits", "train,trian"), message: "--splits: unknown split 'trian'"),
    .init(arguments: slim("--splits", ","), message: "--splits must name at least one split"),
    .init(arguments: slim("--scales", "0.5"), message: "--scales applies to the budget policy only"),
    .init(arguments: slim("--policy", "budget", "--scales", "0.5,1.5"), message: "--scales: each value must be a number in (0, 1], got '1.5'"),
    .init(arguments: slim("--weights", "none", "--weight-range", "0.5,1.5"), message: "--weight-range applies to linear weights only"),
    .init(arguments: ["score", "--catalog", "/nonexistent/c.sqlite", "--splits", "vall"], message: "--splits: unknown split 'vall'"),
    // D4: negative numbers are values, refused by range; partitions and shard limits exit 2.
    .init(arguments: slim("--policy", "budget", "--budget", "-0.5"), message: "--budget must be a number in (0, 1], got -0.5"),
    .init(arguments: slim("--drop", "-0.1"), message: "--drop must be a number in [0, 1), got -0.1"),
    .init(arguments: slim("--align", "-8"), message: "--align must be a whole number in 1…4096, got -8"),
    .init(arguments: slim("--workers", "-2"), message: "--workers must be a whole number in 1…4096, got -2"),
    .init(arguments: ["synth", "--format", "camvid", "--out", "/nonexistent/s", "--train", "-1"], message: "--train must be a whole number 0 or more, got -1"),
    .init(arguments: ["train", "/nonexistent/data", "--out", "/nonexistent/run", "--lr", "-0.1"], message: "--lr must be a number above 0, got -0.1"),
    .init(arguments: ["train", "/nonexistent/data", "--out", "/nonexistent/run", "--epochs", "-2"], message: "--epochs must be a whole number 1 or more, got -2"),
    .init(arguments: ["train", "/nonexistent/data", "--out", "/nonexistent/run", "--threads", "0"], message: "--threads must be a whole number in 1…4096, got 0"),
    .init(arguments: ["predict", "/nonexistent/c.safetensors", "/nonexistent/i.png", "--out", "/nonexistent/p", "--opacity", "-0.5"],
          message: "--opacity must be between 0 and 1, got -0.5"),
    .init(arguments: ["eval", "/nonexistent/c.safetensors", "--data", "/nonexistent/d", "--threads", "-1"],
          message: "--threads must be a whole number in 1…4096, got -1"),
    .init(arguments: ["label", "--all", "/nonexistent/d", "--workers", "-3"], message: "--workers must be a whole number in 1…4096, got -3"),
    .init(arguments: ["model", "summary", "--width", "-1"], message: "width multiplier must be in (0, 8], got -1.0"),
    .init(arguments: slim("--partition", "3/2"), message: "partition 3/2 does not exist"),
    .init(arguments: slim("--partition", "0/0"), message: "partition 0/0 does not exist"),
    .init(arguments: slim("--partition", "one/two"), message: "--partition must look like i/N"),
    .init(arguments: slim("--partitions", "0"), message: "--partitions must be a whole number 1 or more, got 0"),
    .init(arguments: slim("--shard-samples", "0"), message: "--shard-samples must be a whole number 1 or more, got 0"),
    .init(arguments: slim("--shard-size", "0"), message: "--shard-size must be a whole number 10240 or more, got 0"),
  ]

  @Test(arguments: refused)
  func refusedWithExitTwo(_ line: RefusedCommandLine) throws {
    let run = try runDance(line.arguments)
    #expect(run.status == 2, "\(run.standardError)")
    #expect(run.standardError.contains(line.message), "\(run.standardError)")
    for internalName in ["maxSamples", "maxBytes", "Missing value", "pixelBudget", "shardMax"] {
      #expect(!run.standardError.contains(internalName), "\(run.standardError)")
    }
  }

  /// D1: the command line and a pipeline file refuse the same value with the same words.
  @Test(arguments: [
    (flag: ["--align", "100000"], key: "align: 100000", requirement: "must be a whole number in 1…4096, got"),
    (flag: ["--shard-size", "100"], key: "shard_size: 100", requirement: "must be a whole number 10240 or more, got"),
    (flag: ["--shard-samples", "0"], key: "shard_samples: 0", requirement: "must be a whole number 1 or more, got"),
    (flag: ["--drop", "1"], key: "drop: 1", requirement: "must be a number in [0, 1), got"),
  ])
  func theCommandLineAndPipelineFilesShareTheRanges(flag: [String], key: String, requirement: String) throws {
    try withTemporaryDirectory { directory in
      let file = directory + "/p.yaml"
      try "version: 1\ncatalog: c.sqlite\ndataset: {root: data}\nslim:\n  out: shards\n  \(key)\n".write(
        toFile: file, atomically: true, encoding: .utf8)
      let fromFile = try runDance(["run", "--check", file])
      let fromFlags = try runDance(slim(flag[0], flag[1]))
      #expect(fromFile.status == 2 && fromFlags.status == 2)
      #expect(fromFile.standardError.contains("'\(key.prefix { $0 != ":" })' \(requirement)"), "\(fromFile.standardError)")
      #expect(fromFlags.standardError.contains("\(flag[0]) \(requirement)"), "\(fromFlags.standardError)")
    }
  }

  /// D1: `--align 1000` on small images once upscaled them ("pixels kept 686.6 %").
  @Test func alignNeverUpscales() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid"
      let synth = try runDance(["synth", "--format", "camvid", "--out", root, "--train", "3", "--val", "1", "--test", "0", "--size", "96x64"])
      #expect(synth.status == 0, "\(synth.standardError)")
      let run = try runDance([
        "slim", root, "--out", directory + "/out", "--catalog", directory + "/c.sqlite", "--policy", "none", "--align", "1000",
        "--json",
      ])
      #expect(run.status == 0, "\(run.standardError)")
      let report = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
      let splits = report?["splits"] as? [[String: Any]] ?? []
      #expect(!splits.isEmpty)
      for split in splits {
        #expect(split["pixel_fraction"] as? Double == 1, "\(split)")
      }
    }
  }
}

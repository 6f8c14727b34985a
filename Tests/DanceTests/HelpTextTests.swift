import Experiment
import Foundation
import Slimming
import TestSupport
import Testing
import Trainer

/// Issue 26, C7: the help says each default once and says it plainly, one range per setting,
/// every exit code; sizes take the usual units wherever a size is asked for.
@Suite struct HelpTextTests {
  static let commands: [[String]] = [
    [], ["synth"], ["inspect"], ["label"], ["scan"], ["complexity"], ["score"], ["audit"], ["slim"], ["run"], ["verify"],
    ["export", "folder"], ["export", "mds"], ["catalog", "merge"], ["catalog", "list"], ["catalog", "forget"], ["catalog", "vacuum"],
    ["model", "summary"], ["train"], ["eval"], ["predict"],
    ["experiment"],
  ]

  /// The help of `command` on one line, runs of white space collapsed.
  static func help(_ command: [String]) throws -> String {
    let run = try runDance(command + ["--help"])
    #expect(run.status == 0, "\(run.standardError)")
    return run.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  @Test(arguments: commands)
  func everyDefaultIsPrintedOnceAndSaysSomething(_ command: [String]) throws {
    let text = try Self.help(command)
    let twice = try Regex(#"\(default: [^)]*\) \(default:"#)
    #expect(text.firstMatch(of: twice) == nil, "\(text)")
    #expect(!text.contains("(default: default)"), "\(text)")
  }

  /// No option says its default twice, even apart (`(default: 3) … (default: 3)`): each option's
  /// text is the lines from its flag to the next.
  @Test(arguments: commands)
  func noOptionSaysItsDefaultTwice(_ command: [String]) throws {
    let run = try runDance(command + ["--help"])
    var options: [String] = []
    for line in run.standardOutput.split(separator: "\n") {
      if line.hasPrefix("  -") { options.append(String(line)) } else if !options.isEmpty { options[options.count - 1] += " " + line }
    }
    for option in options { #expect(option.components(separatedBy: "(default:").count <= 2, "\(option)") }
  }

  /// The defaults train and experiment print are those of their options types, the one definition.
  @Test func trainAndExperimentTakeTheirDefaultsFromTheirOptions() throws {
    let train = try Self.help(["train"]), defaults = TrainingOptions()
    for expected in ["the epochs to extend the run to. (default: \(defaults.epochs))", "Samples per batch, 2 or more samples. (default: \(defaults.batchSize))",
                     "(default: \(defaults.crop))", "(power 0.9) to 0. (default: 0.01)", "SGD momentum, [0, 1). (default: 0.9)",
                     "(default: 0.0001)", "Background threads decoding batches, 1…64 threads. (default: \(defaults.loaderThreads))"] {
      #expect(train.contains(expected), "\(expected)")
    }
    let experiment = try Self.help(["experiment"]), options = ExperimentOptions()
    for expected in ["(default: \(options.epochs), \(ExperimentOptions.quickEpochs) with --quick)", "(default: \(options.seeds))",
                     "(default: 0.5)", "each in (0, 1]. (default: 0.25,0.5,0.75,1)", "(default: 0.4,0.7)", "(default: 0.3)", "(default: 0.5,1.5)"] {
      #expect(experiment.contains(expected), "\(expected)")
    }
    #expect(SlimmingPolicy.defaultBudgetScales == [0.25, 0.5, 0.75, 1] && options.pruneAt == [0.4, 0.7] && options.pruneFraction == 0.3)
  }

  @Test func theTopLevelHelpNamesEveryExitCode() throws {
    let text = try Self.help([])
    for code in ["0 success", "1 the run failed", "2 bad usage or configuration", "3 the run finished", "130 interrupted"] {
      #expect(text.contains(code), "\(text)")
    }
  }

  @Test func synthNamesItsDefaultStyle() throws {
    #expect(try Self.help(["synth"]).contains("classic (the first generator: flat class colours, sub-filtered PNGs). (default: photographic)"))
  }

  @Test func theBudgetHasOneRangeInEveryCommand() throws {
    let slim = try Self.help(["slim"]), experiment = try Self.help(["experiment"])
    #expect(slim.contains("pixels to keep, (0, 1]."), "\(slim)")
    #expect(experiment.contains("fractions of the training pixels kept, each in (0, 1]."), "\(experiment)")
    #expect(experiment.contains("The same as --budgets with one budget, in (0, 1]."), "\(experiment)")
  }

  @Test(arguments: [["verify"], ["audit"], ["catalog", "list"]])
  func readersNeverPromiseToCreateACatalog(_ command: [String]) throws {
    let text = try Self.help(command)
    #expect(!text.contains("created if missing") && text.contains("never created"), "\(text)")
  }

  /// `--shard-size 64MiB` was refused; every size takes the usual units.
  @Test func sizesTakeUnits() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "2", "--val", "1", "--test", "0", "--size", "64x48"]).status == 0)
      let slim = try runDance(["slim", root, "--out", directory + "/out", "--catalog", directory + "/c.sqlite", "--shard-size", "64MiB"])
      #expect(slim.status == 0, "\(slim.standardError)")
      let manifest = try String(contentsOfFile: directory + "/out/manifest.json", encoding: .utf8)
      #expect(manifest.contains(#""shardMaxBytes" : 67108864"#), "\(manifest)")
      let mds = try runDance(["export", "mds", directory + "/out", "--to", directory + "/mds", "--shard-size", "1.5 MiB"])
      #expect(mds.status == 0, "\(mds.standardError)")
      let file = directory + "/p.yaml"
      try "version: 1\ncatalog: c.sqlite\ndataset: {root: camvid}\nslim:\n  out: shards\n  shard_size: 1GiB\n".write(
        toFile: file, atomically: true, encoding: .utf8)
      let check = try runDance(["run", "--check", file])
      #expect(check.status == 0, "\(check.standardError)")
      let tooSmall = try runDance(["slim", root, "--out", directory + "/small", "--catalog", directory + "/c.sqlite", "--shard-size", "4KiB"])
      #expect(tooSmall.status == 2 && tooSmall.standardError.contains("--shard-size must be a whole number 10240 or more, got 4096"),
              "\(tooSmall.standardError)")
    }
  }
}

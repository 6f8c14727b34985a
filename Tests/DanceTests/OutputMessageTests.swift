import Foundation
import TestSupport
import Testing

/// A file name holding a newline and an escape sequence that would turn a terminal red.
private let hostileName = "bad\nname\u{1b}[31m"
/// How `dance` prints ``hostileName``.
private let escapedName = #"bad\nname\u{1b}[31m"#

/// Issue 12, part D: file-system errors in plain words, control characters escaped, and the
/// baselines' default weights.
@Suite struct OutputMessageTests {
  /// Writes a small CamVid dataset and returns its root.
  static func dataset(in directory: String) throws -> String {
    let root = directory + "/camvid"
    let synth = try runDance(["synth", "--format", "camvid", "--out", root, "--train", "4", "--val", "1", "--test", "0", "--size", "64x48"])
    #expect(synth.status == 0, "\(synth.standardError)")
    return root
  }

  /// D5: a path component that is a regular file, not a raw `NSCocoaErrorDomain` dump.
  @Test func fileSystemErrorsArePathAndReason() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let file = directory + "/plain-file"
      try Data("x".utf8).write(to: URL(fileURLWithPath: file))
      let catalog = directory + "/c.sqlite"
      #expect(try runDance(["score", root, "--catalog", catalog]).status == 0)  // audit reads an existing catalog
      let runs = [
        try runDance(["slim", root, "--out", file + "/out", "--catalog", catalog]),
        try runDance(["audit", "--catalog", catalog, "--html", file + "/audit.html"]),
        try runDance(["label", root + "/trainannot/" + (try FileManager.default.contentsOfDirectory(atPath: root + "/trainannot").sorted()[0]),
                      "--format", "camvid", "-o", file + "/label.png"]),
      ]
      for run in runs {
        #expect(run.status == 1, "\(run.standardError)")
        #expect(run.standardError.split(separator: "\n").contains { $0.hasPrefix("dance: \(file)") }, "\(run.standardError)")
        #expect(run.standardError.contains("not a directory") || run.standardError.contains("file exists"), "\(run.standardError)")
        #expect(!run.standardError.contains("Domain"), "\(run.standardError)")
        #expect(!run.standardError.contains("UserInfo"), "\(run.standardError)")
      }
      let yaml = directory + "/p.yaml"
      try "version: 1\ncatalog: plain-file/c.sqlite\ndataset: {root: camvid}\nslim: {out: out}\n".write(
        toFile: yaml, atomically: true, encoding: .utf8)
      let pipeline = try runDance(["run", yaml])
      #expect(pipeline.status == 1)
      #expect(pipeline.standardError.split(separator: "\n").contains { $0.hasPrefix("dance: \(file)") }, "\(pipeline.standardError)")
      #expect(pipeline.standardError.contains("cannot create the directory: "), "\(pipeline.standardError)")
      #expect(!pipeline.standardError.contains("Domain"), "\(pipeline.standardError)")
    }
  }

  /// D6: names with control characters are printed escaped, on standard output and standard error.
  @Test func controlCharactersInNamesAreEscaped() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let image = try FileManager.default.contentsOfDirectory(atPath: root + "/train").sorted()[0]
      let goodCopy = directory + "/" + hostileName + ".png"
      try FileManager.default.copyItem(atPath: root + "/train/" + image, toPath: goodCopy)
      let badFile = directory + "/" + hostileName + "-broken.png"
      try Data("not a png".utf8).write(to: URL(fileURLWithPath: badFile))
      try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/" + hostileName + ".txt"))

      let inspect = try runDance(["inspect", goodCopy, badFile])
      #expect(inspect.status == 1)
      #expect(inspect.standardOutput.contains(directory + "/" + escapedName + ".png"), "\(inspect.standardOutput)")
      #expect(inspect.standardError.contains(directory + "/" + escapedName + "-broken.png"), "\(inspect.standardError)")
      let scan = try runDance(["scan", root, "--catalog", directory + "/c.sqlite"])
      #expect(scan.standardOutput.contains("stray-file: " + escapedName + ".txt"), "\(scan.standardOutput)")
      let missing = try runDance(["scan", directory + "/" + hostileName, "--catalog", directory + "/c.sqlite"])
      #expect(missing.status == 2)
      #expect(missing.standardError.contains(escapedName), "\(missing.standardError)")
      let synth = try runDance(["synth", "--format", "camvid", "--out", directory + "/" + hostileName, "--train", "1", "--val", "1", "--size", "64x48"])
      #expect(synth.status == 0)
      #expect(synth.standardOutput.contains("→ " + directory + "/" + escapedName), "\(synth.standardOutput)")
      let file = directory + "/p.yaml"
      try "version: 1\ncatalog: \"c\\e.sqlite\"\ndataset: {root: camvid}\nslim: {out: out}\n".write(toFile: file, atomically: true, encoding: .utf8)
      let check = try runDance(["run", "--check", file])
      #expect(check.standardOutput.contains(#"c\u{1b}.sqlite"#), "\(check.standardOutput)")
      for run in [inspect, scan, missing, synth, check] {
        for stream in [run.standardOutput, run.standardError] {
          #expect(!stream.contains("\u{1b}"), "\(stream)")
          #expect(!stream.contains("bad\nname"), "\(stream)")
        }
      }
    }
  }

  /// D7: the baselines fixed and none default to `--weights none`; DANCE's policies to linear.
  @Test func baselinesDefaultToNoWeights() throws {
    let help = try runDance(["slim", "--help"])
    let words = help.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(words.contains("Default: linear with quantile and budget; none with the baselines fixed and none"), "\(words)")
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      func trainWeights(_ options: [String]) throws -> [Double] {
        let run = try runDance(
          ["slim", root, "--out", directory + "/out", "--catalog", directory + "/c.sqlite", "--dry-run", "--json"] + options)
        #expect(run.status == 0, "\(run.standardError)")
        let report = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        let splits = report?["splits"] as? [[String: Any]] ?? []
        let weights = splits.first { $0["split"] as? String == "train" }?["weights"] as? [String: Double] ?? [:]
        return ["min", "mean", "max"].compactMap { weights[$0] }
      }
      for baseline in ["fixed", "none"] {
        let weights = try trainWeights(["--policy", baseline])
        #expect(!weights.isEmpty && weights.allSatisfy { $0 == 1 }, "\(baseline): \(weights)")
      }
      #expect(try trainWeights(["--policy", "fixed", "--weights", "linear"]).max() ?? 0 > 1)
      #expect(try trainWeights(["--policy", "quantile"]).max() ?? 0 > 1)
      #expect(try trainWeights(["--policy", "budget"]).max() ?? 0 > 1)
    }
  }
}

/// `--json` outputs use snake_case keys and structured fields (issue 13 point 6).
@Suite struct JSONOutputTests {
  /// Every key of a JSON value, recursively (dictionary keys that are data, like split names, included).
  static func keys(_ value: Any) -> [String] {
    if let object = value as? [String: Any] { return object.keys + object.values.flatMap(keys) }
    if let array = value as? [Any] { return array.flatMap(keys) }
    return []
  }

  @Test func reportsUseSnakeCaseKeysAndStructuredPolicyAndWeights() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "4", "--val", "1", "--test", "0", "--size", "64x48"]).status == 0)
      let catalog = directory + "/c.sqlite"
      let runs = [
        ["scan", root, "--catalog", catalog, "--json"], ["score", root, "--catalog", catalog, "--json"],
        ["slim", root, "--out", directory + "/out", "--catalog", catalog, "--json"],
        ["verify", directory + "/out", "--json"], ["model", "summary", "--json"], ["audit", "--json", "--catalog", catalog],
        ["inspect", root + "/train/" + (try FileManager.default.contentsOfDirectory(atPath: root + "/train").sorted()[0]), "--json"],
      ]
      var slim: [String: Any] = [:]
      for arguments in runs {
        let run = try runDance(arguments)
        #expect(run.status == 0, "\(arguments): \(run.standardError)")
        let value = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))
        let camel = Self.keys(value).filter { $0.contains(where: \.isUppercase) }
        #expect(camel.isEmpty, "\(arguments[0]): \(camel)")
        if arguments[0] == "slim" { slim = value as? [String: Any] ?? [:] }
      }
      let train = (slim["splits"] as? [[String: Any]])?.first { $0["split"] as? String == "train" } ?? [:]
      let policy = train["policy"] as? [String: Any] ?? [:]
      #expect(policy["name"] as? String == "quantile" && policy["drop"] as? Double == 0.1)
      #expect((policy["bands"] as? [[String: Double]])?.first == ["up_to": 0.4, "scale": 0.5])
      let weights = train["weights"] as? [String: Double] ?? [:]
      #expect(Set(weights.keys) == ["min", "mean", "max"] && weights["min"]! <= weights["max"]!)
    }
  }
}

import Foundation
import TestSupport
import Testing

/// Every command that writes keeps the user's files (issue 25, A and D23), as a user runs them:
/// predictions never over an input or a file Dance did not write, label never over its input,
/// experiment never over a user's report, and a destination that is a file is a usage error.
@Suite(.serialized) struct WritingCommandSafetyTests {
  /// A CamVid dataset at `directory/cv` and a one-epoch tiny run on it at `directory/run`.
  static func trained(in directory: String) throws -> (root: String, run: String) {
    let root = directory + "/cv"
    let synth = try runDance(["synth", "--format", "camvid", "--out", root, "--train", "4", "--val", "2", "--test", "0", "--size", "64x48"])
    try #require(synth.status == 0, "\(synth.standardError)")
    let train = try runDance(["train", root, "--out", directory + "/run", "--epochs", "1", "--no-val"] + TrainCommandTests.tiny)
    try #require(train.status == 0, "\(train.standardError)")
    return (root, directory + "/run")
  }

  /// A1 and A7: predictions go to `<key>_prediction.png` inside DIR, never over the dataset (DIR
  /// the dataset's parent is refused) nor over a file Dance did not write; a rerun replaces its own.
  @Test func evalPredictionsNeverReplaceTheDatasetOrAUsersFile() throws {
    try withTemporaryDirectory { directory in
      let (root, run) = try Self.trained(in: directory)
      let dataset = try regularFileContents(under: root)
      let parent = try runDance(["eval", run, "--data", root, "--save-predictions", directory, "--threads", "1"])
      #expect(parent.status == 2 && parent.standardError.contains("contains the input"), "\(parent.standardError)")
      #expect(try regularFileContents(under: root) == dataset)
      let predictions = directory + "/predictions"
      let first = try runDance(["eval", run, "--data", root, "--save-predictions", predictions, "--threads", "1"])
      #expect(first.status == 0, "\(first.standardError)")
      let written = try FileManager.default.subpathsOfDirectory(atPath: predictions).filter { $0.hasSuffix(".png") }.sorted()
      #expect(written.count == 2 && written.allSatisfy { $0.hasPrefix("cv/val/") && $0.hasSuffix("_prediction.png") }, "\(written)")
      #expect(try runDance(["eval", run, "--data", root, "--save-predictions", predictions, "--threads", "1"]).status == 0)
      let users = directory + "/users"
      try FileManager.default.createDirectory(atPath: users + "/cv/val", withIntermediateDirectories: true)
      let victim = users + "/" + written[0]
      try Data("mine".utf8).write(to: URL(fileURLWithPath: victim))
      let refused = try runDance(["eval", run, "--data", root, "--save-predictions", users, "--threads", "1"])
      #expect(refused.status == 2 && refused.standardError.contains("Dance did not write it"), "\(refused.standardError)")
      #expect(try String(contentsOfFile: victim, encoding: .utf8) == "mine")
    }
  }

  /// A2 and A3: an output that is an input, two inputs with one name, a user's file or link where
  /// an output lands: refused with 2 before anything is written.
  @Test func predictRefusesEveryPlanThatWouldReplaceAFile() throws {
    try withTemporaryDirectory { directory in
      let (root, run) = try Self.trained(in: directory)
      let image = root + "/val/" + (try FileManager.default.contentsOfDirectory(atPath: root + "/val")).sorted()[0]
      for target in ["in/a.png", "in/a_overlay.png", "x/k.png", "y/k.png"] {
        try FileManager.default.createDirectory(atPath: (directory + "/" + target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: image, toPath: directory + "/" + target)
      }
      try FileManager.default.createDirectory(atPath: directory + "/users", withIntermediateDirectories: true)
      try Data("mine".utf8).write(to: URL(fileURLWithPath: directory + "/users/k_color.png"))
      try Data("target".utf8).write(to: URL(fileURLWithPath: directory + "/target"))
      try FileManager.default.createDirectory(atPath: directory + "/linked", withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(atPath: directory + "/linked/k_overlay.png", withDestinationPath: directory + "/target")
      let before = try regularFileContents(under: directory)
      let cases: [([String], String, String)] = [
        (["in/a.png", "in/a_overlay.png"], "in", "is the input"),
        (["x/k.png", "y/k.png"], "out", "both"),
        (["x/k.png"], "users", "Dance did not write it"),
        (["x/k.png"], "linked", "symbolic link"),
        (["x/k.png"], "target", "not a directory"),
      ]
      for (images, out, message) in cases {
        let refused = try runDance(["predict", run] + images.map { directory + "/" + $0 } + ["--out", directory + "/" + out, "--threads", "1"])
        #expect(refused.status == 2 && refused.standardError.contains(message), "\(images) → \(out): \(refused.standardError)")
      }
      #expect(try regularFileContents(under: directory) == before)
      let fine = try runDance(["predict", run, directory + "/x/k.png", "--out", directory + "/fine", "--threads", "1"])
      #expect(fine.status == 0, "\(fine.standardError)")
      #expect(try runDance(["predict", run, directory + "/x/k.png", "--out", directory + "/fine", "--threads", "1"]).status == 0)
    }
  }

  /// A5: `dance label FILE -o FILE` and `-o` onto an existing file are refused; the files stay.
  @Test func labelNeverWritesOverItsInputOrAnExistingFile() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/cv"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "1", "--val", "1", "--test", "0", "--size", "64x48"]).status == 0)
      let label = root + "/trainannot/" + (try FileManager.default.contentsOfDirectory(atPath: root + "/trainannot"))[0]
      try Data("mine".utf8).write(to: URL(fileURLWithPath: directory + "/existing.png"))
      let before = try regularFileContents(under: directory)
      for output in [label, directory + "/existing.png", directory + "/./cv/trainannot/../trainannot/" + (label as NSString).lastPathComponent] {
        let refused = try runDance(["label", label, "--format", "camvid", "-o", output])
        #expect(refused.status == 2, "\(output): \(refused.standardError)")
      }
      #expect(try regularFileContents(under: directory) == before)
      #expect(try runDance(["label", label, "--format", "camvid", "-o", directory + "/new.png"]).status == 0)
    }
  }

  /// A8 and D22: a user's experiment.html, the dataset as --out, or a foreign catalog.sqlite there
  /// are refused with 2 before anything is trained or written.
  @Test func experimentChecksItsDirectoryBeforeTheFirstRun() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/cv"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "4", "--val", "2", "--test", "0", "--size", "64x48"]).status == 0)
      try FileManager.default.createDirectory(atPath: directory + "/exp", withIntermediateDirectories: true)
      try Data("<p>my notes</p>".utf8).write(to: URL(fileURLWithPath: directory + "/exp/experiment.html"))
      try FileManager.default.createDirectory(atPath: directory + "/foreign", withIntermediateDirectories: true)
      try Data("not a catalog at all, but sixteen bytes and more".utf8).write(to: URL(fileURLWithPath: directory + "/foreign/catalog.sqlite"))
      let before = try regularFileContents(under: directory)
      let quick = ["--quick", "--epochs", "2", "--width", "0.25", "--crop", "32x16", "--batch", "2", "--threads", "1"]
      for out in ["exp", "cv", "foreign"] {
        let refused = try runDance(["experiment", root, "--out", directory + "/" + out] + quick)
        #expect(refused.status == 2, "\(out): \(refused.standardError)")
        #expect(!refused.standardOutput.contains("training"), "\(out): nothing is trained")
      }
      #expect(try regularFileContents(under: directory) == before)
    }
  }

  /// D23: a destination that is a file or a dangling link is a usage error that says so.
  @Test func aDestinationThatIsAFileIsAUsageError() throws {
    try withTemporaryDirectory { directory in
      let root = try OutputSafetyTests.dataset(in: directory)
      #expect(try OutputSafetyTests.slim(root, out: directory + "/out", catalog: directory + "/c.sqlite").status == 0)
      try Data("mine".utf8).write(to: URL(fileURLWithPath: directory + "/file.png"))
      try FileManager.default.createSymbolicLink(atPath: directory + "/dangling", withDestinationPath: directory + "/nothing")
      let commands: [[String]] = [
        ["export", "folder", directory + "/out", "--to", directory + "/file.png"],
        ["export", "mds", directory + "/out", "--to", directory + "/file.png"],
        ["export", "folder", directory + "/out", "--to", directory + "/dangling"],
        ["train", root, "--out", directory + "/file.png", "--epochs", "1"] + TrainCommandTests.tiny,
      ]
      for command in commands {
        let refused = try runDance(command)
        #expect(refused.status == 2, "\(command): \(refused.standardError)")
        #expect(refused.standardError.contains("not a directory") || refused.standardError.contains("dangling"), "\(refused.standardError)")
      }
      #expect(try String(contentsOfFile: directory + "/file.png", encoding: .utf8) == "mine")
    }
  }
}

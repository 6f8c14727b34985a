import Foundation
import TestSupport
import Testing

/// Issue 26, D9 and D10: progress on every long command, final lines without an ETA, log lines in
/// the order they happened, and plain words.
@Suite(.serialized) struct PlainOutputTests {
  /// Cityscapes' 19 training classes in train-id order.
  static let cityscapesClasses = [
    "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain", "sky",
    "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle",
  ]

  static func run(_ arguments: [String], in directory: String) throws -> DanceRun {
    let run = try runDance(arguments, in: directory)
    #expect(run.status == 0, "\(arguments): \(run.standardError)")
    return run
  }

  /// D9: verify and both exports show progress; off a terminal every stage's last line says how
  /// long it took, not `ETA -`.
  @Test func longCommandsShowProgressAndEndWithTheirDuration() throws {
    try withTemporaryDirectory { directory in
      _ = try Self.run(["synth", "--format", "camvid", "--out", "cv", "--train", "3", "--val", "1", "--test", "0", "--size", "64x48"], in: directory)
      let slim = try Self.run(["slim", "cv", "--out", "out", "--catalog", "c.sqlite", "--shard-samples", "10"], in: directory)
      let verify = try Self.run(["verify", "out"], in: directory)
      let folder = try Self.run(["export", "folder", "out", "--to", "folder"], in: directory)
      let mds = try Self.run(["export", "mds", "out", "--to", "mds"], in: directory)
      for (name, run, line) in [
        ("slim", slim, "scan: 4/4 samples (100%), "), ("slim", slim, "score: 4/4 images (100%), "), ("slim", slim, "slim: 4/4 samples (100%), "),
        ("verify", verify, "verify: 2/2 shards (100%), "), ("export folder", folder, "export folder: 4/4 samples (100%), "),
        ("export mds", mds, "export mds: 4/4 samples (100%), "),
      ] {
        let found = run.standardError.split(separator: "\n").first { $0.hasPrefix(line) }
        #expect(found?.contains(" in ") == true, "\(name): \(run.standardError)")
      }
      for run in [slim, verify, folder, mds] { #expect(!run.standardError.contains("ETA"), "\(run.standardError)") }
      // D10: one of each is one, not "1 shards".
      #expect(verify.standardOutput.contains("2 shards, 4 samples, 12 members checked"), "\(verify.standardOutput)")
      #expect(mds.standardOutput.contains("val: 1 sample in 1 shard "), "\(mds.standardOutput)")
    }
  }

  /// D9: piped, train's `matched head:` lines come before its `finished` line; D10: `1 epoch`, and
  /// eval lists the classes (then Cityscapes' categories) in label-space order, without those it
  /// never saw nor predicted, and names how the network ran over the images.
  @Test func trainLogsInOrderAndEvalListsClassesInLabelSpaceOrder() throws {
    try withTemporaryDirectory { directory in
      _ = try Self.run(["synth", "--format", "cityscapes", "--out", "cs", "--train", "4", "--val", "2", "--size", "64x32"], in: directory)
      let train = try Self.run(
        ["train", "cs", "--out", "run", "--epochs", "1", "--batch", "2", "--crop", "32x16", "--width", "0.25", "--threads", "1", "--matched-head"],
        in: directory)
      let lines = train.standardOutput.split(separator: "\n").map(String.init)
      let head = try #require(lines.firstIndex { $0.hasPrefix("matched head:") }, "\(train.standardOutput)")
      let finished = try #require(lines.firstIndex { $0.hasPrefix("finished:") }, "\(train.standardOutput)")
      #expect(head < finished, "\(train.standardOutput)")
      #expect(lines[finished].hasPrefix("finished: 1 epoch, 2 steps,"), "\(lines[finished])")
      let eval = try Self.run(["eval", "run", "--data", "cs", "--threads", "1"], in: directory)
      let evalLines = eval.standardOutput.split(separator: "\n")
      let rows = evalLines.dropFirst().prefix { !$0.contains("mIoU") && !$0.hasPrefix("category ") }
      let listed = rows.map { row in Self.cityscapesClasses.first { row.hasPrefix($0 + " ") } ?? String(row) }
      #expect(!listed.isEmpty && listed == Self.cityscapesClasses.filter(listed.contains), "\(eval.standardOutput)")
      #expect(!evalLines.contains { $0.hasSuffix(" -") }, "\(eval.standardOutput)")
      #expect(evalLines.contains { $0.hasPrefix("category mIoU ") }, "\(eval.standardOutput)")
      #expect(eval.standardOutput.contains("2 images (whole): mIoU"), "\(eval.standardOutput)")
    }
  }

  /// D10: an identical rerun of slim says the output is complete instead of reprinting the table.
  @Test func anIdenticalRerunSaysTheOutputIsComplete() throws {
    try withTemporaryDirectory { directory in
      _ = try Self.run(["synth", "--format", "camvid", "--out", "cv", "--train", "3", "--val", "1", "--test", "0", "--size", "64x48"], in: directory)
      let first = try Self.run(["slim", "cv", "--out", "out", "--catalog", "c.sqlite"], in: directory)
      #expect(first.standardOutput.contains("copied byte for byte"))
      let again = try Self.run(["slim", "cv", "--out", "out", "--catalog", "c.sqlite"], in: directory)
      #expect(again.standardOutput.contains("already complete (2 shards, written before with this configuration); nothing to do"),
              "\(again.standardOutput)")
      #expect(!again.standardOutput.contains("copied") && !again.standardOutput.contains("split  policy"), "\(again.standardOutput)")
    }
  }

  /// D10: inspect on a file that is not an image prints the error, and no empty table after it.
  @Test func inspectOfANonImagePrintsOnlyTheError() throws {
    try withTemporaryDirectory { directory in
      try Data("not an image".utf8).write(to: URL(fileURLWithPath: directory + "/notes.png"))
      let run = try runDance(["inspect", "notes.png"], in: directory)
      #expect(run.status == 1 && run.standardError.contains("notes.png"))
      #expect(run.standardOutput.isEmpty, "\(run.standardOutput)")
    }
  }
}

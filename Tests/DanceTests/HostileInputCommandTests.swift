import Foundation
import GRDB
import TestSupport
import Testing

/// Bad data, bad settings and read-only catalogs as a user meets them (issue 25, B–D): the run goes
/// on or stops with a clear error and the right exit code, and reading commands write nothing.
@Suite(.serialized) struct HostileInputCommandTests {
  /// A CamVid dataset of `train` training samples at `directory/cv`.
  static func dataset(in directory: String, train: Int = 6) throws -> String {
    let root = directory + "/cv"
    let synth = try runDance(["synth", "--format", "camvid", "--out", root, "--train", "\(train)", "--val", "2", "--test", "0", "--size", "64x48"])
    try #require(synth.status == 0, "\(synth.standardError)")
    return root
  }

  /// B9: one of two samples of the only batch is corrupt: it is reported and skipped, and the run
  /// finishes with 3 instead of aborting in batch norm.
  @Test func aBatchLeftWithOneSampleDoesNotAbortTheRun() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory, train: 2)
      let images = try FileManager.default.contentsOfDirectory(atPath: root + "/train").sorted()
      // Damaged pixel data: the header reads, the decode fails when the batch is loaded.
      var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/train/" + images[0])))
      for offset in (bytes.count / 2)..<(bytes.count / 2 + 16) { bytes[offset] ^= 0x5A }
      try Data(bytes).write(to: URL(fileURLWithPath: root + "/train/" + images[0]))
      let run = try runDance(["train", root, "--out", directory + "/run", "--epochs", "1", "--no-val"] + TrainCommandTests.tiny)
      #expect(run.status == 3, "\(run.standardError)")
      #expect(run.standardError.contains("left out"))
      // A truncated image (its header cannot be read) is left out when the data is opened; the one
      // sample left forms no batch, which is said plainly (no crash).
      let truncated = try Data(contentsOf: URL(fileURLWithPath: root + "/train/" + images[0]))
      try truncated.prefix(truncated.count / 2).write(to: URL(fileURLWithPath: root + "/train/" + images[0]))
      let again = try runDance(["train", root, "--out", directory + "/run2", "--epochs", "1", "--no-val"] + TrainCommandTests.tiny)
      #expect(again.status == 1 && again.standardError.contains("form no batch"), "\(again.standardError)")
    }
  }

  /// B13 and C18: a thread count past the bound is a usage error; a diverging loss stops the run with 1.
  @Test func unboundedThreadsAreRefusedAndADivergingRunFails() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let threads = try runDance(["train", root, "--out", directory + "/threads", "--loader-threads", "100000"] + TrainCommandTests.tiny)
      #expect(threads.status == 2 && threads.standardError.contains("--loader-threads"), "\(threads.standardError)")
      #expect(!FileManager.default.fileExists(atPath: directory + "/threads"))
      let diverged = try runDance(["train", root, "--out", directory + "/nan", "--epochs", "2", "--no-val"] + TrainCommandTests.tiny + ["--lr", "1e30"])
      #expect(diverged.status == 1 && diverged.standardError.contains("diverged"), "\(diverged.standardError)")
      #expect(!FileManager.default.fileExists(atPath: directory + "/nan/last.safetensors"))
    }
  }

  /// C14 and D27: a changed shard and an unfinished output are refused by train, saying why.
  @Test func trainRefusesAChangedShardAndAnUnfinishedOutput() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      #expect(try runDance(["slim", root, "--out", directory + "/out", "--catalog", directory + "/c.sqlite"]).status == 0)
      let shard = directory + "/out/val/val-000000.tar"
      var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: shard)))
      bytes[bytes.count / 2] ^= 0x20
      try Data(bytes).write(to: URL(fileURLWithPath: shard))
      let changed = try runDance(["train", directory + "/out", "--out", directory + "/run", "--epochs", "1"] + TrainCommandTests.tiny)
      #expect(changed.status == 1 && changed.standardError.contains("SHA-256"), "\(changed.standardError)")
      let manifest = directory + "/out/manifest.json"
      let text = try String(contentsOfFile: manifest, encoding: .utf8)
      try text.replacingOccurrences(of: #""complete" : true"#, with: #""complete" : false"#).write(toFile: manifest, atomically: true, encoding: .utf8)
      let unfinished = try runDance(["train", directory + "/out", "--out", directory + "/run2", "--epochs", "1", "--no-val"] + TrainCommandTests.tiny)
      #expect(unfinished.status == 1 && unfinished.standardError.contains("has not finished"), "\(unfinished.standardError)")
    }
  }

  /// D21: score and slim over a dataset with a truncated image and a missing label exit 3 and say
  /// how many samples they left out and why.
  @Test func scoreAndSlimSayWhatTheyLeftOut() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let images = try FileManager.default.contentsOfDirectory(atPath: root + "/train").sorted()
      let bytes = try Data(contentsOf: URL(fileURLWithPath: root + "/train/" + images[0]))
      try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: root + "/train/" + images[0]))
      try FileManager.default.removeItem(atPath: root + "/trainannot/" + images[1])
      for command in [["score", root], ["slim", root, "--out", directory + "/out"]] {
        let run = try runDance(command + ["--catalog", directory + "/c.sqlite"])
        #expect(run.status == 3, "\(command[0]): \(run.standardError)")
        #expect(run.standardError.contains("2 invalid samples were left out"), "\(command[0]): \(run.standardError)")
        #expect(run.standardError.contains("no label file"), "\(command[0]): \(run.standardError)")
      }
    }
  }

  /// D26 and C17: verify, audit and merge only read their catalogs: an older catalog (no
  /// application id yet) keeps its bytes, no -wal/-shm is left, and a merge onto one of its parts
  /// is refused.
  @Test func readingCommandsWriteNoCatalogAndMergeKeepsItsParts() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let catalog = directory + "/cat/c.sqlite"
      #expect(try runDance(["slim", root, "--out", directory + "/out", "--catalog", catalog]).status == 0)
      try DatabaseQueue(path: catalog).write { db in try db.execute(sql: "PRAGMA application_id = 0") }
      let before = try Data(contentsOf: URL(fileURLWithPath: catalog))
      #expect(try runDance(["verify", directory + "/out", "--catalog", catalog]).status == 0)
      #expect(try runDance(["audit", "--catalog", catalog, "--html", directory + "/audit.html"]).status == 0)
      #expect(try Data(contentsOf: URL(fileURLWithPath: catalog)) == before)
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/cat") == ["c.sqlite"])

      let parts = ["0/2", "1/2"].map { directory + "/parts/catalog.part\($0.replacingOccurrences(of: "/", with: "of")).sqlite" }
      for part in ["0/2", "1/2"] {
        #expect(try runDance(["slim", root, "--out", directory + "/parts", "--catalog", catalog, "--partition", part]).status == 0)
      }
      let partBytes = try parts.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
      let onto = try runDance(["catalog", "merge"] + parts + ["-o", parts[0]])
      #expect(onto.status == 2, "\(onto.standardError)")
      // A copy of the output: its parts record the original directory, whose index it must not rewrite.
      try FileManager.default.copyItem(atPath: directory + "/parts", toPath: directory + "/copy")
      let original = try regularFileContents(under: directory + "/parts")
      let copied = try runDance(["catalog", "merge"] + parts.map { $0.replacingOccurrences(of: "/parts/", with: "/copy/") } + ["-o", directory + "/m.sqlite"])
      #expect(copied.status == 2 && copied.standardError.contains("copied or moved"), "\(copied.standardError)")
      #expect(try regularFileContents(under: directory + "/parts") == original)
      let merged = try runDance(["catalog", "merge"] + parts + ["-o", directory + "/merged.sqlite"])
      #expect(merged.status == 0, "\(merged.standardError)")
      #expect(try parts.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == partBytes)
    }
  }
}

import Catalog
import Foundation
import TestSupport
import Testing

/// Issue 26, A: configuration errors exit with 2, and a command that fails on its arguments is
/// refused before it does any work or creates any file.
@Suite struct RequestCheckTests {
  /// The entries of `directory`, sorted.
  static func entries(_ directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
  }

  /// A1, A2: a missing dataset root and an empty catalog are usage errors, and nothing is created
  /// (no default catalog in the working directory).
  @Test(arguments: [
    (["slim", "/nonexistent/dataset", "--out", "o"], "the dataset root is not a directory"),
    (["scan", "/nonexistent/dataset"], "the dataset root is not a directory"),
    (["score", "/nonexistent/dataset"], "the dataset root is not a directory"),
    (["score"], "dance-catalog.sqlite: no such catalog"),
  ])
  func refusedArgumentsExitTwoAndCreateNothing(arguments: [String], message: String) throws {
    try withTemporaryDirectory { directory in
      let run = try runDance(arguments, in: directory)
      #expect(run.status == 2, "\(run.standardError)")
      #expect(run.standardError.contains(message), "\(run.standardError)")
      #expect(Self.entries(directory).isEmpty, "\(Self.entries(directory))")
    }
  }

  /// A1: synth into a non-empty directory is a usage error, and the file there is left alone.
  @Test func synthIntoANonEmptyDirectoryExitsTwo() throws {
    try withTemporaryDirectory { directory in
      try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))
      let run = try runDance(["synth", "--format", "camvid", "--out", directory, "--train", "1", "--val", "1", "--size", "64x48"])
      #expect(run.status == 2, "\(run.standardError)")
      #expect(run.standardError.contains("the output directory is not empty (1 entry)"), "\(run.standardError)")
      #expect(Self.entries(directory) == ["notes.txt"])
    }
  }

  /// A1: slimming into an output written with another configuration exits 2 and names what
  /// differs; A2: the refusal comes before scan and score (the catalog gains no second dataset).
  @Test func anotherConfigurationIsNamedAndRefusedBeforeWork() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid", other = directory + "/other"
      for path in [root, other] {
        #expect(try runDance(["synth", "--format", "camvid", "--out", path, "--train", "3", "--val", "1", "--test", "0", "--size", "64x48"]).status == 0)
      }
      let catalog = directory + "/c.sqlite"
      #expect(try runDance(["slim", root, "--out", directory + "/out", "--catalog", catalog]).status == 0)
      let refused = try runDance(["slim", root, "--out", directory + "/out", "--catalog", catalog, "--policy", "fixed", "--scale", "0.75"])
      #expect(refused.status == 2, "\(refused.standardError)")
      #expect(refused.standardError.contains("was written with another configuration"), "\(refused.standardError)")
      #expect(refused.standardError.contains(#"policy {"quantile":"#) && refused.standardError.contains(#"{"fixed":{"scale":0.75}} given"#),
              "\(refused.standardError)")
      #expect(!refused.standardError.contains("scan:") && !refused.standardError.contains("score:"), "\(refused.standardError)")
      // Another dataset into the same output: refused too (its root is part of the configuration), and never scanned.
      let otherRoot = try runDance(["slim", other, "--out", directory + "/out", "--catalog", catalog])
      #expect(otherRoot.status == 2 && otherRoot.standardError.contains("root "), "\(otherRoot.standardError)")
      #expect(try Catalog(path: catalog, access: .existing).datasets().map(\.root) == [root], "the refused dataset was scanned")
    }
  }

  /// A2: an output inside the dataset is refused before scan and score write the catalog.
  @Test func anOutputInsideTheDatasetIsRefusedBeforeTheCatalogIsWritten() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/ds"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "2", "--val", "1", "--size", "64x48"]).status == 0)
      let run = try runDance(["slim", root, "--out", root + "/inside", "--catalog", directory + "/c.sqlite"])
      #expect(run.status == 2, "\(run.standardError)")
      #expect(run.standardError.contains("lies inside the dataset root"), "\(run.standardError)")
      #expect(!FileManager.default.fileExists(atPath: directory + "/c.sqlite"), "the catalog was created before the refusal")
      #expect(!FileManager.default.fileExists(atPath: root + "/inside"))
    }
  }

  /// Issues 25 (C15) and 26 (A2) together: an unfinished `dance export folder` is refused as a
  /// dataset root with 2, before scan, score or slim create the catalog.
  @Test func anUnfinishedExportIsRefusedBeforeTheCatalogIsCreated() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/export"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "2", "--val", "1", "--test", "0", "--size", "64x48"]).status == 0)
      try Data(#"{"complete": false}"#.utf8).write(to: URL(fileURLWithPath: root + "/.dance-export.json"))
      for command in [["scan", root], ["score", root], ["slim", root, "--out", directory + "/out"]] {
        let run = try runDance(command + ["--catalog", directory + "/c.sqlite"])
        #expect(run.status == 2, "\(command[0]): \(run.standardError)")
        #expect(run.standardError.contains("unfinished dance export folder"), "\(command[0]): \(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/c.sqlite"), "\(command[0]) created the catalog")
      }
      #expect(!FileManager.default.fileExists(atPath: directory + "/out"))
    }
  }
}

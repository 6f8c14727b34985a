import Foundation
import GRDB
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `dance slim` never destroys or mixes data: outputs over datasets and catalogs are refused, one
/// writer per output, `--overwrite` removes only what a manifest lists, resume trusts files over
/// the catalog (issue 12, A1–A3 and C1).
@Suite struct OutputSafetyTests {
  /// A small CamVid dataset at `directory/data`.
  static func dataset(in directory: String) throws -> String {
    let root = directory + "/data"
    let synth = try runDance(["synth", "--format", "camvid", "--out", root, "--train", "6", "--val", "2", "--test", "0", "--size", "64x48"])
    #expect(synth.status == 0)
    return root
  }

  static func slim(_ root: String, out: String, catalog: String, _ extra: [String] = []) throws -> DanceRun {
    try runDance(["slim", root, "--out", out, "--catalog", catalog, "--shard-samples", "2", "--workers", "2"] + extra)
  }


  /// Output directories relative to the test directory that collide with `data` (the dataset)
  /// or with `cat/c.sqlite` (the catalog), each also tried with --overwrite.
  @Test(arguments: ["data", "data/shards", ".", "cat", "link-to-data"])
  func anOutputOverTheDatasetOrTheCatalogIsRefusedWithTwo(output: String) throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      try FileManager.default.createSymbolicLink(atPath: directory + "/link-to-data", withDestinationPath: root)
      try FileManager.default.createDirectory(atPath: directory + "/cat", withIntermediateDirectories: true)
      #expect(try runDance(["scan", root, "--catalog", directory + "/cat/c.sqlite"]).status == 0)
      let before = try regularFileContents(under: root)
      for extra in [[], ["--overwrite"]] {
        let run = try Self.slim(root, out: directory + "/" + output, catalog: directory + "/cat/c.sqlite", extra)
        #expect(run.status == 2, "\(run.standardError)")
        #expect(run.standardError.contains("the output directory"), "\(run.standardError)")
      }
      #expect(try regularFileContents(under: root) == before)
      #expect(FileManager.default.fileExists(atPath: directory + "/cat/c.sqlite"))
      // An output beside the catalog, in its directory, is fine (the layout of `make demo`).
      #expect(try Self.slim(root, out: directory + "/cat/shards", catalog: directory + "/cat/c.sqlite").status == 0)
    }
  }

  @Test func aPipelineFileWritingIntoItsDatasetIsRefusedByCheckAndRun() throws {
    try withTemporaryDirectory { directory in
      let spec = """
        version: 1
        catalog: catalog.sqlite
        dataset: {root: data}
        synth: {format: camvid, train: 2, val: 1, test: 0, size: 64x48}
        slim: {out: data/shards}
        """
      try spec.write(toFile: directory + "/p.yaml", atomically: true, encoding: .utf8)
      for arguments in [["run", directory + "/p.yaml", "--check"], ["run", directory + "/p.yaml"]] {
        let run = try runDance(arguments)
        #expect(run.status == 2 && run.standardError.contains("lies inside the dataset root"), "\(run.standardError)")
      }
      #expect(!FileManager.default.fileExists(atPath: directory + "/data"))  // refused before the synth stage
    }
  }

  @Test func overwriteRemovesOnlyWhatTheManifestLists() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let out = directory + "/out"
      #expect(try Self.slim(root, out: out, catalog: directory + "/c.sqlite").status == 0)
      let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as? [String: Any]
      #expect(manifest?["complete"] as? Bool == true)
      try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/train/notes.txt"))
      let before = try regularFileContents(under: out)
      let refused = try Self.slim(root, out: out, catalog: directory + "/c.sqlite", ["--policy", "fixed", "--scale", "0.5", "--overwrite"])
      #expect(refused.status == 2 && refused.standardError.contains("train/notes.txt"), "\(refused.standardError)")
      #expect(try regularFileContents(under: out) == before)  // nothing removed
      try FileManager.default.removeItem(atPath: out + "/train/notes.txt")
      let replaced = try Self.slim(root, out: out, catalog: directory + "/c.sqlite", ["--policy", "fixed", "--scale", "0.5", "--overwrite"])
      #expect(replaced.status == 0, "\(replaced.standardError)")
      #expect(try runDance(["verify", out, "--catalog", directory + "/c.sqlite"]).status == 0)

      // A directory of someone else's files has no manifest: --overwrite removes nothing.
      let foreign = directory + "/foreign"
      try FileManager.default.createDirectory(atPath: foreign + "/train", withIntermediateDirectories: true)
      try Data("x".utf8).write(to: URL(fileURLWithPath: foreign + "/train/train-000000.tar"))
      let run = try Self.slim(root, out: foreign, catalog: directory + "/c.sqlite", ["--overwrite"])
      #expect(run.status == 2 && run.standardError.contains("not listed"), "\(run.standardError)")
      #expect(try regularFileContents(under: foreign).keys.sorted() == [".dance.lock", "train/train-000000.tar"])
    }
  }

  @Test func aSecondWriterIsRefusedAtOnceNamingTheHolder() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let out = directory + "/out"
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
      // This test process plays the first writer: it holds the output's lock as `dance slim` does.
      let descriptor = open(out + "/.dance.lock", O_RDWR | O_CREAT, 0o644)
      #expect(descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) == 0)
      let start = Date()
      let second = try Self.slim(root, out: out, catalog: directory + "/other.sqlite")
      #expect(second.status == 2, "\(second.standardError)")
      #expect(second.standardError.contains("another dance process (PID \(getpid()))"), "\(second.standardError)")
      #expect(Date().timeIntervalSince(start) < 20)
      #expect(!FileManager.default.fileExists(atPath: out + "/manifest.json"))
      close(descriptor)
      #expect(try Self.slim(root, out: out, catalog: directory + "/other.sqlite").status == 0)
    }
  }

  /// What happens to the output between two runs of the same command.
  enum Damage: String, CaseIterable {
    case deleteTheDirectory, deleteOneShard, flipAByte
  }

  @Test(arguments: Damage.allCases)
  func rerunningRepairsWhatIsMissingOrChangedFromTheFiles(damage: Damage) throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let out = directory + "/out"
      #expect(try Self.slim(root, out: out, catalog: directory + "/c.sqlite").status == 0)
      let intact = try regularFileContents(under: out)
      #expect(intact.keys.contains("train/train-000001.tar"))
      switch damage {
      case .deleteTheDirectory: try FileManager.default.removeItem(atPath: out)
      case .deleteOneShard: try FileManager.default.removeItem(atPath: out + "/train/train-000001.tar")
      case .flipAByte:
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/train/train-000001.tar")))
        bytes[700] ^= 0x20
        try FileManager.default.removeItem(atPath: out + "/train/train-000001.tar")
        try Data(bytes).write(to: URL(fileURLWithPath: out + "/train/train-000001.tar"))
      }
      let rerun = try Self.slim(root, out: out, catalog: directory + "/c.sqlite")
      #expect(rerun.status == 0, "\(rerun.standardError)")
      let expected = switch damage {
      case .deleteTheDirectory: "train/train-000000.tar: missing"
      case .deleteOneShard: "train/train-000001.tar: missing"
      case .flipAByte: "train/train-000001.tar: its SHA-256 differs"
      }
      #expect(rerun.standardOutput.contains("resume: " + expected), "\(rerun.standardOutput)")
      #expect(try regularFileContents(under: out) == intact)
      #expect(try runDance(["verify", out, "--catalog", directory + "/c.sqlite"]).status == 0)
    }
  }

  @Test func verifyWorksFromTheManifestAloneAfterAMoveAndCreatesNoCatalog() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      #expect(try Self.slim(root, out: directory + "/out", catalog: directory + "/c.sqlite").status == 0)
      try FileManager.default.moveItem(atPath: directory + "/out", toPath: directory + "/moved")
      let cwd = directory + "/elsewhere"
      try FileManager.default.createDirectory(atPath: cwd, withIntermediateDirectories: true)
      let verify = try runDance(["verify", directory + "/moved"], in: cwd)
      #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
      #expect(verify.standardOutput.contains("all consistent"))
      #expect(try FileManager.default.contentsOfDirectory(atPath: cwd).isEmpty)

      var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/moved/val/val-000000.tar")))
      bytes[600] ^= 1
      try FileManager.default.removeItem(atPath: directory + "/moved/val/val-000000.tar")
      try Data(bytes).write(to: URL(fileURLWithPath: directory + "/moved/val/val-000000.tar"))
      let broken = try runDance(["verify", directory + "/moved"], in: cwd)
      #expect(broken.status == 1 && broken.standardOutput.contains("val/val-000000.tar: SHA-256 differs"), "\(broken.standardOutput)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: cwd).isEmpty)
    }
  }

  @Test func readOnlyCommandsNeverCreateACatalogAndAForeignDatabaseIsRefused() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let missing = directory + "/none.sqlite"
      #expect(try Self.slim(root, out: directory + "/out", catalog: directory + "/c.sqlite").status == 0)
      for arguments in [["verify", directory + "/out", "--catalog", missing], ["audit", "--json", "--catalog", missing]] {
        let run = try runDance(arguments)
        #expect(run.status == 2 && run.standardError.contains("no such catalog file"), "\(arguments): \(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: missing))
      }
      let foreign = directory + "/other.db"
      try DatabaseQueue(path: foreign).write { db in try db.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY)") }
      for arguments in [["scan", root, "--catalog", foreign], ["slim", root, "--out", directory + "/o2", "--catalog", foreign]] {
        let run = try runDance(arguments)
        #expect(run.status == 2 && run.standardError.contains("not a Dance catalog"), "\(arguments): \(run.standardError)")
      }
      let tables = try DatabaseQueue(path: foreign).read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master") }
      #expect(tables == ["invoices"])
    }
  }
}

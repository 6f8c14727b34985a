import Catalog
import DanceCore
import Foundation
import ImageCodecs
import OutputStore
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The output's guard: the lock, the placement check, the configuration fingerprint and the
/// overwrite rules.
@Suite(.serialized) struct GuardTests {
  @Test func aSecondWriterIsRefusedNamingTheHoldersPID() throws {
    try withTemporaryDirectory { directory in
      let first = try OutputLock(directory: directory + "/out", partition: nil)
      #expect {
        try OutputLock(directory: directory + "/out", partition: nil)
      } throws: { error in
        guard case OutputStoreError.refused(let path, let reason) = error else { return false }
        return path == directory + "/out" && reason.contains("PID \(getpid())") && reason.contains(OutputLock.fileName)
      }
      first.release()
      _ = try OutputLock(directory: directory + "/out", partition: nil)
    }
  }

  @Test func partitionsShareTheOutputButNeitherTheirOwnLockNorTheWholeOne() throws {
    try withTemporaryDirectory { directory in
      let out = directory + "/out"
      let part0 = try OutputLock(directory: out, partition: OutputPartition(index: 0, count: 2))
      let part1 = try OutputLock(directory: out, partition: OutputPartition(index: 1, count: 2))
      #expect(throws: OutputStoreError.self) { try OutputLock(directory: out, partition: OutputPartition(index: 0, count: 2)) }
      #expect(throws: OutputStoreError.self) { try OutputLock(directory: out, partition: nil) }
      part0.release()
      part1.release()
      #expect(OutputLock.isLockFile(".dance.part0of2.lock") && !OutputLock.isLockFile("train/.dance.lock"))
    }
  }

  /// Paths relative to a directory holding the dataset `data/` and the catalog `cat/catalog.sqlite`.
  @Test(arguments: [
    ("data", "is the dataset root"), ("data/out", "inside the dataset root"), (".", "the dataset root"),
    ("cat", "holds the catalog"), ("cat/out", nil), ("elsewhere", nil),
  ] as [(String, String?)])
  func anOutputOverADatasetOrTheCatalogIsRefused(output: String, refusal: String?) throws {
    try withTemporaryDirectory { directory in
      for folder in ["data", "cat"] { try FileManager.default.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true) }
      let check = {
        try OutputPlacement.check(
          output: directory + "/" + output, datasetRoots: [directory + "/data"], catalogPath: directory + "/cat/catalog.sqlite")
      }
      if let refusal {
        #expect {
          try check()
        } throws: { error in
          guard case OutputStoreError.refused(_, let reason) = error else { return false }
          return reason.contains(refusal)
        }
      } else {
        try check()
      }
    }
  }

  @Test func anotherConfigurationIsRefusedNamingWhatDiffersAndNothingIsTouched() throws {
    try OutputFixture.written { fixture in
      let before = try regularFileContents(under: fixture.output)
      #expect {
        try fixture.write(fingerprint: OutputFixture.fingerprint(align: 2))
      } throws: { error in
        guard case OutputStoreError.refused(let path, let reason) = error else { return false }
        return path == fixture.output && reason.contains("align 1 recorded, 2 given") && reason.contains("--overwrite")
      }
      #expect(try regularFileContents(under: fixture.output) == before)
    }
  }

  /// An output deflated by zlib (every output before issue 29) is refused by today's ISA-L default,
  /// naming the output settings that differ and the flags that resume it.
  @Test func aZlibOutputIsRefusedByTheISALDefaultNamingTheFlagsThatResumeIt() throws {
    var recorded = OutputFixture.fingerprint()
    recorded.output.pngDeflater = .zlib
    recorded.output.pngFilter = .sub
    recorded.output.pngLevel = 3
    let refusal = SlimFingerprint.refusal(
      "/out", recorded: try recorded.canonicalJSON(), given: try OutputFixture.fingerprint().canonicalJSON())
    guard case .refused(_, let reason) = refusal else { Issue.record("not a refusal: \(refusal)"); return }
    #expect(reason.contains(#"output.pngDeflater absent recorded, "isal" given"#))
    #expect(reason.contains("output.pngLevel 3 recorded, 2 given"))
    #expect(reason.contains("--png-deflater zlib --png-filter sub --png-level 3 resume it"))
  }

  /// A recorded partition scheme is read back typed: none is the scheme before issue 26, a known
  /// name is itself, and a name this Dance does not know is refused, naming it (never taken for another).
  @Test(arguments: [(nil, PartitionScheme.fnv1aModulo), ("dealt-by-mixed-hash", .dealtByMixedHash), ("fnv1a-modulo", .fnv1aModulo), ("round-robin", nil)] as [(String?, PartitionScheme?)])
  func aRecordedPartitionSchemeIsReadTypedOrRefused(recorded: String?, expected: PartitionScheme?) throws {
    var fingerprint = OutputFixture.fingerprint()
    fingerprint.partitionScheme = recorded
    let configuration = try fingerprint.canonicalJSON()
    if let expected {
      #expect(try SlimFingerprint.partitionScheme(of: configuration, recordedIn: "/out/catalog.sqlite") == expected)
    } else {
      #expect {
        try SlimFingerprint.partitionScheme(of: configuration, recordedIn: "/out/catalog.sqlite")
      } throws: { error in
        guard case OutputStoreError.invalid(let path, let reason) = error else { return false }
        return path == "/out/catalog.sqlite" && reason.contains("'round-robin'")
      }
    }
  }

  @Test func overwriteRefusesWhenAFileIsNotListedAndRemovesNothing() throws {
    try OutputFixture.written { fixture in
      try writeFile(Array("mine".utf8), to: fixture.output + "/train/notes.txt")
      let before = try regularFileContents(under: fixture.output)
      #expect {
        try fixture.write(fingerprint: OutputFixture.fingerprint(align: 2), overwrite: true)
      } throws: { error in
        guard case OutputStoreError.refused(_, let reason) = error else { return false }
        return reason.contains("train/notes.txt") && reason.contains("nothing was removed")
      }
      #expect(try regularFileContents(under: fixture.output) == before)
    }
  }

  @Test func overwriteRemovesOnlyTheListedFiles() throws {
    try OutputFixture.written { fixture in
      try writeFile(Array("mine".utf8), to: fixture.directory + "/beside.txt")
      let listed = Set(try OutputManifest.read(fixture.output + "/manifest.json").ownedFiles)
      let before = try regularFileContents(under: fixture.output)
      #expect(Set(before.keys).subtracting([".dance.lock"]).isSubset(of: listed))
      let plan = try fixture.write(Array(OutputFixture.keys.prefix(1)), fingerprint: OutputFixture.fingerprint(align: 2), overwrite: true)
      #expect(plan.points.isEmpty && plan.repairs.isEmpty)
      let after = try regularFileContents(under: fixture.output)
      #expect(Set(after.keys) == [".dance.lock", "manifest.json", "train/shardindex.json", "train/train-000000.tar", "train/train-000000.idx"])
      #expect(FileManager.default.fileExists(atPath: fixture.directory + "/beside.txt"))
      #expect(try fixture.catalog().shards(output: OutputKey(directory: fixture.output)).count == 1)
    }
  }

  @Test func anOutputWithFilesIsRefusedWithoutOverwrite() throws {
    try withTemporaryDirectory { directory in
      let fixture = OutputFixture(directory: directory)
      try writeFile(Array("mine".utf8), to: fixture.output + "/README")
      #expect {
        try fixture.write()
      } throws: { error in
        guard case OutputStoreError.refused(_, let reason) = error else { return false }
        return reason.contains("already holds files")
      }
      #expect(try regularFileContents(under: fixture.output).keys.sorted() == [".dance.lock", "README"])
    }
  }
}

import DanceCore
import Catalog
import Foundation
import TestSupport
import Testing

/// `dance slim` killed with SIGKILL at different points and rerun gives exactly the output of an
/// uninterrupted run (design.md §4: shards are renamed into place before the catalog records them).
@Suite(.serialized) struct ResumeTests {

  /// The rows that describe an output, without row ids and paths that differ between runs.
  static func rows(catalog: String, output: String) throws -> [String] {
    let catalog = try Catalog(path: catalog)
    var rows: [String] = []
    for shard in try catalog.shards(output: OutputKey(directory: output)) {
      rows.append("shard \(shard.path) \(shard.bytes) \(shard.samples) \(shard.sha256) \(shard.md5)")
      for member in try catalog.members(shardId: shard.id!) {
        rows.append("member \(member.sampleKey) \(member.field) \(member.dataOffset) \(member.size)")
      }
    }
    for plan in try catalog.plans(output: OutputKey(directory: output)) {
      rows.append("plan \(plan.split) \(plan.policy) \(plan.kept) \(plan.pixelFraction)")
      for decision in try catalog.decisions(planId: plan.id!) {
        rows.append("decision \(decision.sampleKey) \(decision.keep) \(decision.scale) \(decision.weight) \(decision.reason)")
      }
    }
    return rows
  }

  static func slim(_ root: String, out: String, catalog: String, fault: String? = nil, extra: [String] = []) throws -> DanceRun {
    try runDance(
      ["slim", root, "--out", out, "--catalog", catalog, "--shard-samples", "3", "--workers", "2"] + extra,
      environment: fault.map { ["DANCE_FAULT": $0] } ?? [:])
  }

  @Test(arguments: ["score:5", "sample:4", "shard-renamed:2", "catalog-write:3", "sample:11"])
  func killedAndResumedEqualsUninterrupted(fault: String) throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "10", "--val", "2", "--test", "2", "--size", "96x72"]).status == 0)
      let reference = try Self.slim(root, out: directory + "/reference", catalog: directory + "/reference.sqlite")
      #expect(reference.status == 0)

      let killed = try Self.slim(root, out: directory + "/out", catalog: directory + "/out.sqlite", fault: fault)
      #expect(killed.status == 9, "the fault \(fault) should kill the run")  // SIGKILL
      let resumed = try Self.slim(root, out: directory + "/out", catalog: directory + "/out.sqlite")
      #expect(resumed.status == 0, "\(resumed.standardError)")

      let expected = try regularFileContents(under: directory + "/reference")
      let actual = try regularFileContents(under: directory + "/out")
      #expect(actual.keys.sorted() == expected.keys.sorted())
      for (path, bytes) in expected { #expect(actual[path] == bytes, "\(path) after \(fault)") }
      let referenceRows = try Self.rows(catalog: directory + "/reference.sqlite", output: directory + "/reference")
      let resumedRows = try Self.rows(catalog: directory + "/out.sqlite", output: directory + "/out")
      #expect(resumedRows == referenceRows)
    }
  }

  @Test func anotherConfigurationIsRefusedUnlessOverwriting() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "6", "--val", "1", "--test", "1", "--size", "64x48"]).status == 0)
      #expect(try Self.slim(root, out: directory + "/out", catalog: directory + "/c.sqlite").status == 0)
      // The same configuration again: nothing left to do, still success.
      #expect(try Self.slim(root, out: directory + "/out", catalog: directory + "/c.sqlite").status == 0)
      let other = try Self.slim(root, out: directory + "/out", catalog: directory + "/c.sqlite", extra: ["--policy", "fixed"])
      #expect(other.status == 2)
      #expect(other.standardError.contains("another configuration"))
      let replaced = try Self.slim(root, out: directory + "/out", catalog: directory + "/c.sqlite", extra: ["--policy", "fixed", "--overwrite"])
      #expect(replaced.status == 0)
    }
  }
}

import Foundation
import OutputStore
import Pipeline
import TestSupport
import Testing

/// Issue 25, C19 and C20: `dance verify` trusts no path a manifest names outside the output, no
/// shard replaced by a link, and no manifest block edited after the run wrote it.
@Suite(.serialized) struct ManifestTrustTests {
  static func editManifest(_ output: String, _ edit: (inout [String: Any]) -> Void) throws {
    let path = output + "/manifest.json"
    var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    edit(&object)
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
  }

  @Test(arguments: ["../../../../etc/passwd", "/etc/passwd", "train/../../outside.tar", "val/val-000000.tar"])
  func aManifestPathOutsideItsSplitFolderIsRefused(path: String) throws {
    try withTemporaryDirectory { directory in
      let slimmed = try ShardVerifierTests.slimmed(in: directory)
      try Self.editManifest(slimmed.output) { object in
        var splits = object["splits"] as! [String: Any], train = splits["train"] as! [String: Any]
        var shards = train["shards"] as! [[String: Any]]
        shards[0]["path"] = path
        train["shards"] = shards
        splits["train"] = train
        object["splits"] = splits
      }
      #expect {
        try ShardVerifier.verify(output: slimmed.output, catalogPath: nil)
      } throws: { error in
        "\(error)".contains(path) && "\(error)".contains("manifest.json")
      }
    }
  }

  @Test func aShardReplacedByALinkToAnIdenticalCopyIsReported() throws {
    try withTemporaryDirectory { directory in
      let slimmed = try ShardVerifierTests.slimmed(in: directory)
      let shard = slimmed.output + "/test/test-000000.tar"
      try FileManager.default.moveItem(atPath: shard, toPath: directory + "/elsewhere.tar")
      try FileManager.default.createSymbolicLink(atPath: shard, withDestinationPath: directory + "/elsewhere.tar")
      let problems = try ShardVerifier.verify(output: slimmed.output, catalogPath: nil).problems
      #expect(problems.contains { $0.path == "test/test-000000.tar" && $0.reason.contains("not a regular file") }, "\(problems)")
    }
  }

  @Test(arguments: ["samples", "root", "configuration"])
  func anEditedDatasetOrConfigurationBlockIsReported(field: String) throws {
    try withTemporaryDirectory { directory in
      let slimmed = try ShardVerifierTests.slimmed(in: directory)
      #expect(try ShardVerifier.verify(output: slimmed.output, catalogPath: nil).problems.isEmpty)
      try Self.editManifest(slimmed.output) { object in
        if field == "configuration" {
          var configuration = object["configuration"] as! [String: Any]
          configuration["align"] = (configuration["align"] as! Int) + 1
          object["configuration"] = configuration
        } else {
          var dataset = object["dataset"] as! [String: Any]
          dataset[field] = field == "samples" ? (dataset["samples"] as! Int) + 1 : "/elsewhere"
          object["dataset"] = dataset
        }
      }
      let problems = try ShardVerifier.verify(output: slimmed.output, catalogPath: nil).problems
      #expect(problems.contains { $0.path == "manifest.json" && $0.reason.contains("edited after the run wrote it") }, "\(problems)")
    }
  }
}

import Foundation
import OutputStore
import Shards
import TestSupport
import Testing

/// `manifest.json`: version 2 stores the configuration as a JSON object, version 1 (a string of
/// JSON) is still read, and both digests cover what they did.
@Suite struct ManifestTests {
  static func manifest(complete: Bool = true) throws -> OutputManifest {
    try OutputManifest(
      partition: nil, complete: complete, configuration: OutputFixture.fingerprint(), dataset: OutputFixture.dataset,
      splits: [
        "train": OutputManifest.Split(
          shardPrefix: "train", index: "shardindex.json",
          shards: [OutputManifest.Shard(path: "train/train-000000.tar", bytes: 10240, sha256: "ab", md5: "cd", samples: 2)])
      ])
  }

  @Test func theConfigurationIsAnObjectAndItsDigestCoversTheCanonicalJSON() throws {
    let manifest = try Self.manifest()
    let canonical = try OutputFixture.fingerprint().canonicalJSON()
    #expect(manifest.version == 2 && manifest.configuration == canonical)
    #expect(manifest.configurationSHA256 == ShardDigest.sha256(Array(canonical.utf8)))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(try manifest.encoded())) as? [String: Any])
    let configuration = try #require(object["configuration"] as? [String: Any])
    #expect(configuration["align"] as? Int == 1 && configuration["root"] as? String == "/data/voc")
    #expect(manifest.inconsistencies.isEmpty)
  }

  @Test func aManifestRoundTripsAndEncodesDeterministically() throws {
    let manifest = try Self.manifest()
    let bytes = try manifest.encoded()
    #expect(bytes == (try Self.manifest().encoded()))
    #expect(bytes.last == 0x0A && !String(decoding: bytes, as: UTF8.self).contains("\\/"))
    let decoded = try JSONDecoder().decode(OutputManifest.self, from: Data(bytes))
    #expect(decoded == manifest)
    #expect(try decoded.encoded() == bytes)
  }

  @Test func aVersion1ManifestIsReadWithItsConfigurationString() throws {
    try withTemporaryDirectory { directory in
      let manifest = try Self.manifest()
      var object = try #require(try JSONSerialization.jsonObject(with: Data(try manifest.encoded())) as? [String: Any])
      object["version"] = 1
      object["configuration"] = manifest.configuration
      try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: directory + "/manifest.json"))
      let read = try OutputManifest.read(directory + "/manifest.json")
      #expect(read.version == 1 && read.configuration == manifest.configuration && read.inconsistencies.isEmpty)
      #expect(read.splits == manifest.splits && read.dataset == manifest.dataset)
      let rewritten = try #require(try JSONSerialization.jsonObject(with: Data(try read.encoded())) as? [String: Any])
      #expect(rewritten["configuration"] as? String == manifest.configuration)
      #expect(try OutputManifest.all(in: directory) == [read])
    }
  }

  @Test func aNewerManifestIsRefused() throws {
    try withTemporaryDirectory { directory in
      var object = try #require(try JSONSerialization.jsonObject(with: Data(try Self.manifest().encoded())) as? [String: Any])
      object["version"] = OutputManifest.currentVersion + 1
      try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: directory + "/manifest.json"))
      #expect {
        try OutputManifest.read(directory + "/manifest.json")
      } throws: { error in
        guard case OutputStoreError.invalid(_, let reason) = error else { return false }
        return reason.contains("newer")
      }
    }
  }

  @Test(arguments: ["../outside.tar", "/etc/passwd", "val/val-000000.tar", "train/../../x.tar", "train/sub/x.tar"])
  func aPathOutsideTheSplitFolderIsRefused(path: String) throws {
    try withTemporaryDirectory { directory in
      var manifest = try Self.manifest()
      manifest.splits["train"]?.shards[0].path = path
      try Data(try manifest.encoded()).write(to: URL(fileURLWithPath: directory + "/manifest.json"))
      #expect {
        try OutputManifest.read(directory + "/manifest.json")
      } throws: { error in
        guard case OutputStoreError.invalid(_, let reason) = error else { return false }
        return reason.contains(path)
      }
    }
  }

  @Test func theFilesAManifestOwnsIncludeTheNextShardAndTemporaryFiles() throws {
    let owned = try Self.manifest().ownedFiles
    #expect(owned.contains("manifest.json") && owned.contains("train/train-000000.idx") && owned.contains("train/train-000001.tar"))
    #expect(owned.contains("train/.train-000001.tar.partial") && owned.contains("train/.shardindex.json.partial"))
    #expect(!owned.contains { $0.hasPrefix("val/") })
  }
}

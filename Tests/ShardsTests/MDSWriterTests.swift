import Foundation
import Shards
import TestSupport
import Testing

/// MDS shards are byte-identical to what MosaicML Streaming's `MDSWriter` writes (formats.md §B2).
@Suite struct MDSWriterTests {
  static func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace })
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
  }

  static let vectorConfig =
    #"{"column_encodings": ["str", "float32"], "column_names": ["key", "weight"], "column_sizes": [null, 4], "compression": null, "format": "mds", "hashes": [], "size_limit": 67108864, "version": 2}"#

  static func writeVector(in directory: String) throws {
    var writer = try MDSWriter(directory: directory, columns: [MDSColumn("weight", "float32"), MDSColumn("key", "str")])
    try writer.write(["key": .string("a"), "weight": .float32(1.0)], key: "a")
    try writer.write(["key": .string("bc"), "weight": .float32(0.5)], key: "bc")
    try writer.finish()
  }

  @Test func theTestVectorOfFormatsMdIsReproducedByteForByte() throws {
    try withTemporaryDirectory { directory in
      try Self.writeVector(in: directory)
      let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/shard.00000.mds")))
      #expect(Self.vectorConfig.utf8.count == 192)
      let expected = Self.hex("02000000 d0000000 d9000000 e3000000") + Array(Self.vectorConfig.utf8)
        + Self.hex("01000000 61 0000803f") + Self.hex("02000000 6263 0000003f")
      #expect(file.count == 227 && file == expected)
      let index = try String(contentsOfFile: directory + "/index.json", encoding: .utf8)
      #expect(index == #"{"shards": [{"column_encodings": ["str", "float32"], "column_names": ["key", "weight"], "column_sizes": [null, 4], "compression": null, "format": "mds", "hashes": [], "raw_data": {"basename": "shard.00000.mds", "bytes": 227, "hashes": {}}, "samples": 2, "size_limit": 67108864, "version": 2, "zip_data": null}], "version": 2}"#)
    }
  }

  @Test func writingTwiceGivesIdenticalBytes() throws {
    try withTemporaryDirectory { directory in
      for name in ["a", "b"] {
        try FileManager.default.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true)
        try Self.writeVector(in: directory + "/" + name)
      }
      #expect(try regularFileContents(under: directory + "/a") == regularFileContents(under: directory + "/b"))
    }
  }

  /// The Python rule: flush before a sample of `L` bytes when `limit < shardSize + L + 4`, the
  /// running size starting at `8 + len(config)`. A one-letter `str` sample is 4 + 1 bytes and adds
  /// 9, so a limit of `8 + len(config) + 18` holds two samples per shard.
  @Test func shardsRollOverAsThePythonWriterDoes() throws {
    try withTemporaryDirectory { directory in
      // The config's length does not depend on the limit's digits here: both limits have three.
      let config = #"{"column_encodings": ["str"], "column_names": ["key"], "column_sizes": [null], "compression": null, "format": "mds", "hashes": [], "size_limit": 100, "version": 2}"#
      let limit = 8 + config.utf8.count + 2 * 9
      #expect((100...999).contains(limit))
      var writer = try MDSWriter(directory: directory, columns: [MDSColumn("key", "str")], sizeLimit: limit)
      for key in ["a", "b", "c", "d", "e"] { try writer.write(["key": .string(key)], key: key) }
      try writer.finish()
      let shards = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".mds") }.sorted()
      #expect(shards == ["shard.00000.mds", "shard.00001.mds", "shard.00002.mds"])
      let counts = try shards.map { name -> UInt32 in
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
        return UInt32(bytes[0]) | UInt32(bytes[1]) << 8
      }
      #expect(counts == [2, 2, 1])
    }
  }

  @Test func aMissingOrMistypedValueIsRefused() throws {
    try withTemporaryDirectory { directory in
      var writer = try MDSWriter(directory: directory, columns: [MDSColumn("key", "str"), MDSColumn("w", "float32")])
      #expect(throws: ShardError.self) { try writer.write(["key": .string("a")], key: "a") }
      #expect(throws: ShardError.self) { try writer.write(["key": .string("a"), "w": .string("x")], key: "a") }
      #expect(throws: ShardError.self) { _ = try MDSWriter(directory: directory, columns: [MDSColumn("x", "pkl")]) }
    }
  }

  /// Issue 25, D24: a limit smaller than a one-sample shard refuses the sample instead of writing
  /// an empty shard and then one over the limit; a limit that fits it exactly is fine.
  @Test func aSampleNoShardCanHoldIsRefusedWithoutWritingAnything() throws {
    try withTemporaryDirectory { directory in
      var writer = try MDSWriter(directory: directory, columns: [MDSColumn("key", "str")], sizeLimit: 1)
      #expect {
        try writer.write(["key": .string("a")], key: "a")
      } throws: { error in
        guard case ShardError.invalidConfiguration(_, let reason) = error else { return false }
        return reason.contains("sample a") && reason.contains("shard size limit of 1 bytes")
      }
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
      let config = #"{"column_encodings": ["str"], "column_names": ["key"], "column_sizes": [null], "compression": null, "format": "mds", "hashes": [], "size_limit": 100, "version": 2}"#
      let exact = 8 + config.utf8.count + 9
      var fitting = try MDSWriter(directory: directory, columns: [MDSColumn("key", "str")], sizeLimit: exact)
      for key in ["a", "b"] { try fitting.write(["key": .string(key)], key: key) }
      try fitting.finish()
      let shards = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".mds") }.sorted()
      #expect(shards == ["shard.00000.mds", "shard.00001.mds"])
      for shard in shards {
        let size = try #require(try FileManager.default.attributesOfItem(atPath: directory + "/" + shard)[.size] as? Int)
        #expect(size == exact)
      }
    }
  }
}

import Foundation
import Shards
import Testing
import TestSupport

@Suite struct ShardWriterTests {
  /// Writes `samples` with `configuration` (directory replaced by `directory`) and returns the
  /// finished shards in callback order.
  static func write(
    _ samples: [ShardSample], to directory: String, maxSamples: Int? = nil, maxBytes: Int? = nil
  ) throws -> [FinishedShard] {
    var finished: [FinishedShard] = []
    let configuration = ShardWriterConfiguration(
      directory: directory, prefix: "train", maxSamples: maxSamples, maxBytes: maxBytes)
    try ShardWriter.withShardWriter(configuration: configuration, onShardFinished: { finished.append($0) }) {
      writer in
      for sample in samples { try writer.write(sample) }
    }
    return finished
  }

  static func directoryListing(_ directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
  }

  @Test func rollsOverBySampleCount() throws {
    try withTemporaryDirectory { directory in
      let samples = (0..<23).map { Fixtures.sample($0) }
      let shards = try Self.write(samples, to: directory, maxSamples: 10)
      #expect(shards.map(\.index) == [0, 1, 2])
      #expect(shards.map(\.sampleCount) == [10, 10, 3])
      #expect(shards.map(\.fileName) == ["train-000000.tar", "train-000001.tar", "train-000002.tar"])
      #expect(try Self.directoryListing(directory) == shards.map(\.fileName), "no .partial file is left")

      var readBack: [ShardSample] = []
      for shard in shards {
        #expect(shard.path == directory + "/" + shard.fileName)
        let reader = try TarReader(path: shard.path)
        #expect(reader.byteCount == shard.byteCount)
        #expect(try reader.sampleLayouts() == shard.samples)
        let bytes = try reader.read(dataOffset: 0, size: reader.byteCount)
        #expect(sha256Hex(bytes) == shard.sha256)
        readBack += try reader.samples()
      }
      #expect(readBack == samples)
    }
  }

  @Test func rollsOverByBytesWithoutSplittingSamples() throws {
    try withTemporaryDirectory { directory in
      // Each sample: png 4000 (4096 + 512), seg.png ≤ 7 (1024), json (1024) = 6656 bytes.
      let samples = (0..<9).map { Fixtures.sample($0, imageSize: 4000) }
      let shards = try Self.write(samples, to: directory, maxBytes: 20480)
      // Two samples + 1024 zeros = 14336 → a 20480-byte file; a third would need 30720.
      #expect(shards.map(\.sampleCount) == [2, 2, 2, 2, 1])
      #expect(shards.map(\.byteCount) == [20480, 20480, 20480, 20480, 10240])
      #expect(shards.flatMap(\.samples).map(\.key) == samples.map(\.key))
    }
  }

  @Test func oversizedSampleGetsAShardOfItsOwn() throws {
    try withTemporaryDirectory { directory in
      let samples = [
        Fixtures.sample(0, imageSize: 1000),
        Fixtures.sample(1, imageSize: 50_000),
        Fixtures.sample(2, imageSize: 1000),
        Fixtures.sample(3, imageSize: 1000),
      ]
      let shards = try Self.write(samples, to: directory, maxBytes: 20480)
      #expect(shards.map { $0.samples.map(\.key) } == [["train/sample_0000"], ["train/sample_0001"], ["train/sample_0002", "train/sample_0003"]])
      #expect(shards[1].byteCount > 20480)
      #expect(shards[0].byteCount == 10240 && shards[2].byteCount == 10240)
    }
  }

  @Test func bothLimitsApply() throws {
    try withTemporaryDirectory { directory in
      let samples = (0..<12).map { Fixtures.sample($0, imageSize: 4000) }
      let shards = try Self.write(samples, to: directory, maxSamples: 2, maxBytes: 30720)
      #expect(shards.map(\.sampleCount) == [2, 2, 2, 2, 2, 2])
      let bySize = try Self.write(samples, to: directory + "/", maxSamples: 5, maxBytes: 30720)
      // Four samples + 1024 zeros = 27648 → 30720 bytes; a fifth would need 40960.
      #expect(bySize.map(\.sampleCount) == [4, 4, 4])
    }
  }

  @Test func sameSamplesGiveByteIdenticalShards() throws {
    try withTemporaryDirectory { directory in
      let samples = (0..<30).map { Fixtures.sample($0, imageSize: 200 + $0 * 91) }
      try FileManager.default.createDirectory(atPath: directory + "/a", withIntermediateDirectories: false)
      try FileManager.default.createDirectory(atPath: directory + "/b", withIntermediateDirectories: false)
      let first = try Self.write(samples, to: directory + "/a", maxSamples: 7)
      let second = try Self.write(samples, to: directory + "/b", maxSamples: 7)
      #expect(first.count == 5)
      #expect(first.map(\.sha256) == second.map(\.sha256))
      #expect(first.map(\.md5) == second.map(\.md5))
      for (a, b) in zip(first, second) {
        #expect(FileManager.default.contents(atPath: a.path) == FileManager.default.contents(atPath: b.path))
        #expect(a.samples == b.samples)
      }
    }
  }

  @Test func resumedRunOverwritesAStalePartialShard() throws {
    try withTemporaryDirectory { directory in
      try writeFile([UInt8](repeating: 0xAB, count: 50_000), to: directory + "/.train-000004.tar.partial")
      var finished: [FinishedShard] = []
      let configuration = ShardWriterConfiguration(directory: directory, prefix: "train", firstShardIndex: 4)
      try ShardWriter.withShardWriter(configuration: configuration, onShardFinished: { finished.append($0) }) {
        writer in
        try writer.write(Fixtures.sample(7))
      }
      let listing = try Self.directoryListing(directory)
      #expect(listing == ["train-000004.tar"])
      #expect(try TarReader(path: directory + "/train-000004.tar").samples() == [Fixtures.sample(7)])
      #expect(finished.map(\.index) == [4])
    }
  }

  @Test func noSamplesWriteNoShard() throws {
    try withTemporaryDirectory { directory in
      let shards = try Self.write([], to: directory, maxSamples: 3)
      let listing = try Self.directoryListing(directory)
      #expect(shards.isEmpty && listing.isEmpty)
    }
  }

  @Test func invalidSampleLeavesTheWriterUsable() throws {
    try withTemporaryDirectory { directory in
      var finished: [FinishedShard] = []
      let writer = try ShardWriter(
        configuration: ShardWriterConfiguration(directory: directory, prefix: "val", firstShardIndex: 41),
        onShardFinished: { finished.append($0) })
      try writer.write(Fixtures.sample(0))
      #expect(throws: ShardError.self) { try writer.write(ShardSample(key: "bad.key", fields: ["png": [1]])) }
      try writer.write(Fixtures.sample(1))
      #expect(try Self.directoryListing(directory) == [".val-000041.tar.partial"])
      let last = try writer.finish()
      #expect(last?.fileName == "val-000041.tar")
      #expect(finished.map(\.sampleCount) == [2])
      #expect(writer.finishedShardCount == 1)
    }
  }

  @Test func abandonedWriterRemovesItsPartialShard() throws {
    try withTemporaryDirectory { directory in
      struct Stop: Error {}
      #expect(throws: Stop.self) {
        try ShardWriter.withShardWriter(configuration: ShardWriterConfiguration(directory: directory, prefix: "p")) {
          writer in
          try writer.write(Fixtures.sample(0))
          throw Stop()
        }
      }
      let listing = try Self.directoryListing(directory)
      #expect(listing.isEmpty)
    }
  }

  @Test func callbackErrorsPropagate() throws {
    try withTemporaryDirectory { directory in
      struct CatalogDown: Error, Equatable {}
      let writer = try ShardWriter(
        configuration: ShardWriterConfiguration(directory: directory, prefix: "p", maxSamples: 1),
        onShardFinished: { _ in throw CatalogDown() })
      #expect(throws: CatalogDown()) { try writer.write(Fixtures.sample(0)) }
      #expect(try Self.directoryListing(directory) == ["p-000000.tar"], "the shard itself is complete")
    }
  }

  @Test(arguments: [
    ShardWriterConfiguration(directory: "/tmp", prefix: ""),
    ShardWriterConfiguration(directory: "/tmp", prefix: "a/b"),
    ShardWriterConfiguration(directory: "/tmp", prefix: ".hidden"),
    ShardWriterConfiguration(directory: "/tmp", prefix: "a", maxSamples: 0),
    ShardWriterConfiguration(directory: "/tmp", prefix: "a", maxBytes: 10239),
    ShardWriterConfiguration(directory: "/tmp", prefix: "a", firstShardIndex: -1),
    ShardWriterConfiguration(directory: "", prefix: "a"),
  ])
  func rejectsConfiguration(_ configuration: ShardWriterConfiguration) {
    #expect(throws: ShardError.self) { try ShardWriter(configuration: configuration) }
  }

  @Test func missingDirectoryIsAnIOErrorOnFirstSample() throws {
    let writer = try ShardWriter(configuration: ShardWriterConfiguration(directory: "/nonexistent/dir", prefix: "a"))
    #expect(
      throws: ShardError.io(path: "/nonexistent/dir/.a-000000.tar.partial", reason: "open failed: No such file or directory")
    ) {
      try writer.write(Fixtures.sample(0))
    }
    #expect(throws: ShardError.self, "later calls rethrow the failure") { try writer.finish() }
  }

  @Test func namesShardsWithSixOrMoreDigits() {
    let configuration = ShardWriterConfiguration(directory: "/out/", prefix: "ade20k-val")
    #expect(configuration.fileName(forShard: 0) == "ade20k-val-000000.tar")
    #expect(configuration.fileName(forShard: 973) == "ade20k-val-000973.tar")
    #expect(configuration.fileName(forShard: 1_234_567) == "ade20k-val-1234567.tar")
    #expect(configuration.path(forShard: 5) == "/out/ade20k-val-000005.tar")
  }
}

import Foundation
import Shards
import Testing
import TestSupport

@Suite struct SidecarTests {
  static let vectorLayout = SampleLayout(
    key: "aachen_000000_000019",
    members: [
      TarMember(name: "aachen_000000_000019.jpg", headerOffset: 0, size: 1000),
      TarMember(name: "aachen_000000_000019.seg.png", headerOffset: 1536, size: 10),
    ])

  @Test func daliIndexOfTheFormatsVector() throws {
    #expect(
      DALIIndex.rendered([Self.vectorLayout])
        == "v1.2 1\njpg 512 1000 aachen_000000_000019.jpg seg.png 2048 10 aachen_000000_000019.seg.png\n")
    #expect(DALIIndex.rendered([]) == "v1.2 0\n")
    #expect(DALIIndex.path(forShard: "/out/train-000003.tar") == "/out/train-000003.idx")
  }

  @Test func daliIndexIsWrittenBesideTheShard() throws {
    try withTemporaryDirectory { directory in
      var shards: [FinishedShard] = []
      let configuration = ShardWriterConfiguration(directory: directory, prefix: "train", maxSamples: 2)
      try ShardWriter.withShardWriter(configuration: configuration, onShardFinished: { shards.append($0) }) {
        writer in
        for index in 0..<3 { try writer.write(Fixtures.sample(index)) }
      }
      for shard in shards { try DALIIndex.write(for: shard) }
      let listing = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
      #expect(listing == ["train-000000.idx", "train-000000.tar", "train-000001.idx", "train-000001.tar"])
      let text = try String(contentsOfFile: directory + "/train-000001.idx", encoding: .utf8)
      #expect(text == "v1.2 1\njson 512 12 train/sample_0002.json png 1536 700 train/sample_0002.png seg.png 3072 3 train/sample_0002.seg.png\n")
    }
  }

  @Test func shardIndexJSONAsWidsindexWritesIt() {
    let index = ShardIndexJSON(
      name: "cityscapes-train",
      shards: [
        .init(url: "train-000001.tar", sampleCount: 3, byteCount: 20480, md5: "bb"),
        .init(url: "train-000000.tar", sampleCount: 512, byteCount: 123_456_789, md5: "aa"),
      ])
    let expected = """
      {
        "__kind__": "wids-shard-index-v1",
        "name": "cityscapes-train",
        "shardlist": [
          {
            "filesize": 123456789,
            "md5sum": "aa",
            "nsamples": 512,
            "url": "train-000000.tar"
          },
          {
            "filesize": 20480,
            "md5sum": "bb",
            "nsamples": 3,
            "url": "train-000001.tar"
          }
        ],
        "wids_version": 1
      }
      """
    #expect(index.rendered() == expected)
  }

  @Test func shardIndexJSONWithoutShardsOrMD5() {
    #expect(
      ShardIndexJSON(name: "x", shards: []).rendered()
        == "{\n  \"__kind__\": \"wids-shard-index-v1\",\n  \"name\": \"x\",\n  \"shardlist\": [],\n  \"wids_version\": 1\n}")
    let entry = ShardIndexJSON(name: "x", shards: [.init(url: "a.tar", sampleCount: 1, byteCount: 10240)]).rendered()
    #expect(!entry.contains("md5sum"))
  }

  @Test func shardIndexJSONFromFinishedShardsIsWrittenAtomically() throws {
    try withTemporaryDirectory { directory in
      let shard = FinishedShard(
        index: 0, fileName: "a-000000.tar", path: directory + "/a-000000.tar", byteCount: 10240,
        sha256: String(repeating: "0", count: 64), md5: "fd5589ea52ee344efbd9a7c7036af0cd",
        samples: [Self.vectorLayout])
      let path = directory + "/" + ShardIndexJSON.defaultFileName
      try ShardIndexJSON(name: "a", finishedShards: [shard]).write(to: path)
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["shardindex.json"])
      let text = try String(contentsOfFile: path, encoding: .utf8)
      #expect(text.contains("\"md5sum\": \"fd5589ea52ee344efbd9a7c7036af0cd\",\n      \"nsamples\": 1,"))
    }
  }

  @Test func unwritableSidecarIsAnIOError() {
    #expect(throws: ShardError.self) {
      try ShardIndexJSON(name: "a", shards: []).write(to: "/nonexistent/shardindex.json")
    }
  }
}

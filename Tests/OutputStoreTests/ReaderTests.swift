import Catalog
import DanceCore
import Datasets
import Foundation
import OutputStore
import Shards
import TestSupport
import Testing

/// The reader every consumer goes through, the sample members and their metadata, and `dance
/// verify` over an output the writer made.
@Suite(.serialized) struct ReaderTests {
  @Test func theReaderListsTheShardsAndReadsTheirSamples() throws {
    try OutputFixture.written { fixture in
      let reader = try OutputReader(fixture.output)
      try reader.requireFinishedManifest()
      #expect(reader.splits.map(\.name) == ["train"] && reader.sampleCount == 5)
      #expect(reader.labelSpace?.id == "voc2012-21")
      let shards = try #require(reader.splits.first?.shards)
      #expect(try shards.flatMap { try reader.samples(of: $0) }.map(\.key) == OutputFixture.keys)
      #expect(reader.recordedShards(split: "train").keys.sorted() == shards.map { fixture.output + "/" + $0.path })
      let index = try #require(try reader.shardIndex(split: "train"))
      #expect(index.shards.map(\.url).sorted() == ["train-000000.tar", "train-000001.tar", "train-000002.tar"])
      #expect(index.shards.map(\.sampleCount).reduce(0, +) == 5)
      #expect(try reader.shardIndex(split: "val") == nil)
      #expect(OutputReader.isOutput(fixture.output) && OutputReader.isSplitFolder(fixture.output + "/train"))
    }
  }

  @Test func aChangedShardIsRefusedBeforeItIsRead() throws {
    try OutputFixture.written { fixture in
      try OutputFixture.flipByte(in: fixture.output + "/train/train-000001.tar")
      let reader = try OutputReader(fixture.output)
      let shard = try #require(reader.splits.first?.shards[1])
      #expect {
        try reader.samples(of: shard)
      } throws: { error in
        guard case OutputStoreError.invalid(let path, let reason) = error else { return false }
        return path.hasSuffix("train/train-000001.tar") && reason.contains("differs from the manifest")
      }
    }
  }

  @Test func anUnfinishedOutputIsRefused() throws {
    try OutputFixture.written { fixture in
      try fixture.editManifest { $0.complete = false }
      #expect {
        try OutputReader(fixture.output).requireFinished()
      } throws: { error in
        guard case OutputStoreError.invalid(let path, let reason) = error else { return false }
        return path.hasSuffix("manifest.json") && reason.contains("has not finished")
      }
    }
  }

  @Test func aDirectoryWithoutAManifestIsNotAnOutput() throws {
    try withTemporaryDirectory { directory in
      let reader = try OutputReader(directory)
      #expect(reader.manifests.isEmpty)
      #expect {
        try reader.requireFinishedManifest()
      } throws: { error in
        (error as? OutputStoreError)?.isUsageError == true && "\(error)".contains("no manifest.json")
      }
    }
  }

  @Test(arguments: ["../elsewhere.tar", "/etc/passwd", "sub/../../x.tar"])
  func anIndexEntryLeavingTheSplitFolderIsRefused(url: String) throws {
    try OutputFixture.written { fixture in
      let path = fixture.output + "/train/" + ShardIndexJSON.defaultFileName
      try ShardIndexJSON(name: "train", shards: [.init(url: url, sampleCount: 1, byteCount: 10240)]).write(to: path)
      #expect {
        try OutputReader(fixture.output).shardIndex(split: "train")
      } throws: { error in
        guard case OutputStoreError.invalid(_, let reason) = error else { return false }
        return reason.contains(url)
      }
      try writeFile(Array("{\"shardlist\": [{\"url\": \"a.tar\"}]}".utf8), to: path)
      #expect(throws: OutputStoreError.self) { try OutputReader(fixture.output).shardIndex(split: "train") }
    }
  }

  @Test func sampleMetadataRoundTripsThroughItsMember() throws {
    let sample = try OutputFixture.sample("s2")
    let metadata = try OutputReader.metadata(sample, shard: "x.tar")
    #expect(metadata.key == "s2" && metadata.size == [4, 3] && metadata.scores == ["spatial_information": 2])
    let bytes = try metadata.encoded()
    #expect(try SampleMetadata(member: bytes) == metadata && bytes == sample[.metadata])
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.contains("\"label_space\":\"voc2012-21\"") && text.contains("\"image\":\"JPEGImages/s2.jpg\""))
    #expect(throws: OutputStoreError.self) { try OutputReader.metadata(ShardSample(key: "s2", fields: [:]), shard: "x.tar") }
  }

  @Test(arguments: [(SampleMember.png, "png"), (.jpg, "jpg"), (.label, "seg.png"), (.metadata, "json")])
  func sampleMembersAreNamedAsWebDatasetFields(member: SampleMember, field: String) throws {
    #expect(member.rawValue == field)
    let sample = ShardSample(key: "k", fields: [field: [1]])
    #expect(sample[member] == [1])
    #expect(sample.image?.member == (member.imageCodec == nil ? nil : member))
  }

  @Test func verifyFindsAWriterOutputConsistentAndAChangedShardNot() throws {
    try OutputFixture.written { fixture in
      let clean = try ShardVerifier.verify(output: fixture.output, catalogPath: fixture.catalogPath)
      #expect(clean.problems.isEmpty && clean.shards == 3 && clean.samples == 5 && clean.members == 15, "\(clean.problems)")
      try OutputFixture.flipByte(in: fixture.output + "/train/train-000002.tar")
      let problems = try ShardVerifier.verify(output: fixture.output, catalogPath: nil).problems
      #expect(problems.contains { $0.path == "train/train-000002.tar" && $0.reason.contains("SHA-256") }, "\(problems)")
    }
  }

  /// One way a `json` member can disagree with its sample, and what verify then says.
  enum MetadataEdit: String, CaseIterable, Sendable {
    case key, split, size, weight, scale

    func apply(_ m: inout SampleMetadata) {
      switch self {
      case .key: m.key = "s9"
      case .split: m.split = "val"
      case .size: m.size = [8, 6]
      case .weight: m.weight = 0
      case .scale: m.scale = 1.5
      }
    }

    var reason: String {
      switch self {
      case .key: "names sample s9"
      case .split: "says split val, the shard is in train"
      case .size: "gives size [8, 6], the image is 4×3"
      case .weight: "gives loss weight 0.0, not a positive number"
      case .scale: "gives scale 1.5, not in (0, 1]"
      }
    }
  }

  /// Shards that match their records but whose `json` member disagrees with its sample: each
  /// disagreement is reported, naming the member, and nothing else is.
  @Test(arguments: MetadataEdit.allCases)
  func verifyFindsMetadataThatDisagreesWithItsSample(_ edit: MetadataEdit) throws {
    try withTemporaryDirectory { directory in
      let fixture = OutputFixture(directory: directory)
      try fixture.write { key, metadata in if key == "s2" { edit.apply(&metadata) } }
      let problems = try ShardVerifier.verify(output: fixture.output, catalogPath: fixture.catalogPath).problems
      #expect(problems == [VerifyReport.Problem(path: "train/train-000001.tar", reason: "member s2.json " + edit.reason)])
    }
  }

  /// A `json` member that is JSON but not Dance's metadata is named with what it lacks; one that is
  /// not JSON at all, as such.
  @Test(arguments: [
    (#"{"key": "s0"}"#, #"member s0.json is not Dance's sample metadata (no "dataset")"#),
    (#"{"key": "#, "member s0.json is not valid JSON"),
  ])
  func verifyNamesWhatTheMetadataLacks(_ json: String, _ reason: String) throws {
    try withTemporaryDirectory { directory in
      let fixture = OutputFixture(directory: directory)
      let writer = try OutputWriter(directory: fixture.output, partition: nil)
      defer { writer.close() }
      _ = try writer.resumePlan(configuration: OutputFixture.fingerprint(), dataset: OutputFixture.dataset, overwrite: false, catalog: try fixture.catalog())
      try writer.begin(splits: [.train])
      let shards = try ShardWriter(configuration: try writer.openSplit(.train, maxSamples: 2, maxBytes: nil)) { try writer.add($0, split: .train) }
      var sample = try OutputFixture.sample("s0")
      sample.fields[SampleMember.metadata.rawValue] = Array(json.utf8)
      try shards.write(sample)
      _ = try shards.finish()
      try writer.finish(splits: [.train])
      let problems = try ShardVerifier.verify(output: fixture.output, catalogPath: nil).problems
      #expect(problems.map(\.reason) == [reason], "\(problems)")
    }
  }
}

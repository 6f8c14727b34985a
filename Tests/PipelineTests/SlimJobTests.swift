import Catalog
import Complexity
import DanceCore
import Datasets
import Foundation
import ImageCodecs
import OutputStore
import Pipeline
import Runner
import Shards
import Slimming
import Synthetic
import TestSupport
import Testing

@Suite(.serialized) struct SlimJobTests {
  static func dataset(_ format: DatasetFormat = .cityscapes, in directory: String, train: Int = 12, val: Int = 3) throws -> String {
    let root = directory + "/data"
    if !FileManager.default.fileExists(atPath: root) {
      _ = try SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
        format: format, outputDirectory: root, trainCount: train, valCount: val, seed: 13)).write()
    }
    return root
  }

  static func slim(
    _ root: String, in directory: String, name: String = "out", catalog: String = "c.sqlite", policy: SlimPolicyName = .quantile,
    parameter: Double? = nil, workers: Int = 2, codec: SlimOutputOptions.Codec = .auto, shardSamples: Int? = 4, dryRun: Bool = false
  ) throws -> SlimReport {
    var options = SlimOptions()
    options.policy = policy
    switch policy {
    case .quantile: options.drop = parameter
    case .budget: options.budget = parameter
    case .fixed: options.scale = parameter
    case .none: break
    }
    options.output.imageCodec = codec
    options.shardSamples = shardSamples
    options.dryRun = dryRun
    return try PipelineRunner.slim(
      root: root, catalogPath: directory + "/" + catalog, outputDirectory: directory + "/" + name, options: options,
      context: StageContext(workers: workers, progress: .silent))
  }


  @Test func oneAndTwoWorkersGiveByteIdenticalShardsAndCatalogRows() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      _ = try Self.slim(root, in: directory, name: "one", catalog: "one.sqlite", workers: 1)
      _ = try Self.slim(root, in: directory, name: "two", catalog: "two.sqlite", workers: 2)
      let one = try regularFileContents(under: directory + "/one")
      let two = try regularFileContents(under: directory + "/two")
      #expect(!one.isEmpty && one.keys.sorted() == two.keys.sorted())
      for (path, bytes) in one where !path.hasSuffix("shardindex.json") { #expect(two[path] == bytes, "\(path)") }
      let a = try Catalog(path: directory + "/one.sqlite")
      let b = try Catalog(path: directory + "/two.sqlite")
      let shardsA = try a.shards(output: OutputKey(directory: directory + "/one")).map { [$0.path, $0.sha256, "\($0.bytes)", "\($0.samples)"] }
      let shardsB = try b.shards(output: OutputKey(directory: directory + "/two")).map { [$0.path, $0.sha256, "\($0.bytes)", "\($0.samples)"] }
      #expect(shardsA == shardsB)
      let plansA = try a.plans(output: OutputKey(directory: directory + "/one"))
      let plansB = try b.plans(output: OutputKey(directory: directory + "/two"))
      #expect(plansA.map(\.policy) == plansB.map(\.policy))
      for (planA, planB) in zip(plansA, plansB) {
        #expect(try a.decisions(planId: planA.id!).map(\.reason) == b.decisions(planId: planB.id!).map(\.reason))
        #expect(try a.decisions(planId: planA.id!).map(\.weight) == b.decisions(planId: planB.id!).map(\.weight))
      }
    }
  }

  @Test func shardsHoldExactlyTheKeptSamplesAsPlanned() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let report = try Self.slim(root, in: directory)
      let catalog = try Catalog(path: directory + "/c.sqlite")
      let train = try #require(try catalog.plans(output: OutputKey(directory: directory + "/out")).first { $0.split == .train })
      let decisions = try catalog.decisions(planId: train.id!)
      #expect(decisions.count == 12 && decisions.filter { !$0.keep }.count == 1)  // floor(0.1 · 12) = 1 dropped
      var seen: [String: DecisionRecord] = [:]
      for shard in try catalog.shards(output: OutputKey(directory: directory + "/out")) where shard.split == .train {
        let reader = try TarReader(path: directory + "/out/" + shard.path)
        for sample in try reader.samples() {
          let decision = try #require(decisions.first { $0.sampleKey.rawValue == sample.key })
          seen[sample.key] = decision
          #expect(sample.fields.keys.sorted() == ["json", "png", "seg.png"])
          let image = try ImageDecoder().decode(try #require(sample[.png]), source: sample.key)
          #expect(image.image.width == decision.outputWidth && image.image.height == decision.outputHeight)
          guard case .uint8(let labels) = try ImageDecoder().decodeLabel(try #require(sample[.label]), source: sample.key).image else {
            Issue.record("labels are 8-bit")
            continue
          }
          #expect(labels.channels == 1 && labels.width == decision.outputWidth)
          #expect(labels.samples.allSatisfy { $0 < 19 || $0 == 255 })
          let jsonBytes = try #require(sample[.metadata])
          let json = try #require(try JSONSerialization.jsonObject(with: Data(jsonBytes)) as? [String: Any])
          // Foundation's JSON parser on Linux may be off in the last bit; Python's reads the value exactly
          // (Tests/interop checks equality there).
          #expect(abs((json["weight"] as? Double ?? -1) - decision.weight) <= 1e-12)
          #expect(json["label_space"] as? String == "cityscapes-trainid-19")
          #expect((json["scores"] as? [String: Double])?["si-mean"] != nil)
        }
        // Random access through the catalog's member offsets gives the same bytes.
        for member in try catalog.members(shardId: shard.id!) {
          let bytes = try reader.read(dataOffset: member.dataOffset, size: member.size)
          let sample = try reader.samples().first { $0.key == member.sampleKey.rawValue }
          #expect(sample?.fields[member.field] == bytes)
        }
      }
      #expect(Set(seen.keys) == Set(decisions.filter(\.keep).map(\.sampleKey.rawValue)))
      #expect(report.splits.map(\.split) == ["train", "val"])
      #expect(report.splits[1].pixelFraction == 1)
    }
  }

  @Test func unscaledSamplesAreCopiedByteForByte() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let report = try Self.slim(root, in: directory, policy: .none, shardSamples: nil)
      #expect(report.copiedImages == 15)
      let catalog = try Catalog(path: directory + "/c.sqlite")
      let sample = try #require(try catalog.samples().first)
      let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + sample.imagePath)))
      let shard = try #require(try catalog.shards(output: OutputKey(directory: directory + "/out")).first { $0.split == sample.split })
      let member = try #require(try catalog.members(shardId: shard.id!).first { $0.sampleKey == sample.key && $0.field == "png" })
      #expect(try TarReader(path: directory + "/out/" + shard.path).read(dataOffset: member.dataOffset, size: member.size) == original)
    }
  }

  @Test func sidecarsDescribeTheShards() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      _ = try Self.slim(root, in: directory, codec: .jpg)
      let indexBytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/out/train/shardindex.json"))
      let index = try #require(try JSONSerialization.jsonObject(with: indexBytes) as? [String: Any])
      let shardlist = try #require(index["shardlist"] as? [[String: Any]])
      #expect(shardlist.map { $0["nsamples"] as? Int ?? 0 }.reduce(0, +) == 11)
      let idx = try String(contentsOfFile: directory + "/out/train/train-000000.idx", encoding: .utf8)
      #expect(idx.hasPrefix("v1.2 4\n"))
      #expect(idx.contains("jpg 512 "))
    }
  }

  @Test func anExistingOutputIsRefusedAndADryRunWritesNothing() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      let dry = try Self.slim(root, in: directory, policy: .budget, parameter: 0.4, dryRun: true)
      #expect(dry.dryRun && dry.splits[0].pixelFraction <= 0.4 && dry.splits[0].lambda != nil)
      #expect(!FileManager.default.fileExists(atPath: directory + "/out"))
      let first = try Self.slim(root, in: directory)
      // The same configuration again resumes a finished output: nothing to write, the same shards.
      let again = try Self.slim(root, in: directory)
      #expect(again.splits.map(\.shards) == first.splits.map(\.shards) && again.copiedImages == 0, "\(again.repairs)")
      #expect(throws: PipelineError.self) { try Self.slim(root, in: directory, policy: .fixed, parameter: 0.5) }
    }
  }

  @Test(arguments: [SlimPolicyName.quantile, .budget])
  func shardBytesDoNotDependOnWhichScoresTheCatalogHasCached(policy: SlimPolicyName) throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory)
      _ = try Self.slim(root, in: directory, name: "plain", catalog: "plain.sqlite", policy: policy)
      _ = try PipelineRunner.score(
        root: root, catalogPath: directory + "/all.sqlite", options: ScoreOptions(indicators: Indicator.allCases),
        context: StageContext(progress: .silent))
      _ = try Self.slim(root, in: directory, name: "all", catalog: "all.sqlite", policy: policy)
      let plain = try regularFileContents(under: directory + "/plain").filter { $0.key.hasSuffix(".tar") }
      let all = try regularFileContents(under: directory + "/all").filter { $0.key.hasSuffix(".tar") }
      #expect(!plain.isEmpty && plain == all)
      let reader = try TarReader(path: directory + "/plain/train/train-000000.tar")
      let sample = try #require(try reader.samples().first)
      let metadata = try JSONDecoder().decode(SampleMetadata.self, from: Data(try #require(sample[.metadata])))
      let expected: Set<String> = if policy == .budget {
        ["si-mean", "fidelity@0.75", "fidelity@0.5", "fidelity@0.25"]
      } else {
        ["si-mean"]
      }
      #expect(Set(metadata.scores.keys) == expected)
    }
  }
}

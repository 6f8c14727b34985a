import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Shards
import TestSupport
import Testing
@testable import Trainer

/// Seeded hostile shards (issue 25, the `make fuzz`-style shard cases): a valid slimmed output
/// whose training shard is mutated (bits flipped, truncated, or a sample's `json` member given
/// hostile numbers and the archive rewritten consistently), read by the trainer without a manifest
/// (so the parser, not the checksum, meets every case). Each case is opened, planned and every
/// sample loaded: refused with a ``TrainerError`` naming a path, or read; never a crash or a hang.
/// `make test` runs 150 cases; `DANCE_FUZZ_CASES` and `DANCE_FUZZ_SEED` choose others.
@Suite(.serialized) struct HostileShardTests {
  static let totalCases = ProcessInfo.processInfo.environment["DANCE_FUZZ_CASES"].flatMap(Int.init).map { max(1, $0 / 100) } ?? 150
  static let seed = ProcessInfo.processInfo.environment["DANCE_FUZZ_SEED"].flatMap(UInt64.init) ?? 12
  static let hostileNumbers = ["0", "-1", "1e300", "-1e300", "1e-300", "65536", "4611686018427387904", "2147483648", "0.0", "255", "256"]

  /// A mutated copy of `valid` (a tar archive) and what was done.
  static func mutate(_ valid: [UInt8], using generator: inout SplitMix) throws -> (bytes: [UInt8], description: String) {
    switch generator.below(3) {
    case 0:
      var bytes = valid
      let offset = generator.below(bytes.count)
      bytes[offset] ^= 1 << UInt8(generator.below(8))
      return (bytes, "bit flipped at \(offset)")
    case 1:
      let length = generator.below(valid.count)
      return (Array(valid.prefix(length)), "truncated to \(length) bytes")
    default:
      var samples = try TarReader(bytes: valid).samples()
      let index = generator.below(samples.count)
      let json = String(decoding: samples[index].fields["json"] ?? [], as: UTF8.self)
      let numbers = json.matches(of: /-?[0-9][0-9.eE+-]*/)
      guard !numbers.isEmpty else { return (valid, "unchanged") }
      let match = numbers[generator.below(numbers.count)]
      let value = hostileNumbers[generator.below(hostileNumbers.count)]
      var text = json
      text.replaceSubrange(match.range, with: value)
      samples[index].fields["json"] = Array(text.utf8)
      let writer = try TarWriter()
      for sample in samples { _ = try writer.append(sample) }
      _ = try writer.finish()
      return (writer.bytes, "sample \(samples[index].key): json number \(match.output) → \(value)")
    }
  }

  @Test func seededMutationsOfAShardAreRefusedOrReadNeverACrash() throws {
    try withTemporaryDirectory { directory in
      let (output, _) = try Fixtures.slimmed(try Fixtures.dataset(in: directory, train: 6, val: 1), in: directory, shardSamples: 100)
      try FileManager.default.removeItem(atPath: output + "/manifest.json")
      let shardName = try #require(try FileManager.default.contentsOfDirectory(atPath: output + "/train").first { $0.hasSuffix(".tar") })
      let shard = output + "/train/" + shardName
      let valid = [UInt8](try Data(contentsOf: URL(fileURLWithPath: shard)))
      let decoder = ImageDecoder()
      var generator = SplitMix(seed: Self.seed)
      var outcomes = (refused: 0, read: 0)
      for index in 0..<Self.totalCases {
        let (bytes, description) = try Self.mutate(valid, using: &generator)
        try Data(bytes).write(to: URL(fileURLWithPath: shard))
        let count = (try? TarReader(bytes: bytes).sampleLayouts().count) ?? 0
        try ShardIndexJSON(name: "train", shards: [.init(url: shardName, sampleCount: count, byteCount: bytes.count)])
          .write(to: output + "/train/shardindex.json")
        do {
          let data = try TrainingData.open(output, split: .train)
          for plan in EpochPlan.batches(for: data.entries, batchSize: 2, crop: PixelSize(width: 32, height: 16), seed: 1, epoch: 0) {
            for item in plan.items { _ = try? data.load(item.sample, decoder: decoder) }
          }
          outcomes.read += 1
        } catch let error as TrainerError {
          outcomes.refused += 1
          #expect(!error.path.isEmpty && !error.reason.isEmpty, "case \(index): \(description): \(error)")
        }
      }
      #expect(outcomes.refused > 0 && outcomes.read > 0, "\(outcomes)")
    }
  }
}

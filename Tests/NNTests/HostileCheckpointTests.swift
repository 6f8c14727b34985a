import DanceCore
import Foundation
import NN
import Tensors
import TestSupport
import Testing

/// Hostile checkpoints (issue 25, B10–B11): a shape whose size overflows, metadata that would build
/// a network the tensors do not carry, and a seeded mutation run over a valid checkpoint's header
/// and data. Every case is refused with a ``CheckpointError`` naming the file, or loads a network
/// whose tensors are exactly the file's: no crash, no hang, no allocation the file does not justify.
/// `make test` runs 400 cases; `DANCE_FUZZ_CASES` and `DANCE_FUZZ_SEED` choose others.
@Suite struct HostileCheckpointTests {
  static let small = DeepLabConfiguration(classes: 3, widthMultiplier: 0.125, outputStride: 8, asppRates: [2, 3])

  static var validBytes: [UInt8] {
    var generator = SplitMix(seed: 1)
    let model = DeepLab(small, generator: &generator)
    return model.checkpoint(metadata: model.configurationMetadata).serialized()
  }

  /// The header JSON and the data of a serialized file.
  static func split(_ bytes: [UInt8]) -> (header: String, data: [UInt8]) {
    let length = Int(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
    return (String(decoding: bytes[8..<(8 + length)], as: UTF8.self), Array(bytes[(8 + length)...]))
  }

  @Test func aShapeWhoseSizeOverflowsIsRefused() {
    let huge = 1 << 31
    let header = #"{"x":{"dtype":"F32","shape":[\#(huge),\#(huge),1,1],"data_offsets":[0,4]}}"#
    #expect(throws: CheckpointError.self) {
      try SafetensorsFile(bytes: CheckpointTests.handBuilt(header: header, data: [0, 0, 0, 0]), path: "huge.safetensors")
    }
    let negative = #"{"x":{"dtype":"F32","shape":[-1,-4],"data_offsets":[0,16]}}"#
    #expect(throws: CheckpointError.self) {
      try SafetensorsFile(bytes: CheckpointTests.handBuilt(header: negative, data: [UInt8](repeating: 0, count: 16)), path: "n.safetensors")
    }
  }

  @Test(arguments: [#""classes":1e9"#, #""classes":5000000"#, #""classes":300"#, #""width_multiplier":8"#, #""input_channels":16"#])
  func metadataTheTensorsDoNotCarryIsRefusedBeforeBuilding(replacement: String) throws {
    let (header, data) = Self.split(Self.validBytes)
    var file = try SafetensorsFile(bytes: CheckpointTests.handBuilt(header: header, data: data), path: "m")
    let key = DeepLab.configurationKey
    let original = try #require(file.metadata[key])
    let name = String(replacement.split(separator: ":")[0])
    let pattern = try Regex(name + #":[-0-9.e]+"#)
    file.metadata[key] = original.replacing(pattern, with: replacement)
    #expect(file.metadata[key] != original)
    let clock = ContinuousClock(), start = clock.now
    #expect(throws: CheckpointError.self) { try DeepLab.load(file, path: "m.safetensors") }
    #expect(clock.now - start < .seconds(5), "refused before a network of that size is built")
  }

  static let totalCases = ProcessInfo.processInfo.environment["DANCE_FUZZ_CASES"].flatMap(Int.init).map { max(1, $0 / 50) } ?? 400
  static let seed = ProcessInfo.processInfo.environment["DANCE_FUZZ_SEED"].flatMap(UInt64.init) ?? 12

  /// Numbers a hostile header may hold where a shape, an offset or a configuration value stands.
  static let hostileNumbers = ["0", "-1", "1", "7", "255", "256", "65536", "2147483648", "4611686018427387904", "1e9", "1e30", "-1e30", "0.5"]

  /// One mutation of a valid checkpoint: a number of the header or the metadata replaced, a bit
  /// flipped (header or data), or the file truncated.
  static func mutate(_ valid: [UInt8], using generator: inout SplitMix) -> (bytes: [UInt8], description: String) {
    let (header, data) = split(valid)
    switch generator.below(4) {
    case 0, 1:
      // Replace the n-th number of the header (shapes, offsets, configuration values).
      let numbers = header.matches(of: /-?[0-9][0-9.e+-]*/)
      let match = numbers[generator.below(numbers.count)]
      let value = hostileNumbers[generator.below(hostileNumbers.count)]
      var text = header
      text.replaceSubrange(match.range, with: value)
      return (CheckpointTests.handBuilt(header: text, data: data), "number \(match.output) at \(header.distance(from: header.startIndex, to: match.range.lowerBound)) → \(value)")
    case 2:
      var bytes = valid
      let offset = generator.below(bytes.count)
      bytes[offset] ^= 1 << UInt8(generator.below(8))
      return (bytes, "bit flipped at \(offset)")
    default:
      let length = generator.below(valid.count)
      return (Array(valid.prefix(length)), "truncated to \(length) bytes")
    }
  }

  @Test func seededMutationsOfACheckpointAreRefusedOrLoadExactly() {
    let valid = Self.validBytes
    var generator = SplitMix(seed: Self.seed)
    var refused = 0
    for index in 0..<Self.totalCases {
      let (bytes, description) = Self.mutate(valid, using: &generator)
      do {
        let file = try SafetensorsFile(bytes: bytes, path: "case.safetensors")
        let model = try DeepLab.load(file, path: "case.safetensors")
        // Loaded: every tensor of the network is the file's, shape for shape.
        for entry in model.state {
          if case .float(let tensor) = entry.get() {
            #expect(file.entries[entry.name]?.shape == tensor.shape, "case \(index): \(description): \(entry.name)")
          }
        }
      } catch {
        refused += 1
        #expect(error.description.hasPrefix("case.safetensors: "), "case \(index): \(description): \(error)")
      }
    }
    #expect(refused > Self.totalCases / 2, "most mutations break the file")
  }
}

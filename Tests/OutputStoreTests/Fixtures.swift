import Catalog
import DanceCore
import Foundation
import ImageCodecs
import OutputStore
import Shards
import Slimming
import TestSupport

/// A small slimmed output written through ``OutputWriter`` alone (no pipeline): VOC samples of
/// 4×3 pixels, two per shard, in `DIR/out`, with the catalog at `DIR/catalog.sqlite`.
struct OutputFixture {
  /// The temporary directory holding the output and the catalog.
  var directory: String
  /// The output directory.
  var output: String { directory + "/out" }
  /// The catalog's path, beside the output.
  var catalogPath: String { directory + "/catalog.sqlite" }

  /// The configuration the fixture writes with; `align` changes it.
  static func fingerprint(align: Int = 1) -> SlimFingerprint {
    SlimFingerprint(
      root: "/data/voc", policy: .fixed(scale: 0.5), indicator: "spatial_information@v1", weights: .none, slimmedSplits: [.train],
      align: align, output: SlimOutputOptions(), shardMaxBytes: nil, shardMaxSamples: 2, randomAssignmentSeed: nil, planning: nil,
      partitionScheme: nil)
  }

  /// The dataset block of the fixture's manifest.
  static let dataset = OutputManifest.Dataset(
    name: "voc", root: "/data/voc", format: "voc", labelSpace: "voc2012-21", samples: 5, samplesSHA256: String(repeating: "0", count: 64))

  /// The keys of the fixture's train samples: three shards (two, two, one).
  static let keys = ["s0", "s1", "s2", "s3", "s4"]

  /// One sample: a PNG image, its label map and metadata, which `edit` may change first.
  static func sample(_ key: String, editing edit: (inout SampleMetadata) -> Void = { _ in }) throws -> ShardSample {
    let index = keys.firstIndex(of: key) ?? 0
    let image = Image8(width: 4, height: 3, channels: 3, samples: (0..<36).map { UInt8(($0 * 7 + index * 13) % 256) })
    let label = Image8(width: 4, height: 3, channels: 1, samples: (0..<12).map { UInt8(($0 + index) % 21) })
    var metadata = SampleMetadata(
      key: key, dataset: "voc", split: "train", image: "JPEGImages/\(key).jpg", label: "SegmentationClass/\(key).png",
      labelSpace: "voc2012-21", ignoreIndex: 255, originalSize: [8, 6], size: [4, 3], scale: 0.5, weight: 1, rank: Double(index) / 4,
      scores: ["spatial_information": Double(index)])
    edit(&metadata)
    return ShardSample(
      key: key,
      fields: [
        SampleMember.png.rawValue: try PNGEncoder().encode(image), SampleMember.label.rawValue: try PNGEncoder().encode(label),
        SampleMember.metadata.rawValue: try metadata.encoded(),
      ])
  }

  /// Opens the catalog (creating it).
  func catalog() throws -> Catalog { try Catalog(path: catalogPath) }

  /// Writes (or resumes, or overwrites) the output through the writer: open → resume plan →
  /// begin → a shard writer on the split → add each shard → finish.
  /// - Returns: what the resume plan found.
  @discardableResult
  func write(
    _ keys: [String] = OutputFixture.keys, fingerprint: SlimFingerprint = fingerprint(), overwrite: Bool = false,
    editing edit: (String, inout SampleMetadata) -> Void = { _, _ in }
  ) throws -> ResumePlan {
    let writer = try OutputWriter(directory: output, partition: nil)
    defer { writer.close() }
    let plan = try writer.resumePlan(configuration: fingerprint, dataset: Self.dataset, overwrite: overwrite, catalog: try catalog())
    try writer.begin(splits: [.train])
    let shards = try ShardWriter(configuration: try writer.openSplit(.train, maxSamples: 2, maxBytes: nil)) { shard in
      try writer.add(shard, split: .train)
    }
    for key in keys where !plan.isDone(SampleKey(rawValue: key), split: .train) { try shards.write(try Self.sample(key) { edit(key, &$0) }) }
    _ = try shards.finish()
    try writer.finish(splits: [.train])
    return plan
  }

  /// Runs `body` with a fixture whose output is written.
  static func written<Result>(_ body: (OutputFixture) throws -> Result) throws -> Result {
    try withTemporaryDirectory { directory in
      let fixture = OutputFixture(directory: directory)
      try fixture.write()
      return try body(fixture)
    }
  }

  /// Flips one byte in the middle of the file at `path` (a shard changed after it was written).
  static func flipByte(in path: String) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[bytes.count / 2] ^= 0x20
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  /// Rewrites the manifest at `output` with `edit` applied (as Dance writes manifests).
  func editManifest(_ edit: (inout OutputManifest) -> Void) throws {
    var manifest = try OutputManifest.read(output + "/manifest.json")
    edit(&manifest)
    try Data(try manifest.encoded()).write(to: URL(fileURLWithPath: output + "/manifest.json"))
  }
}

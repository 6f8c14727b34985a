import Shards

/// Test fixtures whose bytes encode their identity, so order and offsets can be checked by arithmetic.
enum Fixtures {
  /// The formats.md §B1 test vector: one sample, a 1000-byte `jpg` and a 10-byte `seg.png`.
  static let vectorSample = ShardSample(
    key: "aachen_000000_000019",
    fields: ["jpg": (0..<1000).map { UInt8($0 % 256) }, "seg.png": Array("0123456789".utf8)]
  )

  /// Sample `index`: key `sample_<index>`, fields `png` (`imageSize` bytes all equal to
  /// `index % 256`), `seg.png` (`index % 7 + 1` bytes) and `json`.
  static func sample(_ index: Int, imageSize: Int = 700) -> ShardSample {
    let name = "sample_" + String(repeating: "0", count: max(0, 4 - String(index).count)) + String(index)
    return ShardSample(
      key: "train/" + name,
      fields: [
        "png": [UInt8](repeating: UInt8(index % 256), count: imageSize),
        "seg.png": [UInt8](repeating: UInt8((index * 3) % 256), count: index % 7 + 1),
        "json": Array("{\"index\": \(index)}".utf8),
      ]
    )
  }

  /// An in-memory archive of `samples` with owner `bigdata`, as the WebDataset reference writer.
  static func archive(_ samples: [ShardSample], owner: String = "bigdata") throws -> [UInt8] {
    let writer = try TarWriter(userName: owner, groupName: owner)
    for sample in samples { try writer.append(sample) }
    try writer.finish()
    return writer.bytes
  }

  /// The ASCII text of `bytes[range]`.
  static func text(_ bytes: [UInt8], _ range: Range<Int>) -> String {
    String(decoding: bytes[range], as: UTF8.self)
  }
}

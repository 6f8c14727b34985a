import Foundation

/// The `json` member (``SampleMember/metadata``) of every sample Dance writes: where it came from, how it was stored, its weight.
///
/// Keys are snake_case; `size` and `original_size` are `[width, height]` in pixels; `scale` is the
/// stored size over the original; `weight` the DANCE loss weight; `rank` the percentile rank of the
/// ranking indicator; `scores` the indicator values by id; `ignore_index` the train id of ignored pixels.
///
/// `scores` holds a fixed set that depends only on the slim configuration: the ranking indicator,
/// plus `fidelity@0.75`, `fidelity@0.5` and `fidelity@0.25` under the budget policy (the fidelities it solves with). Other
/// scores the catalog may have cached are never embedded, so a shard's bytes do not depend on
/// which `dance score` runs came before.
public struct SampleMetadata: Codable, Sendable, Equatable {
  /// The sample key (equal to the members' key).
  public var key: String
  /// The source dataset's format, e.g. `cityscapes`.
  public var dataset: String
  /// The source split.
  public var split: String
  /// The source image, relative to the dataset root.
  public var image: String
  /// The source label file, relative to the dataset root.
  public var label: String
  /// The label space of `seg.png`, e.g. `cityscapes-trainid-19`.
  public var labelSpace: String
  /// The ignore value of `seg.png`.
  public var ignoreIndex: Int
  /// `[width, height]` of the source image.
  public var originalSize: [Int]
  /// `[width, height]` as stored.
  public var size: [Int]
  /// Stored size over original size.
  public var scale: Double
  /// The loss weight.
  public var weight: Double
  /// The percentile rank by the ranking indicator.
  public var rank: Double
  /// Indicator values by id: the ranking indicator, plus the fidelities under the budget policy.
  public var scores: [String: Double]

  /// Creates the metadata of one sample.
  public init(key: String, dataset: String, split: String, image: String, label: String, labelSpace: String, ignoreIndex: Int,
              originalSize: [Int], size: [Int], scale: Double, weight: Double, rank: Double, scores: [String: Double]) {
    self.key = key
    self.dataset = dataset
    self.split = split
    self.image = image
    self.label = label
    self.labelSpace = labelSpace
    self.ignoreIndex = ignoreIndex
    self.originalSize = originalSize
    self.size = size
    self.scale = scale
    self.weight = weight
    self.rank = rank
    self.scores = scores
  }

  enum CodingKeys: String, CodingKey {
    case key, dataset, split, image, label, scale, weight, rank, scores, size
    case labelSpace = "label_space"
    case ignoreIndex = "ignore_index"
    case originalSize = "original_size"
  }
}

extension SampleMetadata {
  /// Reads the `json` member of a sample.
  /// - Throws: `DecodingError` when it is not the metadata Dance writes.
  public init(member bytes: [UInt8]) throws {
    self = try JSONDecoder().decode(Self.self, from: Data(bytes))
  }

  /// The `json` member's bytes: keys sorted, slashes unescaped, so equal metadata gives equal bytes.
  /// - Throws: `EncodingError` for a value JSON cannot hold (a non-finite weight or score).
  public func encoded() throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array(try encoder.encode(self))
  }
}

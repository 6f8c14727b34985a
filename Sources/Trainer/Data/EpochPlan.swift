import DanceCore
import NN

/// A crop or input size in pixels, written `WxH` on the command line.
public struct PixelSize: Codable, Sendable, Equatable, CustomStringConvertible {
  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int

  /// Creates a size; both sides must be positive.
  public init(width: Int, height: Int) {
    precondition(width > 0 && height > 0, "sizes must be positive")
    self.width = width
    self.height = height
  }

  /// Parses `WxH` (e.g. `512x256`); nil unless both sides are positive integers.
  public init?(parsing text: String) {
    let parts = text.lowercased().split(separator: "x")
    guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0 else { return nil }
    self.init(width: width, height: height)
  }

  /// `WxH`.
  public var description: String { "\(width)x\(height)" }
}

/// One sample of a planned batch: which sample, where its crop starts and whether it is mirrored.
public struct PlannedItem: Sendable, Equatable {
  /// The sample's index in ``TrainingData/entries``.
  public var sample: Int
  /// The crop's left edge in the stored image.
  public var x: Int
  /// The crop's top edge in the stored image.
  public var y: Int
  /// Whether image and labels are flipped horizontally.
  public var flip: Bool
}

/// One batch of an epoch: samples of one stored scale, cropped to one size.
public struct PlannedBatch: Sendable, Equatable {
  /// The position of the batch in its epoch.
  public var index: Int
  /// The stored scale shared by every sample of the batch.
  public var scale: Double
  /// The crop width: `round(scale × base width)`, at most the widest sample of the batch.
  public var cropWidth: Int
  /// The crop height: `round(scale × base height)`, at most the tallest sample of the batch.
  public var cropHeight: Int
  /// The samples, in batch order.
  public var items: [PlannedItem]
}

/// The batches of one epoch: a pure function of the entries, the options, the seed and the epoch.
///
/// Samples are grouped by stored scale (a slimmed sample stored at 0.5 is cropped at 0.5 × the base
/// crop, so it really costs a quarter of the FLOPs). Each bucket is shuffled and cut into batches of
/// `batchSize` (the last one of a bucket may be smaller or one larger, so every sample is seen once per epoch), the
/// batches are shuffled across buckets, and every crop position and flip is drawn from the same
/// seeded generator. A last batch of one sample joins the batch before it (batch norm needs two),
/// and a sample alone at its stored scale is left out (see ``unbatchable(_:batchSize:)``). Nothing
/// depends on threads or time, so an epoch is reproduced exactly from
/// `(seed, epoch)`, which is what lets a run resume mid-epoch.
public enum EpochPlan {
  /// Plans epoch `epoch` (0-based).
  public static func batches(
    for entries: [SampleEntry], batchSize: Int, crop: PixelSize, seed: UInt64, epoch: Int
  ) -> [PlannedBatch] {
    precondition(batchSize >= 1, "batch size must be at least 1")
    var generator = SplitMix(seed: SplitMix.derive(seed, 0xE90C, UInt64(epoch)))
    var groups: [[Int]] = []
    for var members in buckets(entries) {
      shuffle(&members, using: &generator)
      groups += chunks(members, batchSize: batchSize)
    }
    shuffle(&groups, using: &generator)
    return groups.enumerated().map { position, group in
      let scale = entries[group[0]].scale
      let widest = group.map { entries[$0].width }.max()!, tallest = group.map { entries[$0].height }.max()!
      let cropWidth = min(widest, max(1, Int((Double(crop.width) * scale).rounded())))
      let cropHeight = min(tallest, max(1, Int((Double(crop.height) * scale).rounded())))
      let items = group.map { sample in
        let entry = entries[sample]
        let x = generator.below(max(0, entry.width - cropWidth) + 1)
        let y = generator.below(max(0, entry.height - cropHeight) + 1)
        return PlannedItem(sample: sample, x: x, y: y, flip: generator.next() & 1 == 1)
      }
      return PlannedBatch(index: position, scale: scale, cropWidth: cropWidth, cropHeight: cropHeight, items: items)
    }
  }

  /// The number of batches of every epoch (the plan's shape does not depend on the epoch).
  public static func batchCount(for entries: [SampleEntry], batchSize: Int) -> Int {
    buckets(entries).reduce(0) { $0 + chunks($1, batchSize: batchSize).count }
  }

  /// The samples no batch holds: those alone at their stored scale (when `batchSize > 1`).
  public static func unbatchable(_ entries: [SampleEntry], batchSize: Int) -> [Int] {
    guard batchSize > 1 else { return [] }
    return buckets(entries).filter { $0.count == 1 }.flatMap { $0 }.sorted()
  }

  /// Consecutive batches of `batchSize`. Batch norm needs two samples, so with `batchSize > 1` a last
  /// batch of one joins the batch before it, and a bucket of one sample gives no batch.
  static func chunks(_ members: [Int], batchSize: Int) -> [[Int]] {
    var result = stride(from: 0, to: members.count, by: batchSize).map { Array(members[$0..<min($0 + batchSize, members.count)]) }
    if batchSize > 1, let last = result.last, last.count == 1 {
      result.removeLast()
      if !result.isEmpty { result[result.count - 1] += last }
    }
    return result
  }

  /// The sample indices of each stored scale, in ascending scale order; scales equal to 1e-6 share
  /// a bucket.
  static func buckets(_ entries: [SampleEntry]) -> [[Int]] {
    var buckets: [Int: [Int]] = [:]
    for (index, entry) in entries.enumerated() { buckets[Int((entry.scale * 1_000_000).rounded()), default: []].append(index) }
    return buckets.keys.sorted().map { buckets[$0]! }
  }

  /// Fisher–Yates with the given generator (the standard library's shuffle may change its algorithm).
  static func shuffle<Element>(_ values: inout [Element], using generator: inout SplitMix) {
    guard values.count > 1 else { return }
    for index in stride(from: values.count - 1, to: 0, by: -1) {
      values.swapAt(index, generator.below(index + 1))
    }
  }
}

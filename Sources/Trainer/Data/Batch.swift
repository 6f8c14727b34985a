public import Tensors
import ImageCodecs

/// How 8-bit RGB becomes network input: `(value / 255 − mean) / std` per channel.
public struct InputNormalization: Codable, Sendable, Equatable {
  /// The per-channel mean on the [0, 1] scale, R, G, B.
  public var mean: [Float]
  /// The per-channel standard deviation on the [0, 1] scale.
  public var std: [Float]

  /// The ImageNet statistics torchvision's pretrained models use: mean (0.485, 0.456, 0.406),
  /// std (0.229, 0.224, 0.225).
  public static let imagenet = InputNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

  /// Creates a normalization from three means and three standard deviations.
  public init(mean: [Float], std: [Float]) {
    precondition(Self.problem(mean: mean, std: std) == nil, "three finite means and three finite, positive deviations")
    self.mean = mean
    self.std = std
  }

  /// Why `mean` and `std` cannot normalize RGB input, or nil: three finite means and three
  /// finite, positive deviations are needed.
  public static func problem(mean: [Float], std: [Float]) -> String? {
    guard mean.count == 3, std.count == 3 else { return "needs 3 means and 3 standard deviations, got \(mean.count) and \(std.count)" }
    guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
      return "means must be finite and standard deviations finite and positive, got mean \(mean), std \(std)"
    }
    return nil
  }

  /// Decodes a normalization and checks it (``problem(mean:std:)``): a checkpoint or run state
  /// written by anyone may hold anything.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let mean = try container.decode([Float].self, forKey: .mean), std = try container.decode([Float].self, forKey: .std)
    if let problem = Self.problem(mean: mean, std: std) {
      throw DecodingError.dataCorruptedError(forKey: .std, in: container, debugDescription: problem)
    }
    self.mean = mean
    self.std = std
  }

  enum CodingKeys: String, CodingKey { case mean, std }

  /// The 256-entry table of normalized values of channel `c`.
  func table(channel c: Int) -> [Float] { (0..<256).map { (Float($0) / 255 - mean[c]) / std[c] } }
}

/// A sample that could not be loaded: it is left out of its batch and recorded in the run's report.
public struct SampleFailure: Codable, Sendable, Equatable {
  /// The sample key.
  public var key: String
  /// The file (or `shard#key`) that failed.
  public var path: String
  /// Why.
  public var reason: String
}

/// One training batch: normalized crops, their labels and loss weights.
public struct Batch: Sendable {
  /// The batch's position in its epoch.
  public var index: Int
  /// The stored scale of its samples.
  public var scale: Double
  /// `[N, 3, H, W]` normalized pixels (padding, where a sample is smaller than the crop, is 0).
  public var images: Tensor
  /// `N·H·W` train ids, 255 for ignored pixels and padding.
  public var labels: [Int32]
  /// `[N]` loss weights.
  public var weights: [Float]
  /// The sample keys.
  public var keys: [String]
  /// Samples of the planned batch that could not be loaded.
  public var failures: [SampleFailure]

  /// The number of samples actually in the batch.
  public var count: Int { keys.count }
}

/// Crops, flips and normalizes loaded samples into a ``Batch``.
enum BatchAssembler {
  static func assemble(_ plan: PlannedBatch, samples: [(PlannedItem, TrainingSample)], failures: [SampleFailure],
                       tables: [[Float]]) -> Batch {
    let n = samples.count, h = plan.cropHeight, w = plan.cropWidth, plane = h * w
    var labels = [Int32](repeating: 255, count: n * plane)
    let images = Tensor(shape: [n, 3, h, w]) { (pixels: UnsafeMutableBufferPointer<Float>) in
      pixels.update(repeating: 0)
      labels.withUnsafeMutableBufferPointer { labelBuffer in
        for (position, (item, sample)) in samples.enumerated() {
          let rows = min(h, sample.image.height - item.y), columns = min(w, sample.image.width - item.x)
          for row in 0..<rows {
            let sourceRow = (item.y + row) * sample.image.width + item.x
            for column in 0..<columns {
              let target = item.flip ? columns - 1 - column : column
              let source = sourceRow + column
              for c in 0..<3 {
                pixels[((position * 3 + c) * h + row) * w + target] = tables[c][Int(sample.image.samples[source * 3 + c])]
              }
              labelBuffer[position * plane + row * w + target] = Int32(sample.labels.samples[source])
            }
          }
        }
      }
    }
    return Batch(index: plan.index, scale: plan.scale, images: images, labels: labels, weights: samples.map(\.1.weight),
                 keys: samples.map(\.1.key), failures: failures)
  }
}

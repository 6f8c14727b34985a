import DanceCore
public import Tensors

/// Inverted dropout: in training each element is zeroed with probability `p` and the rest scaled
/// by `1 / (1 − p)`; in evaluation the identity. Any shape.
public final class Dropout: StatelessLayer {
  /// The drop probability.
  public let probability: Float
  /// Dropout is active only in training.
  public var isTraining = true
  private var generator: SplitMix
  private var mask: [Float] = []

  /// Creates a dropout layer whose masks come from a generator seeded with `seed`.
  public init(probability: Float, seed: UInt64 = 0) {
    precondition(probability >= 0 && probability < 1, "Dropout probability must be in [0, 1), got \(probability)")
    self.probability = probability
    generator = SplitMix(seed: seed)
  }

  /// Restarts the mask sequence from `seed`, so that a step's masks depend only on the seed the
  /// trainer derives for it (an interrupted run resumes with the same masks).
  public func reseed(_ seed: UInt64) { generator = SplitMix(seed: seed) }

  /// Any shape → the same shape.
  public func forward(_ input: Tensor) -> Tensor {
    guard isTraining && probability > 0 else { mask = []; return input }
    let keep = 1 - probability, scale = 1 / keep
    mask = (0..<input.count).map { _ in Float.random(in: 0..<1, using: &generator) < keep ? scale : 0 }
    return Tensor(shape: input.shape) { y in
      for i in 0..<y.count { y[i] = input.storage[i] * mask[i] }
    }
  }

  /// `dx = dy · mask`.
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard !mask.isEmpty else { return gradOutput }
    precondition(gradOutput.count == mask.count, "Dropout.backward: gradient shape \(gradOutput.shape)")
    return Tensor(shape: gradOutput.shape) { dx in
      for i in 0..<dx.count { dx[i] = gradOutput.storage[i] * mask[i] }
    }
  }

  /// Forgets the mask kept for ``backward(_:)``.
  public func discardForwardCache() { mask = [] }

  /// The kept mask's bytes.
  public var forwardCacheBytes: Int { mask.count * MemoryLayout<Float>.size }

  /// One row, one multiply per element.
  public func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int] {
    rows.append(SummaryRow(name: name, kind: "Dropout(p=\(probability))", outputShape: inputShape, parameters: 0,
                           flops: inputShape.reduce(1, *)))
    return inputShape
  }
}

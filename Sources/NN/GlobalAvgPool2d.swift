public import Tensors

/// The mean over each channel plane: `[N, C, H, W]` → `[N, C, 1, 1]`.
public final class GlobalAvgPool2d: StatelessLayer {
  /// Unused: pooling behaves the same in training and evaluation.
  public var isTraining = true
  private var inputShape: [Int] = []

  /// Creates a global average pool.
  public init() {}

  /// `[N, C, H, W]` → `[N, C, 1, 1]`.
  public func forward(_ input: Tensor) -> Tensor {
    precondition(input.rank == 4, "GlobalAvgPool2d expects [N, C, H, W], got \(input.shape)")
    inputShape = input.shape
    let planes = input.shape[0] * input.shape[1], plane = input.shape[2] * input.shape[3]
    return Tensor(shape: [input.shape[0], input.shape[1], 1, 1]) { y in
      input.withUnsafeBufferPointer { x in
        BatchParallel.forEach(planes) { p in
          var sum: Float = 0
          for i in 0..<plane { sum += x[p * plane + i] }
          y[p] = sum / Float(plane)
        }
      }
    }
  }

  /// Spreads each output gradient evenly over its plane.
  public func backward(_ gradOutput: Tensor) -> Tensor {
    precondition(gradOutput.shape == [inputShape[0], inputShape[1], 1, 1], "GlobalAvgPool2d.backward: gradient shape \(gradOutput.shape)")
    let plane = inputShape[2] * inputShape[3]
    return Tensor(shape: inputShape) { dx in
      gradOutput.withUnsafeBufferPointer { dy in
        BatchParallel.forEach(dy.count) { p in (dx.baseAddress! + p * plane).update(repeating: dy[p] / Float(plane), count: plane) }
      }
    }
  }

  /// One row, one add per input element.
  public func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int] {
    let output = [inputShape[0], inputShape[1], 1, 1]
    rows.append(SummaryRow(name: name, kind: "GlobalAvgPool2d", outputShape: output, parameters: 0, flops: inputShape.reduce(1, *)))
    return output
  }
}

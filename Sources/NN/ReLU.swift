public import Tensors

/// The rectifier `y = max(x, 0)`, element-wise on any shape.
public final class ReLU: StatelessLayer {
  /// Unused: ReLU behaves the same in training and evaluation.
  public var isTraining = true
  private var output: Tensor?

  /// Creates a ReLU.
  public init() {}

  /// Any shape → the same shape.
  public func forward(_ input: Tensor) -> Tensor {
    let y = Tensor(shape: input.shape) { y in
      input.withUnsafeBufferPointer { x in
        BatchParallel.forElements(x.count) { range in
          VectorKernels.relu(x.baseAddress! + range.lowerBound, y.baseAddress! + range.lowerBound, count: range.count)
        }
      }
    }
    output = y
    return y
  }

  /// `dx = dy` where the output is positive, else 0.
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let output else { preconditionFailure("ReLU.backward before forward") }
    precondition(gradOutput.shape == output.shape, "ReLU.backward: gradient shape \(gradOutput.shape)")
    return Tensor(shape: output.shape) { dx in
      output.withUnsafeBufferPointer { y in
        gradOutput.withUnsafeBufferPointer { dy in
          BatchParallel.forElements(y.count) { range in
            let start = range.lowerBound
            VectorKernels.reluBackward(y.baseAddress! + start, dy.baseAddress! + start, dx.baseAddress! + start, count: range.count)
          }
        }
      }
    }
  }

  /// Forgets the output kept for ``backward(_:)``.
  public func discardForwardCache() { output = nil }

  /// The kept output's bytes.
  public var forwardCacheBytes: Int { (output?.count ?? 0) * MemoryLayout<Float>.size }

  /// One row, one FLOP per element.
  public func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int] {
    rows.append(SummaryRow(name: name, kind: "ReLU", outputShape: inputShape, parameters: 0, flops: inputShape.reduce(1, *)))
    return inputShape
  }
}

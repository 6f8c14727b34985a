public import Tensors

/// Max pooling over square windows of `[N, C, H, W]`, with stride and implicit `-∞` padding.
///
/// Output `[N, C, Ho, Wo]` with PyTorch's size formula (floor mode). Ties go to the first maximum
/// in row-major window order, which is where the gradient flows.
public final class MaxPool2d: StatelessLayer {
  /// Window size, stride and padding.
  public let kernelSize: Int, stride: Int, padding: Int
  /// Unused: pooling behaves the same in training and evaluation.
  public var isTraining = true
  private var inputShape: [Int] = []
  private var argmax: [Int32] = []

  /// Creates a max pool; `stride` defaults to `kernelSize`.
  public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
    precondition(padding * 2 <= kernelSize, "MaxPool2d padding \(padding) exceeds half the window \(kernelSize)")
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
  }

  private func geometry(_ shape: [Int]) -> ConvGeometry {
    precondition(shape.count == 4, "MaxPool2d expects [N, C, H, W], got \(shape)")
    return ConvGeometry(channels: shape[1], height: shape[2], width: shape[3], kernel: kernelSize, stride: stride, padding: padding)
  }

  /// `[N, C, H, W]` → `[N, C, Ho, Wo]`.
  public func forward(_ input: Tensor) -> Tensor {
    let g = geometry(input.shape)
    let planes = input.shape[0] * input.shape[1], outH = g.outputHeight, outW = g.outputWidth
    inputShape = input.shape
    argmax = [Int32](repeating: 0, count: planes * outH * outW)
    return Tensor(shape: [input.shape[0], input.shape[1], outH, outW]) { y in
      input.withUnsafeBufferPointer { x in
        argmax.withUnsafeMutableBufferPointer { arg in
          BatchParallel.forEach(planes) { p in
            let src = x.baseAddress! + p * g.height * g.width
            for oh in 0..<outH {
              for ow in 0..<outW {
                var best = -Float.infinity, bestIndex = -1
                for ki in 0..<kernelSize {
                  let ih = oh * stride - padding + ki
                  guard ih >= 0 && ih < g.height else { continue }
                  for kj in 0..<kernelSize {
                    let iw = ow * stride - padding + kj
                    guard iw >= 0 && iw < g.width else { continue }
                    let value = src[ih * g.width + iw]
                    if value > best || bestIndex < 0 { best = value; bestIndex = ih * g.width + iw }
                  }
                }
                let o = (p * outH + oh) * outW + ow
                y[o] = best
                arg[o] = Int32(bestIndex)
              }
            }
          }
        }
      }
    }
  }

  /// Routes each output gradient to its window's maximum.
  public func backward(_ gradOutput: Tensor) -> Tensor {
    precondition(gradOutput.count == argmax.count, "MaxPool2d.backward: gradient shape \(gradOutput.shape)")
    var dx = Tensor(shape: inputShape)
    let plane = inputShape[2] * inputShape[3], outPlane = gradOutput.shape[2] * gradOutput.shape[3]
    dx.withUnsafeMutableBufferPointer { dx in
      gradOutput.withUnsafeBufferPointer { dy in
        argmax.withUnsafeBufferPointer { argmax in
          // One plane per iteration: each writes only its own plane of dx.
          BatchParallel.forEach(dy.count / max(1, outPlane)) { p in
            for i in p * outPlane..<(p + 1) * outPlane { dx[p * plane + Int(argmax[i])] += dy[i] }
          }
        }
      }
    }
    return dx
  }

  /// Forgets the positions of the maxima kept for ``backward(_:)``.
  public func discardForwardCache() { argmax = [] }

  /// The kept positions' bytes.
  public var forwardCacheBytes: Int { argmax.count * MemoryLayout<Int32>.size }

  /// One row, `k²` comparisons per output.
  public func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int] {
    let g = geometry(inputShape)
    let output = [inputShape[0], inputShape[1], g.outputHeight, g.outputWidth]
    rows.append(SummaryRow(name: name, kind: "MaxPool2d(k\(kernelSize) s\(stride) p\(padding))", outputShape: output,
                           parameters: 0, flops: output.reduce(1, *) * kernelSize * kernelSize))
    return output
  }
}

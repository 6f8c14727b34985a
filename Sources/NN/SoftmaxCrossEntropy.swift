import Foundation
public import Tensors

/// Per-pixel softmax cross-entropy over class logits, with an ignore label and per-sample weights.
///
/// Logits `[N, K, H, W]`, labels `N·H·W` class ids in `[0, K)` or ``ignoreIndex``, weights `[N]`
/// (default 1). The loss is `Σₙ wₙ Σ_{valid p} −log softmax(xₙ,ₚ)[yₙ,ₚ] / (number of valid pixels)`:
/// the mean over valid pixels of the batch, each pixel multiplied by its sample's weight. With all
/// weights 1 it equals PyTorch's `CrossEntropyLoss(ignore_index=255)`. A batch without valid pixels
/// has loss 0 and gradient 0.
public struct SoftmaxCrossEntropy {
  /// The label value that contributes neither loss nor gradient.
  public var ignoreIndex: Int32
  private var gradient: Tensor?

  /// Creates the loss with `ignoreIndex` (255 by default, the train-id ignore value).
  public init(ignoreIndex: Int32 = 255) { self.ignoreIndex = ignoreIndex }

  /// Returns the loss and caches `dL/dlogits` for ``backward()``.
  public mutating func forward(logits: Tensor, labels: [Int32], sampleWeights: [Float]? = nil) -> Float {
    precondition(logits.rank == 4, "SoftmaxCrossEntropy expects logits [N, K, H, W], got \(logits.shape)")
    let n = logits.shape[0], classes = logits.shape[1], plane = logits.shape[2] * logits.shape[3]
    precondition(labels.count == n * plane, "SoftmaxCrossEntropy: \(labels.count) labels for logits \(logits.shape)")
    precondition(sampleWeights == nil || sampleWeights!.count == n, "SoftmaxCrossEntropy: \(sampleWeights!.count) weights for \(n) samples")
    let ignore = ignoreIndex
    let valid = labels.reduce(0) { $0 + ($1 == ignore ? 0 : 1) }
    for label in labels where label != ignore {
      precondition(label >= 0 && Int(label) < classes, "label \(label) outside [0, \(classes)) and not the ignore index \(ignore)")
    }
    var loss = 0.0
    // Pixels are processed in chunks so that the K rows of a chunk stay in cache across the passes.
    let chunk = min(plane, 2048)
    var maxima = [Float](repeating: 0, count: chunk), sums = [Float](repeating: 0, count: chunk)
    let grad = Tensor(shape: logits.shape) { g in
      logits.withUnsafeBufferPointer { x in
        maxima.withUnsafeMutableBufferPointer { maxima in
          sums.withUnsafeMutableBufferPointer { sums in
            for image in 0..<n {
              let weight = sampleWeights?[image] ?? 1
              let factor = valid > 0 ? weight / Float(valid) : 0
              var imageLoss = 0.0
              for start in Swift.stride(from: 0, to: plane, by: chunk) {
                let count = min(chunk, plane - start)
                let xs = x.baseAddress! + image * classes * plane + start, gs = g.baseAddress! + image * classes * plane + start
                let m = maxima.baseAddress!, s = sums.baseAddress!
                m.update(from: xs, count: count)
                for k in 1..<max(1, classes) { VectorKernels.maximum(xs + k * plane, into: m, count: count) }
                s.update(repeating: 0, count: count)
                for k in 0..<classes {
                  let out = gs + k * plane
                  VectorKernels.linearCombination(xs + k * plane, m, out, count: count, a: 1, b: -1, c: 0)
                  VectorKernels.exp(out, out, count: count)
                  VectorKernels.add(out, into: s, count: count)
                }
                let labelRow = image * plane + start
                for p in 0..<count {
                  let label = labels[labelRow + p]
                  if label == ignore { s[p] = 0; continue }
                  imageLoss += Double(m[p] + logf(s[p]) - xs[Int(label) * plane + p])
                  s[p] = factor / s[p]
                }
                for k in 0..<classes { VectorKernels.multiply(s, into: gs + k * plane, count: count) }
                for p in 0..<count {
                  let label = labels[labelRow + p]
                  if label != ignore { gs[Int(label) * plane + p] -= factor }
                }
              }
              loss += Double(factor) * imageLoss
            }
          }
        }
      }
    }
    gradient = grad
    return Float(loss)
  }

  /// `dL/dlogits` `[N, K, H, W]` of the last ``forward(logits:labels:sampleWeights:)``.
  public func backward() -> Tensor {
    guard let gradient else { preconditionFailure("SoftmaxCrossEntropy.backward before forward") }
    return gradient
  }

  /// Forgets the gradient kept for ``backward()`` (a trainer calls it once the step's backward
  /// pass has consumed it).
  public mutating func discardForwardCache() { gradient = nil }
}

@inline(__always) private func logf(_ x: Float) -> Float { Float(log(Double(x))) }

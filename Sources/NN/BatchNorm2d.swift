public import Tensors

/// Batch normalisation over `[N, C, H, W]`: `y = γ (x − μ) / √(σ² + ε) + β` per channel.
///
/// In training, μ and σ² are the batch statistics over N, H, W (biased variance) and the running
/// statistics move by `running = (1 − momentum) · running + momentum · batch` (unbiased variance),
/// as in PyTorch; in evaluation the running statistics are used. γ starts at 1, β at 0.
public final class BatchNorm2d: Layer {
  /// The number of channels C.
  public let channels: Int
  /// The variance offset ε.
  public let epsilon: Float
  /// The running-statistics update factor.
  public let momentum: Float
  /// γ `[C]` (PyTorch `weight`).
  public let scale: Parameter
  /// β `[C]` (PyTorch `bias`).
  public let shift: Parameter
  /// Running mean `[C]`.
  public private(set) var runningMean: Tensor
  /// Running variance `[C]`.
  public private(set) var runningVariance: Tensor
  /// The number of training batches seen (PyTorch `num_batches_tracked`).
  public private(set) var batchesTracked: Int64 = 0
  /// Whether a ReLU follows in the same pass.
  public let appliesReLU: Bool
  /// Batch statistics in training, running statistics in evaluation.
  public var isTraining = true

  private var input: Tensor?
  private var output: Tensor?
  private var mean: [Float] = []
  private var inverseStd: [Float] = []
  private var usedBatchStatistics = true

  /// Creates a batch norm over `channels` channels, optionally fused with a following ReLU.
  public init(_ channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, relu: Bool = false) {
    self.channels = channels
    appliesReLU = relu
    self.epsilon = epsilon
    self.momentum = momentum
    scale = Parameter(Tensor(shape: [channels], repeating: 1), decays: false)
    shift = Parameter(Tensor(shape: [channels]), decays: false)
    runningMean = Tensor(shape: [channels])
    runningVariance = Tensor(shape: [channels], repeating: 1)
  }

  /// γ then β.
  public var parameters: [Parameter] { [scale, shift] }

  /// `weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`.
  public var state: [StateEntry] {
    [
      .parameter("weight", scale), .parameter("bias", shift),
      StateEntry(name: "running_mean", get: { .float(self.runningMean) },
                 set: { if case .float(let t) = $0 { self.runningMean = t } }),
      StateEntry(name: "running_var", get: { .float(self.runningVariance) },
                 set: { if case .float(let t) = $0 { self.runningVariance = t } }),
      StateEntry(name: "num_batches_tracked", get: { .int64(self.batchesTracked) },
                 set: { if case .int64(let v) = $0 { self.batchesTracked = v } }),
    ]
  }

  /// Takes γ, β and the running statistics of `channels` of `source`, in that order (this layer
  /// has `channels.count` channels), and its batch count: the pruned copy of `source`.
  public func copyState(from source: BatchNorm2d, channels kept: [Int]) {
    precondition(kept.count == channels && kept.allSatisfy { $0 >= 0 && $0 < source.channels }, "BatchNorm2d.copyState: channels \(kept)")
    scale.value = Tensor(shape: [channels], storage: kept.map { source.scale.value.storage[$0] })
    shift.value = Tensor(shape: [channels], storage: kept.map { source.shift.value.storage[$0] })
    runningMean = Tensor(shape: [channels], storage: kept.map { source.runningMean.storage[$0] })
    runningVariance = Tensor(shape: [channels], storage: kept.map { source.runningVariance.storage[$0] })
    batchesTracked = source.batchesTracked
  }

  /// Forgets what the last forward pass kept for ``backward(_:)``: a pass that bypassed this layer
  /// (a convolution that folded it in) must not leave an older input behind for a backward pass.
  public func discardForwardCache() {
    input = nil
    output = nil
  }

  /// The kept input's and output's bytes.
  public var forwardCacheBytes: Int { ((input?.count ?? 0) + (output?.count ?? 0)) * MemoryLayout<Float>.size }

  /// The evaluation map as `y = a·x + b` per channel: `a = γ / √(running σ² + ε)`,
  /// `b = β − running μ · a` (before the ReLU, if any).
  public var evaluationAffine: (scale: [Float], shift: [Float]) {
    var a = [Float](repeating: 0, count: channels), b = a
    for c in 0..<channels {
      a[c] = scale.value.storage[c] / (runningVariance.storage[c] + epsilon).squareRoot()
      b[c] = shift.value.storage[c] - runningMean.storage[c] * a[c]
    }
    return (a, b)
  }

  /// Writes each channel's batch mean into ``mean`` and returns the (biased) batch variances.
  /// One channel per iteration, its planes summed in image order: the same bytes at any thread count.
  private func batchStatistics(_ input: Tensor, images n: Int, plane: Int) -> [Double] {
    let count = n * plane
    var variances = [Double](repeating: 0, count: channels)
    input.withUnsafeBufferPointer { x in
      mean.withUnsafeMutableBufferPointer { means in
        variances.withUnsafeMutableBufferPointer { variances in
          BatchParallel.forEach(channels) { c in
            var sum = 0.0, sumSquares = 0.0
            for image in 0..<n {
              let p = x.baseAddress! + (image * channels + c) * plane
              let m = VectorKernels.sum(p, count: plane) / Float(plane)
              let s = m * Float(plane)
              let s2 = VectorKernels.sumOfSquaredDeviations(p, count: plane, mean: m)
              // Combine per-plane (mean, M2) pairs exactly: Σx² − (Σx)²/n per plane plus the offsets.
              sum += Double(s)
              sumSquares += Double(s2) + Double(m) * Double(m) * Double(plane)
            }
            let batchMean = sum / Double(count)
            means[c] = Float(batchMean)
            variances[c] = max(0, sumSquares / Double(count) - batchMean * batchMean)
          }
        }
      }
    }
    return variances
  }

  /// `[N, C, H, W]` → `[N, C, H, W]`.
  public func forward(_ input: Tensor) -> Tensor {
    precondition(input.rank == 4 && input.shape[1] == channels, "BatchNorm2d(\(channels)) got \(input.shape)")
    let n = input.shape[0], plane = input.shape[2] * input.shape[3], count = n * plane
    self.input = input
    usedBatchStatistics = isTraining
    mean = [Float](repeating: 0, count: channels)
    inverseStd = [Float](repeating: 0, count: channels)
    if isTraining {
      precondition(count > 1, "BatchNorm2d in training needs more than one value per channel, got \(input.shape)")
      let variances = batchStatistics(input, images: n, plane: plane)
      for c in 0..<channels {
        inverseStd[c] = Float(1 / (variances[c] + Double(epsilon)).squareRoot())
        let unbiased = variances[c] * Double(count) / Double(count - 1)
        runningMean.storage[c] = (1 - momentum) * runningMean.storage[c] + momentum * mean[c]
        runningVariance.storage[c] = (1 - momentum) * runningVariance.storage[c] + momentum * Float(unbiased)
      }
      batchesTracked += 1
    } else {
      for c in 0..<channels {
        mean[c] = runningMean.storage[c]
        inverseStd[c] = 1 / (runningVariance.storage[c] + epsilon).squareRoot()
      }
    }
    let a = (0..<channels).map { scale.value.storage[$0] * inverseStd[$0] }
    let b = (0..<channels).map { shift.value.storage[$0] - mean[$0] * a[$0] }
    let result = Tensor(shape: input.shape) { y in
      input.withUnsafeBufferPointer { x in
        BatchParallel.forEach(n * channels) { planeIndex in
          let c = planeIndex % channels, offset = planeIndex * plane
          let src = x.baseAddress! + offset, dst = y.baseAddress! + offset
          if appliesReLU {
            VectorKernels.affineReLU(src, dst, count: plane, scale: a[c], shift: b[c])
          } else {
            VectorKernels.affine(src, dst, count: plane, scale: a[c], shift: b[c])
          }
        }
      }
    }
    output = appliesReLU ? result : nil
    return result
  }

  /// Adds `dL/dγ`, `dL/dβ` and returns `dL/dx` (through the batch statistics in training).
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let input else { preconditionFailure("BatchNorm2d.backward before forward") }
    precondition(gradOutput.shape == input.shape, "BatchNorm2d.backward: gradient shape \(gradOutput.shape)")
    let n = input.shape[0], plane = input.shape[2] * input.shape[3], count = Float(n * plane)
    // With the fused ReLU, dy is first masked by output > 0; the mask is the output itself.
    let mask = output ?? Tensor(shape: [0])
    var scaleGradient = [Float](repeating: 0, count: channels), shiftGradient = scaleGradient
    let gradInput = Tensor(shape: input.shape) { dx in
      input.withUnsafeBufferPointer { x in
        gradOutput.withUnsafeBufferPointer { dy in
          mask.withUnsafeBufferPointer { mask in
            scaleGradient.withUnsafeMutableBufferPointer { dScale in
              shiftGradient.withUnsafeMutableBufferPointer { dShift in
                // One channel per iteration (its sums in image order): the same bytes at any thread count.
                BatchParallel.forEach(channels) { c in
                  let m = mean[c], inv = inverseStd[c], gamma = scale.value.storage[c]
                  var sumDy = 0.0, sumDyXhat = 0.0
                  for image in 0..<n {
                    let offset = (image * channels + c) * plane
                    let xp = x.baseAddress! + offset, dyp = dy.baseAddress! + offset
                    let (s, sx) = appliesReLU
                      ? VectorKernels.maskedSumAndCenteredDot(dyp, xp, mask: mask.baseAddress! + offset, count: plane, mean: m)
                      : VectorKernels.sumAndCenteredDot(dyp, xp, count: plane, mean: m)
                    sumDy += Double(s)
                    sumDyXhat += Double(sx) * Double(inv)
                  }
                  dScale[c] = Float(sumDyXhat)
                  dShift[c] = Float(sumDy)
                  // Training: dx = γ·inv·(dy − mean(dy) − x̂·mean(dy·x̂)); evaluation: dx = γ·inv·dy.
                  let a = gamma * inv
                  let meanDy = usedBatchStatistics ? Float(sumDy) / count : 0
                  let meanDyXhat = usedBatchStatistics ? Float(sumDyXhat) / count : 0
                  // dx = a·dy − a·meanDy − a·inv·meanDyXhat·(x − m) = a·dy + c1·x + c0
                  let c1 = -a * inv * meanDyXhat, c0 = -a * meanDy - c1 * m
                  for image in 0..<n {
                    let offset = (image * channels + c) * plane
                    let xp = x.baseAddress! + offset, dyp = dy.baseAddress! + offset, dxp = dx.baseAddress! + offset
                    if appliesReLU {
                      VectorKernels.maskedLinearCombination(dyp, xp, mask: mask.baseAddress! + offset, dxp, count: plane, a: a, b: c1, c: c0)
                    } else {
                      VectorKernels.linearCombination(dyp, xp, dxp, count: plane, a: a, b: c1, c: c0)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    for c in 0..<channels {
      scale.gradient.storage[c] += scaleGradient[c]
      shift.gradient.storage[c] += shiftGradient[c]
    }
    return gradInput
  }

  /// One row; forward FLOPs counted as 2 per element (one multiply-add with folded statistics), 3 with the ReLU.
  public func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int] {
    rows.append(SummaryRow(name: name, kind: "BatchNorm2d(\(channels))" + (appliesReLU ? "+ReLU" : ""), outputShape: inputShape,
                           parameters: parameterCount, flops: (appliesReLU ? 3 : 2) * inputShape.reduce(1, *)))
    return inputShape
  }
}

public import Tensors

extension Conv2d {
  /// `bn(conv(x))`, with the batch norm's ReLU if it has one, in a single pass when both layers are
  /// in evaluation mode; otherwise the two layers run one after the other.
  ///
  /// In evaluation the batch norm is the per-channel affine map `y ↦ a·y + b` (``BatchNorm2d/evaluationAffine``),
  /// so it folds into the convolution: `w'[o] = a[o]·w[o]`, `bias'[o] = a[o]·bias[o] + b[o]`. On
  /// oneDNN the ReLU runs inside the convolution kernel as a post-op; on OpenBLAS it is applied
  /// with the bias. Neither layer keeps anything for a backward pass.
  public func forward(_ input: Tensor, normalizedBy bn: BatchNorm2d) -> Tensor {
    guard !isTraining, !bn.isTraining, bn.channels == outChannels else { return bn.forward(forward(input)) }
    let g = geometry(input.shape)
    // Neither layer can run a backward pass after this one: both forget their last forward.
    self.input = nil
    bn.discardForwardCache()
    forwardOnOneDNN = false
    let (a, b) = bn.evaluationAffine
    let perOutput = inChannels * kernelSize * kernelSize
    let foldedWeight = Tensor(shape: weight.value.shape) { folded in
      weight.value.withUnsafeBufferPointer { w in
        for o in 0..<outChannels {
          VectorKernels.affine(w.baseAddress! + o * perOutput, folded.baseAddress! + o * perOutput, count: perOutput, scale: a[o], shift: 0)
        }
      }
    }
    let foldedBias = (0..<outChannels).map { o in a[o] * (bias?.value.storage[o] ?? 0) + b[o] }
    if (backend ?? .preferred(for: g)) == .onednn,
       let output = oneDNNForward(input, g, weight: foldedWeight, bias: foldedBias, relu: bn.appliesReLU)
    {
      return output
    }
    return gemmForward(input, g, weight: foldedWeight, bias: foldedBias, relu: bn.appliesReLU)
  }

  /// The forward pass on oneDNN with this layer's weight and bias, with the primitive kept for the
  /// next call of the same shape; `nil` when oneDNN refuses the geometry or fails.
  func oneDNNForward(_ input: Tensor, _ g: ConvGeometry) -> Tensor? {
    let n = input.shape[0]
    // A training primitive also serves evaluation; an evaluation one is replaced when training starts.
    if !Self.fits(oneDNN, g, batch: n) || (isTraining && oneDNN?.training == false) {
      oneDNN = OneDNNConvolution(g, batch: n, outChannels: outChannels, hasBias: bias != nil, training: isTraining,
                                 algorithm: .preferred(for: g, training: isTraining))
    }
    guard let oneDNN else { return nil }
    return run(oneDNN, input, g, weight: weight.value, bias: bias?.value.storage)
  }

  /// Whether `convolution` was made for geometry `g`, this batch size and the thread count now in effect.
  private static func fits(_ convolution: OneDNNConvolution?, _ g: ConvGeometry, batch: Int) -> Bool {
    guard let convolution else { return false }
    return convolution.geometry == g && convolution.batch == batch && convolution.threads == BLASThreads.count
  }

  /// The evaluation forward pass on oneDNN with a folded weight and bias, and the ReLU post-op when
  /// `relu` is set; `nil` when oneDNN refuses the geometry or fails.
  private func oneDNNForward(_ input: Tensor, _ g: ConvGeometry, weight: Tensor, bias: [Float], relu: Bool) -> Tensor? {
    let n = input.shape[0]
    if !Self.fits(foldedOneDNN, g, batch: n) || foldedOneDNN?.relu != relu {
      foldedOneDNN = OneDNNConvolution(g, batch: n, outChannels: outChannels, hasBias: true, training: false, relu: relu,
                                       algorithm: .preferred(for: g, training: false))
    }
    guard let foldedOneDNN else { return nil }
    return run(foldedOneDNN, input, g, weight: weight, bias: bias)
  }

  private func run(_ convolution: OneDNNConvolution, _ input: Tensor, _ g: ConvGeometry, weight: Tensor, bias: [Float]?) -> Tensor? {
    var succeeded = false
    let output = Tensor(shape: [input.shape[0], outChannels, g.outputHeight, g.outputWidth]) { out in
      input.withUnsafeBufferPointer { x in
        weight.withUnsafeBufferPointer { w in
          (bias ?? []).withUnsafeBufferPointer { b in
            succeeded = convolution.forward(x.baseAddress!, weight: w.baseAddress!, bias: bias == nil ? nil : b.baseAddress, into: out.baseAddress!)
          }
        }
      }
    }
    return succeeded ? output : nil
  }

  /// Both backward passes on oneDNN: adds `dL/dw` (and `dL/db`) and returns `dL/dx` (empty when
  /// not needed); `nil` when oneDNN fails, before any gradient was changed.
  func oneDNNBackward(_ gradOutput: Tensor, input: Tensor) -> Tensor? {
    guard let oneDNN, oneDNN.training else { return nil }
    if weightGradientScratch.count != weight.value.count { weightGradientScratch = [Float](repeating: 0, count: weight.value.count) }
    if let bias, biasGradientScratch.count != bias.value.count { biasGradientScratch = [Float](repeating: 0, count: bias.value.count) }
    var gradInput = computesInputGradient ? Tensor(shape: input.shape) : Tensor(shape: [0])
    var succeeded = true
    input.withUnsafeBufferPointer { x in
      gradOutput.withUnsafeBufferPointer { dy in
        weight.value.withUnsafeBufferPointer { w in
          weightGradientScratch.withUnsafeMutableBufferPointer { dw in
            biasGradientScratch.withUnsafeMutableBufferPointer { db in
              gradInput.withUnsafeMutableBufferPointer { dx in
                succeeded = oneDNN.backward(
                  x.baseAddress!, dy.baseAddress!, weight: w.baseAddress!, inputGradient: computesInputGradient ? dx.baseAddress! : nil,
                  weightGradient: dw.baseAddress!, biasGradient: bias == nil ? nil : db.baseAddress!)
              }
            }
          }
        }
      }
    }
    guard succeeded else { return nil }
    weight.gradient.withUnsafeMutableBufferPointer { gradient in
      weightGradientScratch.withUnsafeBufferPointer { scratch in
        VectorKernels.add(scratch.baseAddress!, into: gradient.baseAddress!, count: scratch.count)
      }
    }
    if let bias {
      bias.gradient.withUnsafeMutableBufferPointer { gradient in
        biasGradientScratch.withUnsafeBufferPointer { scratch in
          VectorKernels.add(scratch.baseAddress!, into: gradient.baseAddress!, count: scratch.count)
        }
      }
    }
    return gradInput
  }
}

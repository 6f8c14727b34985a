public import Tensors

/// A 2-D convolution: `y[n, o] = b[o] + Σ_c w[o, c] ⋆ x[n, c]` with stride, zero padding and dilation.
///
/// Input `[N, C, H, W]`, weight `[O, C, kh, kw]` (PyTorch layout), bias `[O]`, output
/// `[N, O, Ho, Wo]`. Each shape runs on the faster library (``backend``): on oneDNN (forward and
/// both backward passes, `Conv2d+OneDNN.swift`), or on OpenBLAS, where each image is unfolded by
/// `im2col` in tiles of output rows (see ``columnTileBytes``; one image per BLAS thread,
/// batch-parallel) and each tile multiplied by the weight with `gemm`; 1×1 stride-1 convolutions
/// skip the unfolding. Backward computes `dWᵀ += col · dYᵀ` and `dcol = Wᵀ · dY`, folded back
/// with `col2im`. In evaluation, ``forward(_:normalizedBy:)`` folds a following batch norm (and
/// its ReLU) into the convolution. Weights are initialised from `N(0, 2 / (C · kh · kw))` (He,
/// fan-in), biases to zero.
public final class Conv2d: Layer {
  /// Input channels C and output channels O.
  public let inChannels: Int, outChannels: Int
  /// Square kernel size, stride, padding and dilation.
  public let kernelSize: Int, stride: Int, padding: Int, dilation: Int
  /// The weight `[O, C, kh, kw]`.
  public let weight: Parameter
  /// The bias `[O]`, if any.
  public let bias: Parameter?
  /// Whether ``backward(_:)`` computes the input gradient (false for a first layer saves time; it
  /// then returns an empty tensor).
  public var computesInputGradient = true
  /// The result is the same in training and evaluation; with oneDNN, training also prepares the
  /// backward passes (an evaluation-only primitive is lighter).
  public var isTraining = true
  /// Which library computes the passes; `nil` (the default) takes
  /// ``ConvolutionBackend/preferred(for:)`` of each input's geometry. With oneDNN, a geometry it
  /// refuses (or a failing call) falls back to `im2col` + `gemm`.
  public var backend: ConvolutionBackend?

  var input: Tensor?
  /// The input shape of the last forward pass, if any.
  public var lastInputShape: [Int]? { input?.shape }
  private var columns: [Float] = []
  /// The oneDNN primitives of the plain forward pass (and the backward passes) for the last shape.
  var oneDNN: OneDNNConvolution?
  /// The oneDNN evaluation primitive with a folded batch norm, for the last shape.
  var foldedOneDNN: OneDNNConvolution?
  /// Whether the last forward pass ran on oneDNN (so the backward pass can too).
  var forwardOnOneDNN = false
  var weightGradientScratch: [Float] = []
  var biasGradientScratch: [Float] = []
  private var weightGradientT: [Float] = []

  /// Creates a convolution with He-initialised weights drawn from `generator`.
  public init<G: RandomNumberGenerator>(
    _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
    dilation: Int = 1, bias: Bool = false, generator: inout G
  ) {
    precondition(inChannels > 0 && outChannels > 0, "Conv2d channels must be positive")
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.kernelSize = kernelSize
    self.stride = stride
    self.padding = padding
    self.dilation = dilation
    let fanIn = Float(inChannels * kernelSize * kernelSize)
    weight = Parameter(Tensor.randomNormal(
      shape: [outChannels, inChannels, kernelSize, kernelSize], std: (2 / fanIn).squareRoot(), using: &generator))
    self.bias = bias ? Parameter(Tensor(shape: [outChannels]), decays: false) : nil
  }

  /// The trainable parameters: weight, then bias.
  public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

  /// `weight` and, if present, `bias`.
  public var state: [StateEntry] {
    [.parameter("weight", weight)] + (bias.map { [.parameter("bias", $0)] } ?? [])
  }

  func geometry(_ shape: [Int]) -> ConvGeometry {
    precondition(shape.count == 4 && shape[1] == inChannels, "Conv2d expects [N, \(inChannels), H, W], got \(shape)")
    return ConvGeometry(channels: inChannels, height: shape[2], width: shape[3], kernel: kernelSize,
                        stride: stride, padding: padding, dilation: dilation)
  }

  /// The size in bytes a column tile aims at: the unfolded tile stays in the core's L2 cache
  /// between `im2col` and the `gemm` that reads it, instead of making a round trip to memory.
  public var columnTileBytes = 1 << 20

  /// Output rows per column tile for geometry `g`.
  private func tileRows(_ g: ConvGeometry) -> Int {
    let perRow = g.columnRows * g.outputWidth * MemoryLayout<Float>.size
    return max(1, min(g.outputHeight, columnTileBytes / max(1, perRow)))
  }

  /// The images unfolded together (one per thread), and enough column scratch for one tile of each.
  private func prepareColumns(_ g: ConvGeometry, images: Int) -> (chunk: Int, tileRows: Int, tileSize: Int) {
    let chunk = max(1, min(images, BLASThreads.count))
    let rows = tileRows(g)
    let tileSize = g.columnRows * rows * g.outputWidth
    if !g.isIdentity && columns.count < chunk * tileSize { columns = [Float](repeating: 0, count: chunk * tileSize) }
    return (chunk, rows, tileSize)
  }

  /// `[N, C, H, W]` → `[N, O, Ho, Wo]`.
  public func forward(_ input: Tensor) -> Tensor {
    let g = geometry(input.shape)
    self.input = input
    forwardOnOneDNN = false
    if (backend ?? .preferred(for: g)) == .onednn, let output = oneDNNForward(input, g) {
      forwardOnOneDNN = isTraining
      return output
    }
    return gemmForward(input, g, weight: weight.value, bias: bias?.value.storage, relu: false)
  }

  /// The forward pass on OpenBLAS with the given weight `[O, C, kh, kw]` and bias `[O]`, then
  /// `max(y, 0)` when `relu` is set.
  func gemmForward(_ input: Tensor, _ g: ConvGeometry, weight: Tensor, bias: [Float]?, relu: Bool) -> Tensor {
    let n = input.shape[0], rows = g.columnRows, cols = g.columnCount, outW = g.outputWidth
    let imageSize = g.channels * g.height * g.width
    let (chunk, tileRows, tileSize) = prepareColumns(g, images: n)
    return Tensor(shape: [n, outChannels, g.outputHeight, outW]) { out in
      input.withUnsafeBufferPointer { x in
        weight.withUnsafeBufferPointer { w in
          if g.isIdentity {
            for image in 0..<n {
              gemm(transA: .none, transB: .none, m: outChannels, n: cols, k: rows, alpha: 1, a: w.baseAddress!, lda: rows,
                   b: x.baseAddress! + image * imageSize, ldb: cols, beta: 0, c: out.baseAddress! + image * outChannels * cols, ldc: cols)
            }
            return
          }
          columns.withUnsafeMutableBufferPointer { col in
            for first in Swift.stride(from: 0, to: n, by: chunk) {
              let count = min(chunk, n - first)
              for top in Swift.stride(from: 0, to: g.outputHeight, by: tileRows) {
                let band = top..<min(top + tileRows, g.outputHeight), width = band.count * outW
                BatchParallel.forEach(count) { j in
                  im2col(g, image: x.baseAddress! + (first + j) * imageSize, columns: col.baseAddress! + j * tileSize, outputRows: band)
                }
                for j in 0..<count {
                  gemm(transA: .none, transB: .none, m: outChannels, n: width, k: rows, alpha: 1,
                       a: w.baseAddress!, lda: rows, b: col.baseAddress! + j * tileSize, ldb: width, beta: 0,
                       c: out.baseAddress! + (first + j) * outChannels * cols + top * outW, ldc: cols)
                }
              }
            }
          }
        }
        guard bias != nil || relu else { return }
        for image in 0..<n {
          for o in 0..<outChannels {
            let plane = out.baseAddress! + (image * outChannels + o) * cols
            if relu {
              VectorKernels.affineReLU(plane, plane, count: cols, scale: 1, shift: bias?[o] ?? 0)
            } else {
              VectorKernels.affine(plane, plane, count: cols, scale: 1, shift: bias![o])
            }
          }
        }
      }
    }
  }

  /// Adds `dL/dw` (and `dL/db`) and returns `dL/dx` `[N, C, H, W]`.
  public func backward(_ gradOutput: Tensor) -> Tensor {
    guard let input else { preconditionFailure("Conv2d.backward before forward") }
    let g = geometry(input.shape)
    let n = input.shape[0]
    precondition(gradOutput.shape == [n, outChannels, g.outputHeight, g.outputWidth], "Conv2d.backward: gradient shape \(gradOutput.shape)")
    if forwardOnOneDNN, let gradInput = oneDNNBackward(gradOutput, input: input) { return gradInput }
    addBiasGradient(gradOutput, images: n, planeSize: g.columnCount)
    var gradInput = computesInputGradient ? Tensor(shape: input.shape) : Tensor(shape: [0])
    let (chunk, tileRows, tileSize) = prepareColumns(g, images: n)
    weightGradientT = [Float](repeating: 0, count: g.columnRows * outChannels)
    input.withUnsafeBufferPointer { x in
      gradOutput.withUnsafeBufferPointer { dy in
        weight.value.withUnsafeBufferPointer { w in
          weightGradientT.withUnsafeMutableBufferPointer { dwT in
            gradInput.withUnsafeMutableBufferPointer { dx in
              columns.withUnsafeMutableBufferPointer { col in
                let buffers = BackwardBuffers(
                  x: x.baseAddress!, dy: dy.baseAddress!, w: w.baseAddress!, dwT: dwT.baseAddress!,
                  dx: computesInputGradient ? dx.baseAddress! : nil, columns: col.baseAddress)
                if g.isIdentity {
                  identityBackward(g, images: n, buffers)
                } else {
                  tiledBackward(g, images: n, chunk: chunk, tileRows: tileRows, tileSize: tileSize, buffers)
                }
              }
            }
          }
        }
      }
    }
    weight.gradient.withUnsafeMutableBufferPointer { dw in
      let rows = g.columnRows
      for r in 0..<rows {
        for o in 0..<outChannels { dw[o * rows + r] += weightGradientT[r * outChannels + o] }
      }
    }
    return gradInput
  }

  /// The buffers of the OpenBLAS backward pass: input, output gradient, weight, the transposed
  /// weight gradient it adds into, the input gradient (nil when not computed) and the columns.
  private struct BackwardBuffers {
    let x, dy, w: UnsafePointer<Float>
    let dwT: UnsafeMutablePointer<Float>
    let dx: UnsafeMutablePointer<Float>?
    let columns: UnsafeMutablePointer<Float>?
  }

  /// `dL/db[o] += Σ dy[n, o, ·]`.
  private func addBiasGradient(_ gradOutput: Tensor, images: Int, planeSize: Int) {
    guard let bias else { return }
    gradOutput.withUnsafeBufferPointer { dy in
      bias.gradient.withUnsafeMutableBufferPointer { db in
        for image in 0..<images {
          for o in 0..<outChannels {
            db[o] += VectorKernels.sum(dy.baseAddress! + (image * outChannels + o) * planeSize, count: planeSize)
          }
        }
      }
    }
  }

  /// A 1×1, stride-1 convolution: the image is its own column matrix.
  ///
  /// `dWᵀ += col · dYᵀ` is the same product as `dW += dY · colᵀ`, but OpenBLAS runs this
  /// orientation 15–35 % faster for these thin shapes; ``backward(_:)`` transposes it into `dW`.
  private func identityBackward(_ g: ConvGeometry, images: Int, _ b: BackwardBuffers) {
    let rows = g.columnRows, cols = g.columnCount, imageSize = g.channels * g.height * g.width
    for image in 0..<images {
      let dyImage = b.dy + image * outChannels * cols
      gemm(transA: .none, transB: .transposed, m: rows, n: outChannels, k: cols, alpha: 1,
           a: b.x + image * imageSize, lda: cols, b: dyImage, ldb: cols, beta: 1, c: b.dwT, ldc: outChannels)
      if let dx = b.dx {
        gemm(transA: .transposed, transB: .none, m: rows, n: cols, k: outChannels, alpha: 1, a: b.w, lda: rows,
             b: dyImage, ldb: cols, beta: 0, c: dx + image * imageSize, ldc: cols)
      }
    }
  }

  /// Any other convolution, by chunks of images (one per thread) and tiles of output rows: unfold
  /// the tile, add its `dWᵀ`, then `dcol = Wᵀ · dY` folded back onto the image.
  private func tiledBackward(_ g: ConvGeometry, images n: Int, chunk: Int, tileRows: Int, tileSize: Int, _ b: BackwardBuffers) {
    let rows = g.columnRows, cols = g.columnCount, outW = g.outputWidth, imageSize = g.channels * g.height * g.width
    let col = b.columns!
    for first in Swift.stride(from: 0, to: n, by: chunk) {
      let count = min(chunk, n - first)
      for top in Swift.stride(from: 0, to: g.outputHeight, by: tileRows) {
        let band = top..<min(top + tileRows, g.outputHeight), width = band.count * outW
        BatchParallel.forEach(count) { j in
          im2col(g, image: b.x + (first + j) * imageSize, columns: col + j * tileSize, outputRows: band)
        }
        for j in 0..<count {
          gemm(transA: .none, transB: .transposed, m: rows, n: outChannels, k: width, alpha: 1, a: col + j * tileSize, lda: width,
               b: b.dy + (first + j) * outChannels * cols + top * outW, ldb: cols, beta: 1, c: b.dwT, ldc: outChannels)
        }
        guard let dx = b.dx else { continue }
        for j in 0..<count {
          gemm(transA: .transposed, transB: .none, m: rows, n: width, k: outChannels, alpha: 1, a: b.w, lda: rows,
               b: b.dy + (first + j) * outChannels * cols + top * outW, ldb: cols, beta: 0, c: col + j * tileSize, ldc: width)
        }
        BatchParallel.forEach(count) { j in
          col2im(g, columns: col + j * tileSize, image: dx + (first + j) * imageSize, outputRows: band)
        }
      }
    }
  }

  /// Forgets the input kept for ``backward(_:)``; the oneDNN primitives and scratch stay for the next step.
  public func discardForwardCache() {
    input = nil
    forwardOnOneDNN = false
  }

  /// The kept input's bytes.
  public var forwardCacheBytes: Int { (input?.count ?? 0) * MemoryLayout<Float>.size }

  /// One row: output shape, parameters and `2 · C·kh·kw · O · Ho · Wo · N` FLOPs (plus the bias adds).
  public func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int] {
    let g = geometry(inputShape)
    let output = [inputShape[0], outChannels, g.outputHeight, g.outputWidth]
    let positions = output.reduce(1, *)
    let flops = 2 * g.columnRows * positions + (bias == nil ? 0 : positions)
    let kind = "Conv2d(\(inChannels)→\(outChannels), k\(kernelSize) s\(stride) p\(padding) d\(dilation)\(bias == nil ? "" : ", bias"))"
    rows.append(SummaryRow(name: name, kind: kind, outputShape: output, parameters: parameterCount, flops: flops))
    return output
  }
}

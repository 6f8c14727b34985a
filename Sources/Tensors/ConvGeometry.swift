/// The geometry of a 2-D convolution or pooling window over one `[C, H, W]` image.
///
/// Output size per axis: `(in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1`, the
/// PyTorch formula. The column matrix of ``im2col(_:image:columns:)`` is `[C * kh * kw, Ho * Wo]`.
public struct ConvGeometry: Sendable, Equatable {
  /// Input channels C.
  public var channels: Int
  /// Input height H and width W.
  public var height: Int, width: Int
  /// Kernel height and width.
  public var kernelHeight: Int, kernelWidth: Int
  /// Stride per axis.
  public var strideY: Int, strideX: Int
  /// Zero padding per axis, on both sides.
  public var padY: Int, padX: Int
  /// Dilation per axis.
  public var dilationY: Int, dilationX: Int

  /// Creates a geometry with square kernel, stride, padding and dilation.
  public init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
    self.channels = channels
    self.height = height
    self.width = width
    kernelHeight = kernel
    kernelWidth = kernel
    strideY = stride
    strideX = stride
    padY = padding
    padX = padding
    dilationY = dilation
    dilationX = dilation
    precondition(channels > 0 && height > 0 && width > 0, "empty input \(channels)x\(height)x\(width)")
    precondition(kernel > 0 && stride > 0 && padding >= 0 && dilation > 0, "bad window k=\(kernel) s=\(stride) p=\(padding) d=\(dilation)")
    precondition(outputHeight > 0 && outputWidth > 0, "window k=\(kernel) d=\(dilation) p=\(padding) does not fit \(height)x\(width)")
  }

  /// Output height Ho.
  public var outputHeight: Int { (height + 2 * padY - dilationY * (kernelHeight - 1) - 1) / strideY + 1 }
  /// Output width Wo.
  public var outputWidth: Int { (width + 2 * padX - dilationX * (kernelWidth - 1) - 1) / strideX + 1 }
  /// Rows of the column matrix: `C * kh * kw`.
  public var columnRows: Int { channels * kernelHeight * kernelWidth }
  /// Columns of the column matrix: `Ho * Wo`.
  public var columnCount: Int { outputHeight * outputWidth }
  /// Whether the column matrix equals the image (1×1 kernel, stride 1, no padding).
  public var isIdentity: Bool {
    kernelHeight == 1 && kernelWidth == 1 && strideY == 1 && strideX == 1 && padY == 0 && padX == 0
  }

  /// The output columns `ow` whose input column `ow * strideX - padX + offset` lies inside the image.
  @inline(__always)
  func validOutputRange(offsetX: Int) -> Range<Int> {
    // ow * s + offset - pad in [0, width)  <=>  ow in [ceil((pad - offset) / s), ceil((width + pad - offset) / s))
    let lower = max(0, ceilDiv(padX - offsetX, strideX))
    let upper = min(outputWidth, ceilDiv(width + padX - offsetX, strideX))
    return lower..<max(lower, upper)
  }
}

@inline(__always)
private func ceilDiv(_ a: Int, _ b: Int) -> Int {
  a >= 0 ? (a + b - 1) / b : -((-a) / b)
}

/// Unfolds one `[C, H, W]` image into the `[C * kh * kw, Ho * Wo]` column matrix (zeros where the
/// window reads padding), so that a convolution becomes one `gemm`.
public func im2col(_ g: ConvGeometry, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>) {
  im2col(g, image: image, columns: columns, outputRows: 0..<g.outputHeight)
}

/// Unfolds the part of the column matrix that belongs to output rows `outputRows` (a tile of
/// `outputRows.count * Wo` columns) into `[C * kh * kw, outputRows.count * Wo]` at `columns`.
///
/// Tiles let a convolution keep its column matrix in cache: unfold a tile, multiply it, go on.
public func im2col(_ g: ConvGeometry, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>, outputRows: Range<Int>) {
  precondition(outputRows.lowerBound >= 0 && outputRows.upperBound <= g.outputHeight, "im2col rows \(outputRows) outside 0..<\(g.outputHeight)")
  let outW = g.outputWidth, tileRows = outputRows.count
  var row = 0
  for c in 0..<g.channels {
    let plane = image + c * g.height * g.width
    for ki in 0..<g.kernelHeight {
      for kj in 0..<g.kernelWidth {
        let dst = columns + row * tileRows * outW
        let offsetX = kj * g.dilationX
        let valid = g.validOutputRange(offsetX: offsetX)
        for oh in outputRows {
          let out = dst + (oh - outputRows.lowerBound) * outW
          let ih = oh * g.strideY - g.padY + ki * g.dilationY
          if ih < 0 || ih >= g.height {
            out.update(repeating: 0, count: outW)
            continue
          }
          let src = plane + ih * g.width + offsetX - g.padX
          if valid.lowerBound > 0 { out.update(repeating: 0, count: valid.lowerBound) }
          if g.strideX == 1 {
            (out + valid.lowerBound).update(from: src + valid.lowerBound, count: valid.count)
          } else {
            for ow in valid { out[ow] = src[ow * g.strideX] }
          }
          if valid.upperBound < outW { (out + valid.upperBound).update(repeating: 0, count: outW - valid.upperBound) }
        }
        row += 1
      }
    }
  }
}

/// Folds a `[C * kh * kw, Ho * Wo]` column matrix back onto a `[C, H, W]` image, adding (`+=`)
/// every column entry to the pixel it was read from: the adjoint of ``im2col(_:image:columns:)``.
public func col2im(_ g: ConvGeometry, columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>) {
  col2im(g, columns: columns, image: image, outputRows: 0..<g.outputHeight)
}

/// Folds the `[C * kh * kw, outputRows.count * Wo]` tile of output rows `outputRows` back onto the
/// image, adding: the adjoint of ``im2col(_:image:columns:outputRows:)``.
public func col2im(_ g: ConvGeometry, columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>, outputRows: Range<Int>) {
  precondition(outputRows.lowerBound >= 0 && outputRows.upperBound <= g.outputHeight, "col2im rows \(outputRows) outside 0..<\(g.outputHeight)")
  let outW = g.outputWidth, tileRows = outputRows.count
  var row = 0
  for c in 0..<g.channels {
    let plane = image + c * g.height * g.width
    for ki in 0..<g.kernelHeight {
      for kj in 0..<g.kernelWidth {
        let source = columns + row * tileRows * outW
        let offsetX = kj * g.dilationX
        let valid = g.validOutputRange(offsetX: offsetX)
        for oh in outputRows {
          let ih = oh * g.strideY - g.padY + ki * g.dilationY
          if ih < 0 || ih >= g.height { continue }
          let col = source + (oh - outputRows.lowerBound) * outW
          let dst = plane + ih * g.width + offsetX - g.padX
          if g.strideX == 1 {
            for ow in valid { dst[ow] += col[ow] }
          } else {
            for ow in valid { dst[ow * g.strideX] += col[ow] }
          }
        }
        row += 1
      }
    }
  }
}

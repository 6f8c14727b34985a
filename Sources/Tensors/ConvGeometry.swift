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
    // ow * s + offset - pad in [0, width)  <=>  ow in [ceil((pad - offset) / s), ceil((width + pad - offset) / s)),
    // clamped to [0, Wo]: with padding wider than the image (a dilated 3×3 on a small feature map)
    // the lower bound can exceed Wo, and then no output column is valid.
    let lower = min(outputWidth, max(0, ceilDiv(padX - offsetX, strideX)))
    let upper = min(outputWidth, ceilDiv(width + padX - offsetX, strideX))
    return lower..<max(lower, upper)
  }
}

@inline(__always)
private func ceilDiv(_ a: Int, _ b: Int) -> Int {
  a >= 0 ? (a + b - 1) / b : -((-a) / b)
}

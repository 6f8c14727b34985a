public import Tensors

/// Bilinear resizing of `[N, C, H, W]` to `[N, C, Ho, Wo]` with PyTorch's `align_corners=False`
/// semantics: output pixel `o` samples the input at `(o + 0.5) · in / out − 0.5`, clamped at 0,
/// between the two nearest input pixels (the upper one clamped to the last).
///
/// The interpolation is separable: rows are interpolated horizontally into an `[H, Wo]` buffer,
/// then pairs of those rows are blended vertically, so the inner loops are contiguous.
public final class BilinearUpsample: StatelessLayer {
  /// An integer scale factor (when no fixed size is given per call).
  public let scaleFactor: Int
  /// Unused: resizing behaves the same in training and evaluation.
  public var isTraining = true
  private var inputShape: [Int] = []
  private var outputSize = (height: 0, width: 0)

  /// Creates an upsampler by `scaleFactor` for ``forward(_:)``; ``forward(_:height:width:)`` takes any size.
  public init(scaleFactor: Int = 1) {
    precondition(scaleFactor >= 1, "scale factor must be at least 1")
    self.scaleFactor = scaleFactor
  }

  /// `[N, C, H, W]` → `[N, C, H·s, W·s]`.
  public func forward(_ input: Tensor) -> Tensor {
    forward(input, height: input.shape[2] * scaleFactor, width: input.shape[3] * scaleFactor)
  }

  /// `[N, C, H, W]` → `[N, C, height, width]`.
  public func forward(_ input: Tensor, height: Int, width: Int) -> Tensor {
    precondition(input.rank == 4 && height > 0 && width > 0, "BilinearUpsample: input \(input.shape) to \(height)x\(width)")
    inputShape = input.shape
    outputSize = (height, width)
    let inH = input.shape[2], inW = input.shape[3], planes = input.shape[0] * input.shape[1]
    let rowTaps = Self.taps(input: inH, output: height), columnTaps = Self.taps(input: inW, output: width)
    return Tensor(shape: [input.shape[0], input.shape[1], height, width]) { y in
      input.withUnsafeBufferPointer { x in
        // Planes split over the threads, each with its own row buffer.
        BatchParallel.forRanges(planes) { planeRange in
          var rowsBuffer = [Float](repeating: 0, count: inH * width)
          rowsBuffer.withUnsafeMutableBufferPointer { tmp in
            for p in planeRange {
              let src = x.baseAddress! + p * inH * inW
              for h in 0..<inH {
                let row = src + h * inW, out = tmp.baseAddress! + h * width
                for (o, tap) in columnTaps.enumerated() { out[o] = tap.w0 * row[tap.i0] + tap.w1 * row[tap.i1] }
              }
              let dst = y.baseAddress! + p * height * width
              for (o, tap) in rowTaps.enumerated() {
                let r0 = tmp.baseAddress! + tap.i0 * width, r1 = tmp.baseAddress! + tap.i1 * width
                let out = dst + o * width
                for i in 0..<width { out[i] = tap.w0 * r0[i] + tap.w1 * r1[i] }
              }
            }
          }
        }
      }
    }
  }

  /// The adjoint: each output gradient is split onto its four source pixels with the same weights.
  public func backward(_ gradOutput: Tensor) -> Tensor {
    let (height, width) = outputSize
    precondition(gradOutput.shape == [inputShape[0], inputShape[1], height, width], "BilinearUpsample.backward: gradient shape \(gradOutput.shape)")
    let inH = inputShape[2], inW = inputShape[3], planes = inputShape[0] * inputShape[1]
    let rowTaps = Self.taps(input: inH, output: height), columnTaps = Self.taps(input: inW, output: width)
    var dx = Tensor(shape: inputShape)
    dx.withUnsafeMutableBufferPointer { dx in
      gradOutput.withUnsafeBufferPointer { dy in
        BatchParallel.forRanges(planes) { planeRange in
          var rowsBuffer = [Float](repeating: 0, count: inH * width)
          rowsBuffer.withUnsafeMutableBufferPointer { tmp in
            for p in planeRange {
              tmp.update(repeating: 0)
              let src = dy.baseAddress! + p * height * width
              for (o, tap) in rowTaps.enumerated() {
                let g = src + o * width
                let r0 = tmp.baseAddress! + tap.i0 * width, r1 = tmp.baseAddress! + tap.i1 * width
                for i in 0..<width { r0[i] += tap.w0 * g[i] }
                for i in 0..<width { r1[i] += tap.w1 * g[i] }
              }
              let dst = dx.baseAddress! + p * inH * inW
              for h in 0..<inH {
                let row = tmp.baseAddress! + h * width, out = dst + h * inW
                for (o, tap) in columnTaps.enumerated() {
                  out[tap.i0] += tap.w0 * row[o]
                  out[tap.i1] += tap.w1 * row[o]
                }
              }
            }
          }
        }
      }
    }
    return dx
  }

  /// The two source indices and weights of each output index along one axis (PyTorch's rule).
  static func taps(input: Int, output: Int) -> [(i0: Int, i1: Int, w0: Float, w1: Float)] {
    let scale = Float(input) / Float(output)
    return (0..<output).map { o in
      let source = max(0, scale * (Float(o) + 0.5) - 0.5)
      let i0 = min(Int(source), input - 1)
      let i1 = min(i0 + 1, input - 1)
      let lambda = source - Float(i0)
      return (i0, i1, 1 - lambda, lambda)
    }
  }

  /// One row (scale-factor form), 6 FLOPs per output element (two lerps).
  public func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int] {
    summarize(inputShape, height: inputShape[2] * scaleFactor, width: inputShape[3] * scaleFactor, name: name, into: &rows)
  }

  /// One row for resizing to `height × width`.
  public func summarize(_ inputShape: [Int], height: Int, width: Int, name: String, into rows: inout [SummaryRow]) -> [Int] {
    let output = [inputShape[0], inputShape[1], height, width]
    rows.append(SummaryRow(name: name, kind: "BilinearUpsample(align_corners=false)", outputShape: output,
                           parameters: 0, flops: 6 * output.reduce(1, *)))
    return output
  }
}

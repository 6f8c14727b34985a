internal import CDNNL

#if canImport(Glibc)
  import Glibc
#endif

/// Which library computes convolutions: OpenBLAS (`im2col` + `gemm`) or oneDNN (the CPU library
/// PyTorch uses), for the forward and both backward passes.
///
/// By default each convolution takes the faster library for its shape (``preferred(for:)``);
/// `DANCE_BACKEND=openblas` or `DANCE_BACKEND=onednn` forces one for tests and benchmarks.
public enum ConvolutionBackend: String, Sendable, CaseIterable {
  /// `im2col` + OpenBLAS `sgemm`.
  case openblas
  /// oneDNN's JIT kernels on blocked layouts, with reorders from and to NCHW around each call.
  case onednn

  /// The backend `DANCE_BACKEND` names, or `nil` (automatic) when it is unset or empty; an unknown
  /// name is reported once on standard error and ignored.
  public static let forced: ConvolutionBackend? = environmentChoice("DANCE_BACKEND", otherwise: "choosing per shape")

  /// The backend for a convolution of geometry `g`: ``forced`` when set, else the faster one as
  /// `make bench`'s `conv-layers` case measured it on the layers of both networks.
  ///
  /// That is OpenBLAS for a 1×1 convolution over a plane of 2048 positions or more (there oneDNN's
  /// reorders to and from its blocked layout cost more than the product itself, up to twice the
  /// time), and oneDNN for everything else (3×3 convolutions about twice as fast; 1×1 ones on
  /// smaller planes, where the reorders are cheap, faster too).
  public static func preferred(for g: ConvGeometry) -> ConvolutionBackend {
    if let forced { return forced }
    return g.kernelHeight == 1 && g.kernelWidth == 1 && g.height * g.width >= 2048 ? .openblas : .onednn
  }

  /// What convolutions run on, for benchmark output: the forced backend's name, or `per shape`,
  /// and on oneDNN the algorithm.
  public static var description: String {
    (forced?.rawValue ?? "per shape (oneDNN, OpenBLAS for 1x1 on large planes)")
      + (forced == .openblas ? "" : "; " + ConvolutionAlgorithm.description)
  }
}

/// How oneDNN computes a convolution: the direct sum over the kernel, or Winograd's minimal
/// filtering algorithm.
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable {
  /// The sum over the kernel window, as PyTorch's CPU convolutions compute it.
  case direct
  /// Winograd's F(4×4, 3×3): each 6×6 input tile and 3×3 kernel are transformed so that a 4×4
  /// output tile takes 36 products per channel pair instead of 144. For a 3×3 kernel with stride 1
  /// and no dilation only, on CPUs where oneDNN has the kernel (AVX-512); elsewhere the convolution
  /// runs directly. The results differ from the direct sum by rounding only (`WinogradConvolutionTests`
  /// hold all three passes to 1e-4 of it).
  case winograd

  /// The algorithm `DANCE_CONV_ALGORITHM` names, or `nil` (the default) when it is unset or empty;
  /// an unknown name is reported once on standard error and ignored. `winograd` uses it in training
  /// too, `direct` nowhere.
  public static let forced: ConvolutionAlgorithm? = environmentChoice("DANCE_CONV_ALGORITHM", otherwise: "using the default")

  /// Which algorithm runs where, for benchmark output.
  public static var description: String {
    switch forced {
    case .direct?: "direct everywhere"
    case .winograd?: "Winograd for 3x3 stride 1 in training and evaluation, where the CPU has it"
    case nil: "Winograd for 3x3 stride 1 in evaluation, where the CPU has it; direct in training"
    }
  }

  /// The algorithm for a convolution of geometry `g`, for training (a training primitive, which
  /// evaluation then reuses) or for evaluation only.
  ///
  /// Winograd applies to 3×3 convolutions with stride 1 and no dilation; on those layers of both
  /// networks in `make bench`'s `train-step`, `DNNL_VERBOSE` timed it at 0.44–0.92 of the direct
  /// kernel, in every pass. By default it runs in evaluation only: a checkpoint evaluates to the same
  /// mIoU either way (CamVid val, to 0.01 points), while training runs that differ only in it ended
  /// 1.4 and 1.2 points below and 0.8 above the direct runs of the same seeds (see the README), more
  /// than other kernels' rounding moved them, so training stays direct (as PyTorch's is, and as the
  /// committed experiments were trained) unless `DANCE_CONV_ALGORITHM=winograd` asks for it.
  public static func preferred(for g: ConvGeometry, training: Bool) -> ConvolutionAlgorithm {
    let applies = g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 1 && g.strideX == 1 && g.dilationY == 1 && g.dilationX == 1
    switch forced {
    case .direct?: return .direct
    case .winograd?: return applies ? .winograd : .direct
    case nil: return applies && !training ? .winograd : .direct
    }
  }
}

/// The case of `Choice` the environment variable `variable` names, or `nil` when it is unset or
/// empty; an unknown name is reported on standard error (`… otherwise`) and gives `nil`.
func environmentChoice<Choice: RawRepresentable & CaseIterable>(_ variable: String, otherwise: String) -> Choice?
where Choice.RawValue == String {
  guard let name = getenv(variable).map({ String(cString: $0) }), !name.isEmpty else { return nil }
  guard let choice = Choice(rawValue: name) else {
    let names = Choice.allCases.map(\.rawValue).joined(separator: " or ")
    let message = Array("dance: \(variable) must be \(names), not '\(name)'; \(otherwise)\n".utf8)
    _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    return nil
  }
  return choice
}

/// A oneDNN convolution of one geometry, NCHW in and out (see `cdnnl.h`): the forward pass and,
/// when made for training, both backward passes.
public final class OneDNNConvolution {
  private let handle: OpaquePointer
  /// The geometry it was made for.
  public let geometry: ConvGeometry
  /// The batch size and output channels it was made for.
  public let batch: Int, outChannels: Int
  /// Whether it has the backward passes.
  public let training: Bool
  /// The thread count it was made for: oneDNN splits the work (and so the order of its sums) by
  /// the thread count in effect when a primitive is created, so it runs with that count only.
  public let threads: Int

  /// Whether the forward pass ends with a ReLU (evaluation only).
  public let relu: Bool

  /// The algorithm it runs: the one asked for, or ``ConvolutionAlgorithm/direct`` where oneDNN
  /// has no Winograd kernel for the geometry or the CPU.
  public let algorithm: ConvolutionAlgorithm

  /// Creates the primitives, or returns `nil` when oneDNN refuses the geometry; `relu` (evaluation
  /// only) fuses `max(y, 0)` into the forward pass. With ``ConvolutionAlgorithm/winograd`` an
  /// evaluation convolution keeps its transformed weights and transforms them again only when a
  /// call passes different ones.
  public init?(
    _ geometry: ConvGeometry, batch: Int, outChannels: Int, hasBias: Bool, training: Bool, relu: Bool = false,
    algorithm: ConvolutionAlgorithm = .direct
  ) {
    var error: UnsafePointer<CChar>?
    let threads = BLASThreads.count
    cdnnl_set_threads(Int32(threads))
    guard let handle = cdnnl_conv_create(
      Int32(batch), Int32(geometry.channels), Int32(geometry.height), Int32(geometry.width), Int32(outChannels),
      Int32(geometry.kernelHeight), Int32(geometry.kernelWidth), Int32(geometry.strideY), Int32(geometry.strideX),
      Int32(geometry.padY), Int32(geometry.padX), Int32(geometry.dilationY), Int32(geometry.dilationX), hasBias ? 1 : 0,
      training ? 1 : 0, relu ? 1 : 0, algorithm == .winograd ? 1 : 0, &error)
    else { return nil }
    self.algorithm = cdnnl_conv_is_winograd(handle) != 0 ? .winograd : .direct
    self.training = training
    self.relu = relu
    self.threads = threads
    self.handle = handle
    self.geometry = geometry
    self.batch = batch
    self.outChannels = outChannels
  }

  deinit { cdnnl_conv_destroy(handle) }

  /// The kernel oneDNN chose, e.g. `jit:avx512_core`.
  public var implementation: String { String(cString: cdnnl_conv_implementation(handle)) }

  /// `y = conv(x, weight) + bias`, then `max(y, 0)` when made with ``relu``; buffers in NCHW / OIHW, sized for the geometry. Returns false
  /// when oneDNN fails (the caller then computes the convolution itself).
  public func forward(
    _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>
  ) -> Bool {
    var error: UnsafePointer<CChar>?
    cdnnl_set_threads(Int32(threads))
    return cdnnl_conv_forward(handle, x, weight, bias, y, &error) == 0
  }

  /// Writes `dw = dL/dw`, `db = dL/db` (with a bias) and, unless `dx` is nil, `dx = dL/dx`, from
  /// the forward input `x` and `dy` (overwriting all three); false when oneDNN fails or the
  /// convolution was not made for training.
  public func backward(
    _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
    weightGradient dw: UnsafeMutablePointer<Float>, biasGradient db: UnsafeMutablePointer<Float>?
  ) -> Bool {
    var error: UnsafePointer<CChar>?
    cdnnl_set_threads(Int32(threads))
    return cdnnl_conv_backward(handle, x, dy, weight, dx, dw, db, &error) == 0
  }
}

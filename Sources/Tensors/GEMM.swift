internal import CBLAS

/// Whether a `gemm` operand is used as stored or transposed.
public enum Transpose: Sendable {
  /// The operand as stored (row-major).
  case none
  /// The transpose of the stored operand.
  case transposed
}

/// `C = alpha * op(A) * op(B) + beta * C` on row-major float32 matrices: the one BLAS seam.
///
/// `op(A)` is `[m, k]`, `op(B)` is `[k, n]` and `C` is `[m, n]`; `lda`, `ldb`, `ldc` are the
/// row strides of the matrices as stored. Every matrix product in `Tensors` and `NN` goes through
/// this function. The corresponding C function is `cblas_sgemm` (OpenBLAS, `CblasRowMajor`); its
/// threads are set with ``BLASThreads``.
public func gemm(
  transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int,
  alpha: Float, a: UnsafePointer<Float>, lda: Int,
  b: UnsafePointer<Float>, ldb: Int,
  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
  precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
  precondition(lda >= max(1, transA == .none ? k : m), "gemm: lda \(lda) too small")
  precondition(ldb >= max(1, transB == .none ? n : k), "gemm: ldb \(ldb) too small")
  precondition(ldc >= max(1, n), "gemm: ldc \(ldc) too small")
  if m == 0 || n == 0 { return }
  cblas_sgemm(
    CblasRowMajor,
    transA == .none ? CblasNoTrans : CblasTrans,
    transB == .none ? CblasNoTrans : CblasTrans,
    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// The textbook triple loop computing the same as ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
///
/// It accumulates in `Double` and exists as executable documentation and as the reference the
/// tests compare `gemm` against; nothing on a hot path calls it.
public func gemmNaive(
  transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int,
  alpha: Float, a: UnsafePointer<Float>, lda: Int,
  b: UnsafePointer<Float>, ldb: Int,
  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
  for i in 0..<m {
    for j in 0..<n {
      var sum = 0.0
      for p in 0..<k {
        let aValue = transA == .none ? a[i * lda + p] : a[p * lda + i]
        let bValue = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
        sum += Double(aValue) * Double(bValue)
      }
      let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
      c[i * ldc + j] = Float(Double(alpha) * sum + previous)
    }
  }
}

/// The number of threads the BLAS and the batch-parallel loops of `Tensors` use.
public enum BLASThreads {
  /// The current thread count of OpenBLAS (`openblas_get_num_threads`).
  public static var count: Int { Int(openblas_get_num_threads()) }

  /// The name of the kernel set OpenBLAS chose for this CPU (`openblas_get_corename`), e.g. `SkylakeX`.
  ///
  /// OpenBLAS picks it once, at load time, from the CPU model or from `OPENBLAS_CORETYPE`; CPUs newer
  /// than the library fall back to old kernels such as `Prescott` (SSE3), several times slower.
  public static var coreName: String { String(cString: openblas_get_corename()) }

  /// How the loaded OpenBLAS runs its threads (`openblas_get_parallel`): `openmp` when it is the
  /// OpenMP build the package links (one pool with oneDNN and ``BatchParallel``), `pthreads` when
  /// the loader found the system default build instead, `sequential` for a single-threaded build.
  public static var threading: String {
    switch openblas_get_parallel() {
    case 0: "sequential"
    case 1: "pthreads"
    case 2: "openmp"
    default: "unknown"
    }
  }

  /// Sets the OpenBLAS thread count (`openblas_set_num_threads`); `count` must be at least 1.
  public static func set(_ count: Int) {
    precondition(count >= 1, "thread count must be at least 1, got \(count)")
    openblas_set_num_threads(Int32(count))
  }
}

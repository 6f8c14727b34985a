import DanceCore
import Tensors
import TestSupport
import Testing

@Suite struct GEMMTests {
  @Test(arguments: [
    (Transpose.none, Transpose.none, 3, 5, 4), (.transposed, .none, 7, 2, 9), (.none, .transposed, 1, 8, 3),
    (.transposed, .transposed, 6, 6, 1), (.none, .none, 33, 17, 65),
  ])
  func matchesNaiveReference(transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int) {
    var generator = SplitMix(seed: UInt64(m * 100 + n * 10 + k))
    let a = randomFloats(m * k, using: &generator), b = randomFloats(k * n, using: &generator)
    let c0 = randomFloats(m * n, using: &generator)
    let lda = transA == .none ? k : m, ldb = transB == .none ? n : k
    var fast = c0, naive = c0
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        fast.withUnsafeMutableBufferPointer { c in
          gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.baseAddress!, lda: lda,
               b: b.baseAddress!, ldb: ldb, beta: 2, c: c.baseAddress!, ldc: n)
        }
        naive.withUnsafeMutableBufferPointer { c in
          gemmNaive(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.baseAddress!, lda: lda,
                    b: b.baseAddress!, ldb: ldb, beta: 2, c: c.baseAddress!, ldc: n)
        }
      }
    }
    expectClose(fast, naive.map(Double.init), rtol: 1e-5, atol: 1e-5, "gemm vs naive")
    // The naive reference itself against the definition, element (0, 0).
    var expected = 0.0
    for p in 0..<k {
      let aValue = transA == .none ? a[p] : a[p * m]
      let bValue = transB == .none ? b[p * n] : b[p]
      expected += Double(aValue) * Double(bValue)
    }
    expectClose([naive[0]], [0.5 * expected + 2 * Double(c0[0])], rtol: 1e-6, atol: 1e-6, "naive (0, 0)")
  }

  @Test func threadCountCanBeSetAndRead() {
    let before = BLASThreads.count
    BLASThreads.set(1)
    #expect(BLASThreads.count == 1)
    BLASThreads.set(max(1, before))
    #expect(BLASThreads.count == max(1, before))
  }
}

import DanceCore
import NN
import Tensors
import TestSupport
import Testing

@Suite struct SimpleLayerTests {
  /// Values spaced at least 0.02 apart and away from 0, so that no central difference crosses a
  /// ReLU kink or changes a max-pool winner.
  static func separated(_ shape: [Int], seed: UInt64) -> Tensor {
    var generator = SplitMix(seed: seed)
    let count = shape.reduce(1, *)
    let values = (0..<count).map { Float($0 - count / 2) * 0.05 + 0.025 }.shuffled(using: &generator)
    return Tensor(shape: shape, storage: values)
  }

  @Test(arguments: [[2, 3, 4, 5], [1, 1, 1, 7]])
  func reluGradient(shape: [Int]) {
    checkGradientsNumerically(ReLU(), input: Self.separated(shape, seed: 1), seed: 2)
  }

  @Test(arguments: [(2, 2, 0), (3, 2, 1), (3, 1, 1), (2, 1, 0)])
  func maxPoolGradient(kernel: Int, stride: Int, padding: Int) {
    let pool = MaxPool2d(kernelSize: kernel, stride: stride, padding: padding)
    checkGradientsNumerically(pool, input: Self.separated([2, 2, 6, 5], seed: 3), seed: 4)
    let y = pool.forward(Tensor(shape: [1, 1, 2, 2], storage: [1, 4, 3, 2]))
    if kernel == 2 && stride == 2 { #expect(y.storage == [4]) }
  }

  @Test(arguments: [[2, 3, 4, 5], [3, 2, 1, 1]])
  func globalAveragePoolGradient(shape: [Int]) {
    let pool = GlobalAvgPool2d()
    let x = randomTensor(shape, seed: 5)
    expectClose(pool.forward(x).storage, (0..<shape[0] * shape[1]).map { p in
      let plane = shape[2] * shape[3]
      return x.storage[p * plane..<(p + 1) * plane].reduce(0.0) { $0 + Double($1) } / Double(plane)
    }, rtol: 1e-6, atol: 1e-6, "mean")
    checkGradientsNumerically(pool, input: x, seed: 6)
  }

  @Test(arguments: [0.0 as Float, 0.3, 0.7])
  func dropoutGradientAndScaling(probability: Float) {
    let dropout = Dropout(probability: probability, seed: 9)
    let x = randomTensor([2, 3, 8, 8], seed: 7)
    let y = dropout.forward(x)
    let dx = dropout.backward(Tensor(shape: x.shape, repeating: 1))
    var kept = 0
    for i in 0..<x.count {
      if y.storage[i] == 0 && x.storage[i] != 0 { #expect(dx.storage[i] == 0) } else {
        kept += 1
        expectClose([y.storage[i]], [Double(x.storage[i]) / Double(1 - probability)], rtol: 1e-6, atol: 0, "kept value")
        expectClose([dx.storage[i]], [1 / Double(1 - probability)], rtol: 1e-6, atol: 0, "kept gradient")
      }
    }
    let rate = Double(kept) / Double(x.count)
    #expect(abs(rate - Double(1 - probability)) < 0.08)
    dropout.isTraining = false
    #expect(dropout.forward(x) == x)
  }

  @Test func concatAndSplitAreAdjoint() {
    let a = randomTensor([2, 1, 3, 4], seed: 1), b = randomTensor([2, 3, 3, 4], seed: 2)
    let joined = concatChannels([a, b])
    #expect(joined.shape == [2, 4, 3, 4])
    #expect(joined[1, 0, 2, 3] == a[1, 0, 2, 3])
    #expect(joined[1, 2, 1, 0] == b[1, 1, 1, 0])
    let parts = splitChannels(joined, sizes: [1, 3])
    #expect(parts == [a, b])
    // Gradient: d⟨concat(a, b), r⟩/da = split(r)[0], by central differences.
    let r = randomTensor(joined.shape, seed: 3)
    let analytic = splitChannels(r, sizes: [1, 3])
    for (index, part) in [a, b].enumerated() {
      let numeric = numericalGradient(at: part.storage.map(Double.init), epsilon: 1e-2) { values in
        let moved = Tensor(shape: part.shape, storage: values.map(Float.init))
        return dot(concatChannels(index == 0 ? [moved, b] : [a, moved]).storage, r.storage)
      }
      expectClose(analytic[index].storage, numeric, rtol: 1e-3, atol: 1e-4, "d/d input \(index)")
    }
  }
}

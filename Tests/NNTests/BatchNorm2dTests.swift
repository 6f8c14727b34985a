import DanceCore
import NN
import Tensors
import TestSupport
import Testing

@Suite struct BatchNorm2dTests {
  /// Training-mode batch norm in Double.
  static func reference(_ x: [Double], shape: [Int], gamma: [Double], beta: [Double], eps: Double, relu: Bool = false) -> [Double] {
    let (n, c, plane) = (shape[0], shape[1], shape[2] * shape[3])
    var y = x
    for ch in 0..<c {
      var values: [Double] = []
      for i in 0..<n { for p in 0..<plane { values.append(x[(i * c + ch) * plane + p]) } }
      let mean = values.reduce(0, +) / Double(values.count)
      let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
      for i in 0..<n {
        for p in 0..<plane {
          let index = (i * c + ch) * plane + p
          y[index] = gamma[ch] * (x[index] - mean) / (variance + eps).squareRoot() + beta[ch]
          if relu { y[index] = max(y[index], 0) }
        }
      }
    }
    return y
  }

  @Test(arguments: [[2, 3, 4, 5], [4, 2, 1, 1], [1, 2, 3, 3], [3, 1, 2, 7]], [false, true])
  func trainingGradientsMatchDoubleReference(shape: [Int], relu: Bool) {
    var generator = SplitMix(seed: UInt64(shape.reduce(0, +)))
    let bn = BatchNorm2d(shape[1], relu: relu)
    bn.scale.value = Tensor(shape: [shape[1]], storage: randomFloats(shape[1], in: 0.5...1.5, using: &generator))
    bn.shift.value = Tensor(shape: [shape[1]], storage: randomFloats(shape[1], using: &generator))
    // An offset mean checks that the statistics are not taken around zero.
    let x = Tensor(shape: shape, storage: randomFloats(shape.reduce(1, *), using: &generator).map { 3 + 2 * $0 })
    let r = randomFloats(x.count, using: &generator)
    let analytic = analyticGradients(bn, input: x) { Tensor(shape: $0.shape, storage: r) }
    let xd = x.storage.map(Double.init), gd = bn.scale.value.storage.map(Double.init), bd = bn.shift.value.storage.map(Double.init)
    let rd = r.map(Double.init)
    func loss(_ x: [Double], _ g: [Double], _ b: [Double]) -> Double {
      zip(Self.reference(x, shape: shape, gamma: g, beta: b, eps: 1e-5, relu: relu), rd).reduce(0) { $0 + $1.0 * $1.1 }
    }
    expectClose(analytic.output.storage, Self.reference(xd, shape: shape, gamma: gd, beta: bd, eps: 1e-5, relu: relu), rtol: 1e-4, atol: 1e-4, "forward")
    expectClose(analytic.input.storage, numericalGradient(at: xd, epsilon: 1e-5) { loss($0, gd, bd) }, rtol: 1e-3, atol: 2e-4, "dx")
    expectClose(analytic.parameters[0].storage, numericalGradient(at: gd, epsilon: 1e-5) { loss(xd, $0, bd) }, rtol: 1e-4, atol: 1e-4, "dgamma")
    expectClose(analytic.parameters[1].storage, numericalGradient(at: bd, epsilon: 1e-5) { loss(xd, gd, $0) }, rtol: 1e-4, atol: 1e-4, "dbeta")
  }

  @Test func runningStatisticsFollowPyTorch() {
    let bn = BatchNorm2d(2, momentum: 0.1)
    let x = randomTensor([3, 2, 2, 2], seed: 9)
    _ = bn.forward(x)
    _ = bn.forward(x)
    for c in 0..<2 {
      var values: [Double] = []
      for n in 0..<3 { for p in 0..<4 { values.append(Double(x.storage[(n * 2 + c) * 4 + p])) } }
      let mean = values.reduce(0, +) / 12
      let unbiased = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 11
      // Two updates from (0, 1): m = 0.19·batch; v = 0.81 + 0.19·batch.
      expectClose([bn.runningMean.storage[c]], [0.19 * mean], rtol: 1e-5, atol: 1e-6, "running mean")
      expectClose([bn.runningVariance.storage[c]], [0.81 + 0.19 * unbiased], rtol: 1e-5, atol: 1e-6, "running var")
    }
    #expect(bn.batchesTracked == 2)
  }

  @Test func evaluationUsesRunningStatisticsAndIsAffine() {
    let bn = BatchNorm2d(2)
    _ = bn.forward(randomTensor([4, 2, 3, 3], seed: 4))
    bn.isTraining = false
    let tracked = bn.batchesTracked
    let mean = bn.runningMean.storage, variance = bn.runningVariance.storage
    let x = randomTensor([2, 2, 3, 3], seed: 5)
    let y = bn.forward(x)
    let expected = x.storage.indices.map { i -> Double in
      let c = (i / 9) % 2
      return (Double(x.storage[i]) - Double(mean[c])) / (Double(variance[c]) + 1e-5).squareRoot()
    }
    expectClose(y.storage, expected, rtol: 1e-5, atol: 1e-5, "eval forward")
    #expect(bn.batchesTracked == tracked)
    checkGradientsNumerically(bn, input: x, seed: 6)
  }
}

import DanceCore
import Foundation
import NN
import Tensors
import TestSupport
import Testing

@Suite struct SoftmaxCrossEntropyTests {
  /// The weighted mean over valid pixels of −log softmax, in Double.
  static func reference(_ logits: [Double], shape: [Int], labels: [Int32], weights: [Double]) -> Double {
    let (n, k, plane) = (shape[0], shape[1], shape[2] * shape[3])
    var total = 0.0, valid = 0
    for image in 0..<n {
      for p in 0..<plane {
        let label = labels[image * plane + p]
        if label == 255 { continue }
        valid += 1
        let values = (0..<k).map { logits[(image * k + $0) * plane + p] }
        let m = values.max()!
        let logSum = m + log(values.reduce(0) { $0 + exp($1 - m) })
        total += weights[image] * (logSum - values[Int(label)])
      }
    }
    return valid == 0 ? 0 : total / Double(valid)
  }

  static func labels(_ count: Int, classes: Int, ignoreEvery: Int, seed: UInt64) -> [Int32] {
    var generator = SplitMix(seed: seed)
    return (0..<count).map { $0 % ignoreEvery == ignoreEvery - 1 ? 255 : Int32.random(in: 0..<Int32(classes), using: &generator) }
  }

  @Test(arguments: [([2, 4, 3, 3], 4, true), ([1, 19, 2, 5], 3, false), ([3, 2, 1, 4], 1000, true)])
  func lossAndGradientMatchDoubleReference(shape: [Int], ignoreEvery: Int, weighted: Bool) {
    let logits = randomTensor(shape, seed: 1).storage.map { $0 * 4 }
    let x = Tensor(shape: shape, storage: logits)
    let labels = Self.labels(shape[0] * shape[2] * shape[3], classes: shape[1], ignoreEvery: ignoreEvery, seed: 2)
    let weights: [Float] = weighted ? (0..<shape[0]).map { 0.5 + Float($0) * 0.5 } : Array(repeating: 1, count: shape[0])
    var loss = SoftmaxCrossEntropy()
    let value = loss.forward(logits: x, labels: labels, sampleWeights: weighted ? weights : nil)
    let wd = weights.map(Double.init)
    let expected = Self.reference(logits.map(Double.init), shape: shape, labels: labels, weights: wd)
    expectClose([value], [expected], rtol: 1e-5, atol: 1e-6, "loss")
    let numeric = numericalGradient(at: logits.map(Double.init), epsilon: 1e-5) {
      Self.reference($0, shape: shape, labels: labels, weights: wd)
    }
    expectClose(loss.backward().storage, numeric, rtol: 1e-3, atol: 1e-6, "dlogits")
  }

  /// Planes larger than the loss's pixel chunk: compared with the closed-form gradient
  /// `wₙ (softmax − onehot) / valid` in Double.
  @Test func largePlanesMatchClosedForm() {
    let shape = [2, 3, 48, 50], plane = 48 * 50
    let logits = randomTensor(shape, seed: 3).storage.map { $0 * 3 }
    let labels = Self.labels(2 * plane, classes: 3, ignoreEvery: 5, seed: 4)
    let weights: [Float] = [0.7, 1.3]
    var loss = SoftmaxCrossEntropy()
    let value = loss.forward(logits: Tensor(shape: shape, storage: logits), labels: labels, sampleWeights: weights)
    let x = logits.map(Double.init)
    expectClose([value], [Self.reference(x, shape: shape, labels: labels, weights: weights.map(Double.init))], rtol: 1e-5, atol: 1e-6, "loss")
    let valid = Double(labels.filter { $0 != 255 }.count)
    var expected = [Double](repeating: 0, count: x.count)
    for image in 0..<2 {
      for p in 0..<plane where labels[image * plane + p] != 255 {
        let values = (0..<3).map { x[(image * 3 + $0) * plane + p] }
        let m = values.max()!, total = values.reduce(0) { $0 + exp($1 - m) }
        for k in 0..<3 {
          let onehot = Int(labels[image * plane + p]) == k ? 1.0 : 0.0
          expected[(image * 3 + k) * plane + p] = Double(weights[image]) * (exp(values[k] - m) / total - onehot) / valid
        }
      }
    }
    expectClose(loss.backward().storage, expected, rtol: 1e-4, atol: 1e-9, "dlogits")
  }

  @Test func allIgnoredGivesZeroLossAndGradient() {
    var loss = SoftmaxCrossEntropy()
    let value = loss.forward(logits: randomTensor([1, 3, 2, 2], seed: 4), labels: [255, 255, 255, 255])
    #expect(value == 0)
    #expect(loss.backward().storage.allSatisfy { $0 == 0 })
  }

  @Test func extremeLogitsStayFinite() {
    var loss = SoftmaxCrossEntropy()
    let x = Tensor(shape: [1, 2, 1, 2], storage: [300, -300, -300, 300])
    let value = loss.forward(logits: x, labels: [1, 1])
    expectClose([value], [300], rtol: 1e-6, atol: 0, "loss")
    #expect(loss.backward().storage.allSatisfy { $0.isFinite })
  }
}

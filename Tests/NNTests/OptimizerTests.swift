import Foundation
import NN
import Tensors
import TestSupport
import Testing

@Suite struct OptimizerTests {
  /// PyTorch's SGD update in Double for one scalar over several steps of given gradients.
  static func reference(theta: Double, gradients: [Double], lr: Double, momentum: Double, decay: Double, nesterov: Bool) -> Double {
    var theta = theta, buffer: Double?
    for raw in gradients {
      var g = raw + decay * theta
      if momentum != 0 {
        let b = buffer.map { momentum * $0 + g } ?? g
        buffer = b
        g = nesterov ? g + momentum * b : b
      }
      theta -= lr * g
    }
    return theta
  }

  @Test(arguments: [(0.0, 0.0, false), (0.9, 0.0, false), (0.9, 1e-2, false), (0.9, 1e-2, true), (0.0, 0.1, false)])
  func sgdMatchesPyTorchFormula(momentum: Double, decay: Double, nesterov: Bool) {
    let start: [Float] = [0.5, -1.0, 2.0]
    let weight = Parameter(Tensor(shape: [3], storage: start))
    let bias = Parameter(Tensor(shape: [3], storage: start), decays: false)
    let optimizer = SGD(parameters: [weight, bias], learningRate: 0.1, momentum: Float(momentum), weightDecay: Float(decay), nesterov: nesterov)
    let steps: [[Float]] = [[1, -2, 0.5], [0.3, 0.1, -1], [-0.7, 0.2, 0.4]]
    for gradient in steps {
      optimizer.zeroGrad()
      for parameter in [weight, bias] { parameter.gradient.add(Tensor(shape: [3], storage: gradient)) }
      optimizer.step()
    }
    for (parameter, d) in [(weight, decay), (bias, 0.0)] {
      let expected = (0..<3).map { i in
        Self.reference(theta: Double(start[i]), gradients: steps.map { Double($0[i]) }, lr: 0.1, momentum: momentum, decay: d, nesterov: nesterov)
      }
      expectClose(parameter.value.storage, expected, rtol: 1e-5, atol: 1e-6, "theta")
    }
  }

  @Test(arguments: [(0, 1.0), (50, pow(0.5, 0.9)), (75, pow(0.25, 0.9)), (100, 0.0), (130, 0.0)])
  func polyScheduleDecays(step: Int, factor: Double) {
    let schedule = PolyLearningRate(base: 0.01, totalSteps: 100)
    expectClose([schedule.rate(at: step)], [0.01 * factor], rtol: 1e-5, atol: 1e-9, "lr")
  }
}

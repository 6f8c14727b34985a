import DanceCore
import NN
import Tensors
import TestSupport
import Testing

/// Runs forward, then backward with upstream gradient `r`, from zeroed gradients; returns the
/// output, the input gradient and each parameter's gradient.
func analyticGradients(_ layer: any Layer, input: Tensor, upstream: (Tensor) -> Tensor) -> (output: Tensor, input: Tensor, parameters: [Tensor]) {
  layer.zeroGrad()
  let output = layer.forward(input)
  let gradInput = layer.backward(upstream(output))
  return (output, gradInput, layer.parameters.map(\.gradient))
}

/// Checks a layer's input and parameter gradients against central differences of its own Float
/// forward pass under the scalar loss `⟨forward(x), r⟩` (accumulated in Double). Suited to layers
/// that are linear or piecewise linear away from their kinks, where Float differences are exact up
/// to rounding.
func checkGradientsNumerically(
  _ layer: any Layer, input: Tensor, seed: UInt64, epsilon: Double = 1e-2, rtol: Double = 1e-2, atol: Double = 1e-3,
  sampleLimit: Int = .max, sourceLocation: SourceLocation = #_sourceLocation
) {
  var generator = SplitMix(seed: seed)
  let probe = layer.forward(input)
  let r = randomFloats(probe.count, using: &generator)
  let analytic = analyticGradients(layer, input: input) { Tensor(shape: $0.shape, storage: r) }
  func loss() -> Double { dot(layer.forward(input).storage, r) }
  // Input gradient.
  if analytic.input.count == input.count {
    let indices = sampled(input.count, limit: sampleLimit, using: &generator)
    let numeric = numericalGradient(at: indices.map { Double(input.storage[$0]) }, epsilon: epsilon) { values in
      var x = input
      for (slot, index) in indices.enumerated() { x.storage[index] = Float(values[slot]) }
      return dot(layer.forward(x).storage, r)
    }
    expectClose(indices.map { analytic.input.storage[$0] }, numeric, rtol: rtol, atol: atol, "input gradient", sourceLocation: sourceLocation)
  }
  // Parameter gradients.
  for (number, parameter) in layer.parameters.enumerated() {
    let original = parameter.value
    let indices = sampled(original.count, limit: sampleLimit, using: &generator)
    let numeric = numericalGradient(at: indices.map { Double(original.storage[$0]) }, epsilon: epsilon) { values in
      for (slot, index) in indices.enumerated() { parameter.value.storage[index] = Float(values[slot]) }
      defer { parameter.value = original }
      return loss()
    }
    expectClose(indices.map { analytic.parameters[number].storage[$0] }, numeric, rtol: rtol, atol: atol,
                "parameter \(number) gradient", sourceLocation: sourceLocation)
  }
}

/// All indices below `count`, or `limit` distinct ones chosen at random.
func sampled(_ count: Int, limit: Int, using generator: inout SplitMix) -> [Int] {
  guard count > limit else { return Array(0..<count) }
  return Array(Array(0..<count).shuffled(using: &generator).prefix(limit))
}

/// A tensor of `shape` with uniform values in [-1, 1].
func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
  var generator = SplitMix(seed: seed)
  return Tensor(shape: shape, storage: randomFloats(shape.reduce(1, *), using: &generator))
}

/// The gradient check for composite layers (blocks, heads, whole models).
///
/// Deep stacks of ReLUs after batch norm make some central differences cross a kink and Float
/// noise grows with depth, so instead of every element this compares, per tensor, the sampled
/// analytic and numerical gradient vectors: `‖a − n‖ ≤ tolerance · ‖n‖ + atol · √k`. A wiring
/// mistake (a missing branch, a gradient sent to the wrong input) fails it by a wide margin.
func checkCompositeGradients(
  _ layer: any Layer, input: Tensor, seed: UInt64, epsilon: Double = 1e-3, tolerance: Double = 0.15, atol: Double = 1e-3,
  sampleLimit: Int = 12, sourceLocation: SourceLocation = #_sourceLocation
) {
  var generator = SplitMix(seed: seed)
  let r = randomFloats(layer.forward(input).count, using: &generator)
  let analytic = analyticGradients(layer, input: input) { Tensor(shape: $0.shape, storage: r) }
  func compare(_ a: [Float], _ n: [Double], _ label: String) {
    let difference = zip(a, n).reduce(0.0) { $0 + (Double($1.0) - $1.1) * (Double($1.0) - $1.1) }.squareRoot()
    let norm = n.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
    let bound = tolerance * norm + atol * Double(n.count).squareRoot()
    #expect(difference <= bound, "\(label): ‖a − n‖ = \(difference), ‖n‖ = \(norm); a \(a.prefix(4)) n \(n.prefix(4))",
            sourceLocation: sourceLocation)
  }
  if analytic.input.count == input.count {
    let indices = sampled(input.count, limit: sampleLimit, using: &generator)
    let numeric = numericalGradient(at: indices.map { Double(input.storage[$0]) }, epsilon: epsilon) { values in
      var x = input
      for (slot, index) in indices.enumerated() { x.storage[index] = Float(values[slot]) }
      return dot(layer.forward(x).storage, r)
    }
    compare(indices.map { analytic.input.storage[$0] }, numeric, "input gradient")
  }
  for (number, parameter) in layer.parameters.enumerated() {
    let original = parameter.value
    let indices = sampled(original.count, limit: sampleLimit, using: &generator)
    let numeric = numericalGradient(at: indices.map { Double(original.storage[$0]) }, epsilon: epsilon) { values in
      for (slot, index) in indices.enumerated() { parameter.value.storage[index] = Float(values[slot]) }
      defer { parameter.value = original }
      return dot(layer.forward(input).storage, r)
    }
    compare(indices.map { analytic.parameters[number].storage[$0] }, numeric, "parameter \(number) gradient")
  }
}

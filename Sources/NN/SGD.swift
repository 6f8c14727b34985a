import Tensors

/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay (PyTorch's `SGD`).
///
/// Per parameter: `g = ∇ + λ·θ` (λ only where ``Parameter/decays``), `b = μ·b + g` (the first step
/// sets `b = g`), then `θ -= lr · (g + μ·b)` with Nesterov or `θ -= lr · b` without.
public final class SGD {
  /// The parameters updated by ``step()``.
  public let parameters: [Parameter]
  /// The learning rate; schedules set it before each step.
  public var learningRate: Float
  /// The momentum factor μ (0 disables momentum).
  public let momentum: Float
  /// The weight-decay factor λ.
  public let weightDecay: Float
  /// Whether to use Nesterov momentum.
  public let nesterov: Bool
  private var buffers: [[Float]]

  /// Creates an optimizer over `parameters`.
  public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
    precondition(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0")
    self.parameters = parameters
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.nesterov = nesterov
    buffers = Array(repeating: [], count: parameters.count)
  }

  /// Applies one update from the accumulated gradients (it does not zero them).
  public func step() {
    let lr = learningRate, mu = momentum
    for (index, parameter) in parameters.enumerated() {
      let decay = parameter.decays ? weightDecay : 0
      let first = buffers[index].isEmpty
      if first && mu != 0 { buffers[index] = [Float](repeating: 0, count: parameter.count) }
      parameter.value.withUnsafeMutableBufferPointer { theta in
        parameter.gradient.withUnsafeBufferPointer { grad in
          if mu == 0 {
            for i in 0..<theta.count { theta[i] -= lr * (grad[i] + decay * theta[i]) }
            return
          }
          buffers[index].withUnsafeMutableBufferPointer { b in
            for i in 0..<theta.count {
              let g = grad[i] + decay * theta[i]
              b[i] = first ? g : mu * b[i] + g
              theta[i] -= lr * (nesterov ? g + mu * b[i] : b[i])
            }
          }
        }
      }
    }
  }

  /// The momentum buffers `b`, one per parameter in ``parameters`` order; an empty buffer means the
  /// parameter has not been stepped yet. Checkpoints save and restore them so a resumed run continues
  /// exactly.
  public var momentumBuffers: [[Float]] {
    get { buffers }
    set {
      precondition(newValue.count == parameters.count, "\(newValue.count) momentum buffers for \(parameters.count) parameters")
      for (buffer, parameter) in zip(newValue, parameters) {
        precondition(buffer.isEmpty || buffer.count == parameter.count, "momentum buffer of \(buffer.count) for a parameter of \(parameter.count)")
      }
      buffers = newValue
    }
  }

  /// Sets every parameter gradient to zero.
  public func zeroGrad() { for parameter in parameters { parameter.zeroGrad() } }
}

public import Tensors

/// A trainable tensor and the gradient that backward passes accumulate into it.
///
/// Layers own their parameters and expose them through ``Layer/parameters``; optimizers see only
/// parameters. `Parameter` is a class so that a layer and an optimizer refer to the same storage.
public final class Parameter {
  /// The current value.
  public var value: Tensor
  /// The accumulated gradient of the loss with respect to ``value``; same shape.
  public var gradient: Tensor
  /// Whether weight decay applies (false for batch-norm scales and shifts and for biases).
  public let decays: Bool

  /// Creates a parameter holding `value` with a zero gradient.
  public init(_ value: Tensor, decays: Bool = true) {
    self.value = value
    self.gradient = Tensor(shape: value.shape)
    self.decays = decays
  }

  /// Resets ``gradient`` to zero.
  public func zeroGrad() { gradient.zero() }

  /// The number of scalar values.
  public var count: Int { value.count }
}

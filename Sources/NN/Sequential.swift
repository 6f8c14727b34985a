public import Tensors

/// Layers applied one after another, named `0`, `1`, … like PyTorch's `nn.Sequential`.
public final class Sequential: Layer {
  /// The layers in order.
  public let layers: [any Layer]

  /// Creates a chain of `layers`.
  public init(_ layers: [any Layer]) { self.layers = layers }

  /// Conv 3×3 (or `kernelSize`, padding keeping the size at stride 1), batch norm, ReLU, without
  /// conv bias: the `cbr` block of the reference benchmark. The batch norm and the ReLU are one
  /// fused layer (``BatchNorm2d/appliesReLU``), so the layers are `0` = conv, `1` = BN+ReLU, which
  /// gives PyTorch's `nn.Sequential(conv, bn, relu)` state names.
  public static func convBNReLU<G: RandomNumberGenerator>(
    _ inChannels: Int, _ outChannels: Int, kernelSize: Int = 3, stride: Int = 1, dilation: Int = 1,
    generator: inout G
  ) -> Sequential {
    Sequential([
      Conv2d(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: dilation * (kernelSize - 1) / 2,
             dilation: dilation, generator: &generator),
      BatchNorm2d(outChannels, relu: true),
    ])
  }

  /// Training or evaluation mode, passed down to every layer.
  public var isTraining: Bool {
    get { layers.first?.isTraining ?? true }
    set { for layer in layers { layer.isTraining = newValue } }
  }

  /// The layers in order.
  public var sublayers: [any Layer] { layers }

  /// The parameters of all layers, in order.
  public var parameters: [Parameter] { layers.flatMap(\.parameters) }

  /// The state of layer `i` prefixed `i.`.
  public var state: [StateEntry] {
    layers.enumerated().flatMap { index, layer in layer.state.prefixed(String(index)) }
  }

  /// Applies the layers in order; in evaluation a convolution followed by a batch norm runs as one
  /// folded pass (``Conv2d/forward(_:normalizedBy:)``).
  public func forward(_ input: Tensor) -> Tensor {
    var x = input, index = layers.startIndex
    while index < layers.endIndex {
      if let conv = layers[index] as? Conv2d, !conv.isTraining, index + 1 < layers.endIndex, let bn = layers[index + 1] as? BatchNorm2d {
        x = conv.forward(x, normalizedBy: bn)
        index += 2
      } else {
        x = layers[index].forward(x)
        index += 1
      }
    }
    return x
  }

  /// Back-propagates through the layers in reverse order.
  public func backward(_ gradOutput: Tensor) -> Tensor {
    layers.reversed().reduce(gradOutput) { $1.backward($0) }
  }

  /// One row per leaf layer, named `name.i`.
  public func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int] {
    var shape = inputShape
    for (index, layer) in layers.enumerated() {
      shape = layer.summarize(shape, name: name.isEmpty ? String(index) : "\(name).\(index)", into: &rows)
    }
    return shape
  }
}

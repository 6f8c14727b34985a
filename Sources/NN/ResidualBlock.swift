public import Tensors

/// The basic residual block of ResNet-18/34 (torchvision `BasicBlock` names):
/// `y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`.
///
/// `conv1` is 3×3 with the block's stride, `conv2` 3×3; both use the block's dilation (padding =
/// dilation). The shortcut is the identity, or `downsample` = 1×1 conv (stride) + batch norm when
/// the stride or the channel count changes. Input `[N, C, H, W]`, output `[N, O, H/s, W/s]`.
public final class ResidualBlock: Layer {
  let conv1: Conv2d, bn1: BatchNorm2d
  let conv2: Conv2d, bn2: BatchNorm2d
  let downsample: Sequential?
  let relu2 = ReLU()

  /// Creates a block from `inChannels` to `outChannels`; `innerChannels` (default `outChannels`)
  /// is the width between conv1 and conv2, which pruning can narrow without changing the output.
  public init<G: RandomNumberGenerator>(
    _ inChannels: Int, _ outChannels: Int, innerChannels: Int? = nil, stride: Int = 1, dilation: Int = 1, generator: inout G
  ) {
    let inner = innerChannels ?? outChannels
    conv1 = Conv2d(inChannels, inner, kernelSize: 3, stride: stride, padding: dilation, dilation: dilation, generator: &generator)
    bn1 = BatchNorm2d(inner, relu: true)
    conv2 = Conv2d(inner, outChannels, kernelSize: 3, padding: dilation, dilation: dilation, generator: &generator)
    bn2 = BatchNorm2d(outChannels)
    downsample = stride != 1 || inChannels != outChannels
      ? Sequential([Conv2d(inChannels, outChannels, kernelSize: 1, stride: stride, generator: &generator), BatchNorm2d(outChannels)])
      : nil
  }

  private var main: [any Layer] { [conv1, bn1, conv2, bn2] }

  /// Training or evaluation mode of the batch norms.
  public var isTraining: Bool {
    get { bn1.isTraining }
    set { for layer in main { layer.isTraining = newValue }; downsample?.isTraining = newValue }
  }

  /// conv1, bn1, conv2, bn2, the downsample and the final ReLU.
  public var sublayers: [any Layer] { main + (downsample.map { [$0] } ?? []) + [relu2] }

  /// conv1, bn1, conv2, bn2, then the downsample's.
  public var parameters: [Parameter] { main.flatMap(\.parameters) + (downsample?.parameters ?? []) }

  /// `conv1.*`, `bn1.*`, `conv2.*`, `bn2.*`, `downsample.0.*`, `downsample.1.*`.
  public var state: [StateEntry] {
    conv1.state.prefixed("conv1") + bn1.state.prefixed("bn1") + conv2.state.prefixed("conv2") + bn2.state.prefixed("bn2")
      + (downsample?.state.prefixed("downsample") ?? [])
  }

  /// `[N, C, H, W]` → `[N, O, H/s, W/s]`.
  public func forward(_ input: Tensor) -> Tensor {
    var out = conv2.forward(conv1.forward(input, normalizedBy: bn1), normalizedBy: bn2)
    out.add(downsample?.forward(input) ?? input)
    return relu2.forward(out)
  }

  /// Back-propagates through both paths and adds their input gradients.
  public func backward(_ gradOutput: Tensor) -> Tensor {
    let g = relu2.backward(gradOutput)
    var gradInput = conv1.backward(bn1.backward(conv2.backward(bn2.backward(g))))
    gradInput.add(downsample?.backward(g) ?? g)
    return gradInput
  }

  /// Rows for conv1, bn1 (with its ReLU), conv2, bn2, the downsample and the final add+ReLU.
  public func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int] {
    var shape = conv1.summarize(inputShape, name: name + ".conv1", into: &rows)
    shape = bn1.summarize(shape, name: name + ".bn1", into: &rows)
    shape = conv2.summarize(shape, name: name + ".conv2", into: &rows)
    shape = bn2.summarize(shape, name: name + ".bn2", into: &rows)
    _ = downsample?.summarize(inputShape, name: name + ".downsample", into: &rows)
    let count = shape.reduce(1, *)
    rows.append(SummaryRow(name: name + ".add_relu", kind: "Add+ReLU", outputShape: shape, parameters: 0, flops: 2 * count))
    return shape
  }
}

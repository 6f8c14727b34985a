public import Tensors

/// The benchmark network of `bench/torch_reference_step.py`, layer for layer and name for name.
///
/// Input `[N, 3, H, W]`, logits `[N, K, H, W]`: `stem` = conv-BN-ReLU 3→32 stride 2; `body` =
/// conv-BN-ReLU 32→32, 32→64 stride 2, 64→64, 64→64; `aspp` = three parallel 3×3 conv-BN-ReLU
/// 64→64 with dilations 1, 2, 4; their concatenation `[N, 192, H/4, W/4]`; `fuse` = 1×1 conv with
/// bias to K classes; bilinear ×4 (`align_corners=False`).
public final class ReferenceNetwork: Layer {
  let stem: Sequential
  let body: Sequential
  let aspp: [Sequential]
  let fuseConv: Conv2d
  let upsample = BilinearUpsample(scaleFactor: 4)

  /// Builds the network with weights drawn from `generator`.
  public init<G: RandomNumberGenerator>(classes: Int = 19, generator: inout G) {
    stem = .convBNReLU(3, 32, stride: 2, generator: &generator)
    (stem.layers[0] as! Conv2d).computesInputGradient = false
    body = Sequential([
      Sequential.convBNReLU(32, 32, generator: &generator), .convBNReLU(32, 64, stride: 2, generator: &generator),
      .convBNReLU(64, 64, generator: &generator), .convBNReLU(64, 64, generator: &generator),
    ])
    aspp = [1, 2, 4].map { Sequential.convBNReLU(64, 64, dilation: $0, generator: &generator) }
    fuseConv = Conv2d(192, classes, kernelSize: 1, bias: true, generator: &generator)
  }

  private var named: [(String, any Layer)] {
    [("stem", stem), ("body", body)] + aspp.enumerated().map { ("aspp.\($0)", $1) } + [("fuse", fuseConv)]
  }

  /// Training or evaluation mode.
  public var isTraining: Bool {
    get { stem.isTraining }
    set { for (_, layer) in named { layer.isTraining = newValue } }
  }

  /// The stem, the body, the ASPP branches, the fusing convolution and the upsampling.
  public var sublayers: [any Layer] { named.map(\.1) + [upsample] }

  /// All parameters in PyTorch's `net.parameters()` order.
  public var parameters: [Parameter] { named.flatMap { $0.1.parameters } }

  /// The PyTorch `state_dict` names of the script's `Net`.
  public var state: [StateEntry] { named.flatMap { name, layer in layer.state.prefixed(name) } }

  /// `[N, 3, H, W]` → `[N, K, H, W]`.
  public func forward(_ input: Tensor) -> Tensor {
    let h = body.forward(stem.forward(input))
    return upsample.forward(fuseConv.forward(concatChannels(aspp.map { $0.forward(h) })))
  }

  /// Accumulates every parameter gradient; returns an empty tensor (the stem skips its input gradient).
  public func backward(_ gradOutput: Tensor) -> Tensor {
    let g = fuseConv.backward(upsample.backward(gradOutput))
    let parts = splitChannels(g, sizes: [64, 64, 64])
    var gh = aspp[0].backward(parts[0])
    for index in 1..<aspp.count { gh.add(aspp[index].backward(parts[index])) }
    return stem.backward(body.backward(gh))
  }

  /// One row per leaf layer.
  public func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int] {
    let h = body.summarize(stem.summarize(inputShape, name: "stem", into: &rows), name: "body", into: &rows)
    var channels = 0
    for (index, branch) in aspp.enumerated() { channels += branch.summarize(h, name: "aspp.\(index)", into: &rows)[1] }
    let concat = [h[0], channels, h[2], h[3]]
    rows.append(SummaryRow(name: "concat", kind: "Concat", outputShape: concat, parameters: 0, flops: 0))
    return upsample.summarize(fuseConv.summarize(concat, name: "fuse", into: &rows), name: "upsample", into: &rows)
  }
}

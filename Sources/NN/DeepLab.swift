public import Tensors

/// The slimmable DeepLabV3+-style segmentation network of the bundled trainer.
///
/// Input `[N, 3, H, W]`, output logits `[N, K, H, W]`. Backbone: a 3×3 stride-2 conv-BN-ReLU stem
/// (`backbone.stem`) and four basic residual blocks (`backbone.layer1…4`) with strides 2, 2, 2, 1
/// (output stride 16; layer4 dilated 2) or 2, 2, 1, 1 (output stride 8; layer3 dilated 2, layer4
/// dilated 4). Head: ``ASPP`` on layer4 (`aspp`). Decoder: the ASPP output is upsampled
/// bilinearly to layer1's size (stride 4), concatenated with a 1×1 conv-BN-ReLU reduction of
/// layer1 (`decoder.reduce`), fused by a 3×3 conv-BN-ReLU (`decoder.fuse`), classified by a 1×1
/// conv with bias (`classifier`) and upsampled to the input size. Channel counts are the base
/// widths times the width multiplier (``DeepLabConfiguration/channels(_:)``).
public final class DeepLab: Layer {
  /// The configuration the network was built from.
  public let configuration: DeepLabConfiguration
  let stem: Sequential
  let blocks: [ResidualBlock]
  let aspp: ASPP
  let asppUpsample = BilinearUpsample()
  let reduce: Sequential
  let fuse: Sequential
  let classifier: Conv2d
  let outputUpsample = BilinearUpsample()
  private var skipChannels = 0
  private var inputSize = (height: 0, width: 0)
  private var skipSize = (height: 0, width: 0)

  /// Builds the network with weights drawn from `generator`; the configuration must be valid.
  public init<G: RandomNumberGenerator>(_ configuration: DeepLabConfiguration, generator: inout G) {
    if let problem = configuration.problem { preconditionFailure("DeepLabConfiguration: \(problem)") }
    self.configuration = configuration
    let c = configuration, base = DeepLabConfiguration.baseWidths
    let widths = base.layers.map(c.channels)
    stem = .convBNReLU(c.inputChannels, c.channels(base.stem), stride: 2, generator: &generator)
    (stem.layers[0] as! Conv2d).computesInputGradient = false
    let os16 = c.outputStride == 16
    let plan: [(stride: Int, dilation: Int)] = os16 ? [(2, 1), (2, 1), (2, 1), (1, 2)] : [(2, 1), (2, 1), (1, 2), (1, 4)]
    var blocks: [ResidualBlock] = []
    var inChannels = c.channels(base.stem)
    for (index, step) in plan.enumerated() {
      let inner = index == plan.count - 1 ? c.pruned?.lastStageInner : nil
      blocks.append(ResidualBlock(inChannels, widths[index], innerChannels: inner, stride: step.stride, dilation: step.dilation,
                                  generator: &generator))
      inChannels = widths[index]
    }
    self.blocks = blocks
    let head = c.widths
    aspp = ASPP(inChannels, head.asppProject, rates: c.asppRates, oneByOne: c.asppOneByOne, imagePooling: c.asppImagePooling,
                dropout: Float(c.dropout), branchChannels: head.asppBranches, projectChannels: head.asppProject, gated: c.asppGates,
                generator: &generator)
    skipChannels = head.skip
    reduce = .convBNReLU(widths[0], skipChannels, kernelSize: 1, generator: &generator)
    fuse = .convBNReLU(head.asppProject + skipChannels, head.decoder, generator: &generator)
    classifier = Conv2d(head.decoder, c.classes, kernelSize: 1, bias: true, generator: &generator)
  }

  private var named: [(String, any Layer)] {
    [("backbone.stem", stem)] + blocks.enumerated().map { ("backbone.layer\($0 + 1)", $1) }
      + [("aspp", aspp), ("decoder.reduce", reduce), ("decoder.fuse", fuse), ("classifier", classifier)]
  }

  /// Training or evaluation mode of every layer.
  public var isTraining: Bool {
    get { stem.isTraining }
    set { for (_, layer) in named { layer.isTraining = newValue } }
  }

  /// The stem, the blocks, the ASPP, the decoder, the classifier and the upsamplings.
  public var sublayers: [any Layer] { named.map(\.1) + [asppUpsample, outputUpsample] }

  /// All parameters, backbone first.
  public var parameters: [Parameter] { named.flatMap { $0.1.parameters } }

  /// PyTorch-style names: `backbone.stem.0.weight`, `backbone.layer1.conv1.weight`, `aspp.convs.0.0.weight`, …
  public var state: [StateEntry] { named.flatMap { name, layer in layer.state.prefixed(name) } }

  /// `[N, 3, H, W]` → logits `[N, K, H, W]`.
  public func forward(_ input: Tensor) -> Tensor {
    precondition(input.rank == 4 && input.shape[1] == configuration.inputChannels,
                 "DeepLab expects [N, \(configuration.inputChannels), H, W], got \(input.shape)")
    inputSize = (input.shape[2], input.shape[3])
    let low = blocks[0].forward(stem.forward(input))
    skipSize = (low.shape[2], low.shape[3])
    let deep = blocks[1...].reduce(low) { $1.forward($0) }
    let head = asppUpsample.forward(aspp.forward(deep), height: skipSize.height, width: skipSize.width)
    let fused = fuse.forward(concatChannels([head, reduce.forward(low)]))
    return outputUpsample.forward(classifier.forward(fused), height: inputSize.height, width: inputSize.width)
  }

  /// Restarts the dropout masks from `seed` (see ``Dropout/reseed(_:)``).
  public func reseedDropout(_ seed: UInt64) { aspp.dropout.reseed(seed) }

  /// Accumulates every parameter gradient; returns an empty tensor (the stem skips its input gradient).
  public func backward(_ gradOutput: Tensor) -> Tensor {
    let g = fuse.backward(classifier.backward(outputUpsample.backward(gradOutput)))
    let parts = splitChannels(g, sizes: [g.shape[1] - skipChannels, skipChannels])
    var gradLow = reduce.backward(parts[1])
    let gradDeep = blocks[1...].reversed().reduce(aspp.backward(asppUpsample.backward(parts[0]))) { $1.backward($0) }
    gradLow.add(gradDeep)
    return stem.backward(blocks[0].backward(gradLow))
  }

  /// One row per leaf layer for an input of `inputShape`.
  public func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int] {
    var shape = stem.summarize(inputShape, name: "backbone.stem", into: &rows)
    var low: [Int] = []
    for (index, block) in blocks.enumerated() {
      shape = block.summarize(shape, name: "backbone.layer\(index + 1)", into: &rows)
      if index == 0 { low = shape }
    }
    shape = aspp.summarize(shape, name: "aspp", into: &rows)
    shape = asppUpsample.summarize(shape, height: low[2], width: low[3], name: "decoder.upsample", into: &rows)
    let skip = reduce.summarize(low, name: "decoder.reduce", into: &rows)
    let concat = [shape[0], shape[1] + skip[1], low[2], low[3]]
    rows.append(SummaryRow(name: "decoder.concat", kind: "Concat", outputShape: concat, parameters: 0, flops: 0))
    shape = fuse.summarize(concat, name: "decoder.fuse", into: &rows)
    shape = classifier.summarize(shape, name: "classifier", into: &rows)
    return outputUpsample.summarize(shape, height: inputShape[2], width: inputShape[3], name: "upsample", into: &rows)
  }
}

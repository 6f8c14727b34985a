import DanceCore
import Tensors

/// The channels of each prunable unit of a ``DeepLab`` to keep, as indices into that unit's outputs.
///
/// The prunable units are the head and the decoder: every ASPP branch (an empty selection removes
/// the branch), the ASPP projection, the decoder's low-level reduction and its fusing convolution;
/// and inside the backbone's last block, the width between its two convolutions.
public struct ChannelSelection: Sendable, Equatable {
  /// Kept output channels per ASPP branch, in branch order.
  public var asppBranches: [[Int]]
  /// Kept output channels of the ASPP projection.
  public var asppProject: [Int]
  /// Kept output channels of `decoder.reduce`.
  public var skip: [Int]
  /// Kept output channels of `decoder.fuse`.
  public var decoder: [Int]
  /// Kept channels between `backbone.layer4.conv1` and `conv2`.
  public var lastStageInner: [Int]

  /// Every channel of a network of `configuration`: pruning with it changes nothing.
  public init(keepingAllOf configuration: DeepLabConfiguration) {
    let widths = configuration.widths
    asppBranches = widths.asppBranches.map { Array(0..<$0) }
    asppProject = Array(0..<widths.asppProject)
    skip = Array(0..<widths.skip)
    decoder = Array(0..<widths.decoder)
    lastStageInner = Array(0..<(widths.lastStageInner ?? configuration.channels(DeepLabConfiguration.baseWidths.layers[3])))
  }
}

extension DeepLab {
  /// The ASPP branches' and the decoder's batch norms, whose γ tell how much each channel matters
  /// (network slimming): per branch, then the projection, `decoder.reduce` and `decoder.fuse`.
  public var prunableNorms: (asppBranches: [BatchNorm2d], asppProject: BatchNorm2d, skip: BatchNorm2d, decoder: BatchNorm2d) {
    (aspp.branches.map(Self.norm), Self.norm(aspp.project), Self.norm(reduce), Self.norm(fuse))
  }

  /// The batch norm between the two convolutions of the backbone's last block.
  public var lastStageInnerNorm: BatchNorm2d { blocks[blocks.count - 1].bn1 }

  /// The ASPP branch gates (``DeepLabConfiguration/asppGates``), or nil.
  public var prunableGates: Parameter? { aspp.gates }

  /// A physically smaller copy that keeps only the selected channels: the producing convolutions
  /// and batch norms are sliced by output, the consuming convolutions by input, the backbone and
  /// the classifier's outputs are copied as they are.
  ///
  /// Its outputs equal this network's with the removed channels masked to zero after their ReLU
  /// (in evaluation: the same as setting their γ and β to 0). Indices must be ascending, within
  /// range, and leave the projection, the reduction, the fusion and at least one branch non-empty.
  public func pruned(keeping selection: ChannelSelection) -> DeepLab {
    let c = configuration, widths = c.widths
    precondition(selection.asppBranches.count == aspp.branches.count, "ChannelSelection: one list per ASPP branch")
    let lastBlock = blocks[blocks.count - 1]
    for (kept, width) in zip(selection.asppBranches, widths.asppBranches) + [
      (selection.asppProject, widths.asppProject), (selection.skip, widths.skip), (selection.decoder, widths.decoder),
      (selection.lastStageInner, lastBlock.conv1.outChannels),
    ] {
      precondition(zip(kept, kept.dropFirst()).allSatisfy { $0 < $1 } && kept.allSatisfy { $0 >= 0 && $0 < width },
                   "ChannelSelection: indices must be ascending and below \(width)")
    }
    precondition(!selection.asppProject.isEmpty && !selection.skip.isEmpty && !selection.decoder.isEmpty && !selection.lastStageInner.isEmpty
                 && selection.asppBranches.contains { !$0.isEmpty }, "ChannelSelection: a unit would have no channel left")
    // The branches that stay, and the configuration without the removed ones.
    let survivors = selection.asppBranches.indices.filter { !selection.asppBranches[$0].isEmpty }
    // Branches are ordered 1×1 (if any), one per rate, image pooling (if any).
    let firstRate = c.asppOneByOne ? 1 : 0
    var smaller = c
    smaller.asppOneByOne = c.asppOneByOne && survivors.contains(0)
    smaller.asppRates = c.asppRates.indices.filter { survivors.contains(firstRate + $0) }.map { c.asppRates[$0] }
    smaller.asppImagePooling = c.asppImagePooling && survivors.contains(aspp.branches.count - 1)
    let inner = selection.lastStageInner.count
    smaller.pruned = .init(asppBranches: survivors.map { selection.asppBranches[$0].count }, asppProject: selection.asppProject.count,
                           skip: selection.skip.count, decoder: selection.decoder.count,
                           lastStageInner: inner == lastBlock.conv2.outChannels && c.pruned?.lastStageInner == nil ? nil : inner)
    var generator = SplitMix(seed: 0)
    let copy = DeepLab(smaller, generator: &generator)

    // The backbone as it is, except inside its last block.
    for (target, source) in zip(copy.stem.state + copy.blocks.dropLast().flatMap(\.state), stem.state + blocks.dropLast().flatMap(\.state)) {
      target.set(source.get())
    }
    let targetBlock = copy.blocks[copy.blocks.count - 1]
    targetBlock.conv1.copyWeights(from: lastBlock.conv1, outputs: selection.lastStageInner, inputs: Array(0..<lastBlock.conv1.inChannels))
    targetBlock.bn1.copyState(from: lastBlock.bn1, channels: selection.lastStageInner)
    targetBlock.conv2.copyWeights(from: lastBlock.conv2, outputs: Array(0..<lastBlock.conv2.outChannels), inputs: selection.lastStageInner)
    targetBlock.bn2.copyState(from: lastBlock.bn2, channels: Array(0..<lastBlock.bn2.channels))
    for (target, source) in zip(targetBlock.downsample?.state ?? [], lastBlock.downsample?.state ?? []) { target.set(source.get()) }
    let allInputs = { (conv: Conv2d) in Array(0..<conv.inChannels) }
    var projectInputs: [Int] = [], offset = 0
    for (index, branch) in aspp.branches.enumerated() {
      defer { offset += widths.asppBranches[index] }
      guard let position = survivors.firstIndex(of: index) else { continue }
      let kept = selection.asppBranches[index], target = copy.aspp.branches[position]
      Self.conv(target).copyWeights(from: Self.conv(branch), outputs: kept, inputs: allInputs(Self.conv(branch)))
      Self.norm(target).copyState(from: Self.norm(branch), channels: kept)
      projectInputs += kept.map { offset + $0 }
    }
    if let gates = aspp.gates, let target = copy.aspp.gates {
      target.value = Tensor(shape: [survivors.count], storage: survivors.map { gates.value.storage[$0] })
    }
    Self.copy(aspp.project, into: copy.aspp.project, outputs: selection.asppProject, inputs: projectInputs)
    Self.copy(reduce, into: copy.reduce, outputs: selection.skip, inputs: allInputs(Self.conv(reduce)))
    Self.copy(fuse, into: copy.fuse, outputs: selection.decoder,
              inputs: selection.asppProject + selection.skip.map { widths.asppProject + $0 })
    copy.classifier.copyWeights(from: classifier, outputs: Array(0..<c.classes), inputs: selection.decoder)
    copy.isTraining = isTraining
    return copy
  }

  private static func conv(_ unit: Sequential) -> Conv2d { unit.layers.lazy.compactMap { $0 as? Conv2d }.first! }
  private static func norm(_ unit: Sequential) -> BatchNorm2d { unit.layers.lazy.compactMap { $0 as? BatchNorm2d }.first! }

  private static func copy(_ source: Sequential, into target: Sequential, outputs: [Int], inputs: [Int]) {
    conv(target).copyWeights(from: conv(source), outputs: outputs, inputs: inputs)
    norm(target).copyState(from: norm(source), channels: outputs)
  }
}

extension Conv2d {
  /// Takes the weights (and bias) of `source` for the given output and input channels, in that
  /// order; this layer has `outputs.count` outputs and `inputs.count` inputs.
  public func copyWeights(from source: Conv2d, outputs: [Int], inputs: [Int]) {
    precondition(outputs.count == outChannels && inputs.count == inChannels && source.kernelSize == kernelSize,
                 "Conv2d.copyWeights: \(outputs.count)x\(inputs.count) into \(outChannels)x\(inChannels)")
    let taps = kernelSize * kernelSize
    var values = [Float](repeating: 0, count: weight.value.count)
    for (o, sourceOutput) in outputs.enumerated() {
      for (i, sourceInput) in inputs.enumerated() {
        for t in 0..<taps {
          values[(o * inChannels + i) * taps + t] = source.weight.value.storage[(sourceOutput * source.inChannels + sourceInput) * taps + t]
        }
      }
    }
    weight.value = Tensor(shape: weight.value.shape, storage: values)
    if let bias, let sourceBias = source.bias {
      bias.value = Tensor(shape: [outChannels], storage: outputs.map { sourceBias.value.storage[$0] })
    }
  }
}

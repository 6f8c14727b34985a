public import Tensors

/// Atrous spatial pyramid pooling (DeepLabV3; torchvision `ASPP` names).
///
/// Parallel branches over the same `[N, C, H, W]` input, each giving `[N, A, H, W]`: an optional
/// 1×1 conv-BN-ReLU, one 3×3 conv-BN-ReLU per dilation rate, and an optional image-pooling branch
/// (global average, 1×1 conv-BN-ReLU, bilinear back to H×W). Their concatenation
/// `[N, B·A, H, W]` is projected by a 1×1 conv-BN-ReLU to `[N, A, H, W]`, then dropout.
/// Branches are `convs.0 …` in that order; the projection is `project.0/1`.
public final class ASPP: Layer {
  /// The branches in concatenation order.
  let branches: [Sequential]
  /// Whether the last branch is the image-pooling branch.
  let hasImagePooling: Bool
  /// The output channels of each branch.
  let branchWidths: [Int]
  /// One learnable factor per branch output (``DeepLabConfiguration/asppGates``), or nil.
  public let gates: Parameter?
  /// The branch outputs before their gates, kept for the gates' gradient.
  private var ungated: [Tensor] = []
  let poolUpsample = BilinearUpsample()
  let project: Sequential
  let dropout: Dropout
  private var inputSize = (height: 0, width: 0)

  /// Creates an ASPP from `inChannels` to `channels` with the given branches.
  ///
  /// Each branch has `channels` outputs, or `branchChannels[i]` when given (a pruned head, one
  /// count per branch in order); the projection has `projectChannels` (default `channels`).
  public init<G: RandomNumberGenerator>(
    _ inChannels: Int, _ channels: Int, rates: [Int], oneByOne: Bool, imagePooling: Bool, dropout: Float,
    branchChannels: [Int]? = nil, projectChannels: Int? = nil, gated: Bool = false, generator: inout G
  ) {
    let count = (oneByOne ? 1 : 0) + rates.count + (imagePooling ? 1 : 0)
    let widths = branchChannels ?? Array(repeating: channels, count: count)
    precondition(count > 0 && widths.count == count, "ASPP needs at least one branch and one width per branch")
    var branches: [Sequential] = []
    var next = widths.makeIterator()
    if oneByOne { branches.append(.convBNReLU(inChannels, next.next()!, kernelSize: 1, generator: &generator)) }
    for rate in rates { branches.append(.convBNReLU(inChannels, next.next()!, dilation: rate, generator: &generator)) }
    if imagePooling {
      let width = next.next()!
      branches.append(Sequential([
        GlobalAvgPool2d(), Conv2d(inChannels, width, kernelSize: 1, generator: &generator), BatchNorm2d(width), ReLU(),
      ]))
    }
    self.branches = branches
    branchWidths = widths
    gates = gated ? Parameter(Tensor(shape: [count], repeating: 1), decays: false) : nil
    hasImagePooling = imagePooling
    project = .convBNReLU(widths.reduce(0, +), projectChannels ?? channels, kernelSize: 1, generator: &generator)
    self.dropout = Dropout(probability: dropout)
  }

  /// Training or evaluation mode of every branch, the projection and the dropout.
  public var isTraining: Bool {
    get { project.isTraining }
    set { for branch in branches { branch.isTraining = newValue }; project.isTraining = newValue; dropout.isTraining = newValue }
  }

  /// The branches, the image-pooling upsampling, the projection and the dropout.
  public var sublayers: [any Layer] { branches + [poolUpsample, project, dropout] }

  /// The branches' parameters, the projection's, then the gates.
  public var parameters: [Parameter] { branches.flatMap(\.parameters) + project.parameters + (gates.map { [$0] } ?? []) }

  /// `convs.i.*`, `project.*`, then `gates` when gated.
  public var state: [StateEntry] {
    branches.enumerated().flatMap { index, branch in branch.state.prefixed("convs.\(index)") } + project.state.prefixed("project")
      + (gates.map { [.parameter("gates", $0)] } ?? [])
  }

  private func isPooling(_ index: Int) -> Bool { hasImagePooling && index == branches.count - 1 }

  /// `[N, C, H, W]` → `[N, A, H, W]`.
  public func forward(_ input: Tensor) -> Tensor {
    inputSize = (input.shape[2], input.shape[3])
    var outputs = branches.enumerated().map { index, branch in
      let y = branch.forward(input)
      return isPooling(index) ? poolUpsample.forward(y, height: inputSize.height, width: inputSize.width) : y
    }
    if let gates {
      ungated = outputs
      outputs = outputs.enumerated().map { index, y in Self.scaled(y, by: gates.value.storage[index]) }
    }
    return dropout.forward(project.forward(concatChannels(outputs)))
  }

  /// Back-propagates through the projection and every branch; the input gradient is their sum.
  public func backward(_ gradOutput: Tensor) -> Tensor {
    let g = project.backward(dropout.backward(gradOutput))
    var parts = splitChannels(g, sizes: branchWidths)
    if let gates {
      // y = g · u: dL/dg = Σ dy · u, dL/du = g · dy.
      for index in parts.indices {
        gates.gradient.storage[index] += Float(Self.dot(parts[index].storage, ungated[index].storage))
        parts[index] = Self.scaled(parts[index], by: gates.value.storage[index])
      }
    }
    var gradInput: Tensor?
    for (index, branch) in branches.enumerated() {
      let part = isPooling(index) ? poolUpsample.backward(parts[index]) : parts[index]
      let gx = branch.backward(part)
      if gradInput == nil { gradInput = gx } else { gradInput!.add(gx) }
    }
    return gradInput!
  }

  /// Forgets the ungated branch outputs and every sublayer's forward cache.
  public func discardForwardCache() {
    ungated = []
    for layer in sublayers { layer.discardForwardCache() }
  }

  /// The ungated branch outputs' bytes and every sublayer's forward cache.
  public var forwardCacheBytes: Int {
    ungated.reduce(0) { $0 + $1.count * MemoryLayout<Float>.size } + sublayers.reduce(0) { $0 + $1.forwardCacheBytes }
  }

  /// Rows for every branch, the concatenation, the projection and the dropout.
  public func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int] {
    var channels = 0
    for (index, branch) in branches.enumerated() {
      var shape = branch.summarize(inputShape, name: "\(name).convs.\(index)", into: &rows)
      if isPooling(index) {
        shape = poolUpsample.summarize(shape, height: inputShape[2], width: inputShape[3], name: "\(name).convs.\(index).upsample", into: &rows)
      }
      channels += shape[1]
    }
    let concat = [inputShape[0], channels, inputShape[2], inputShape[3]]
    rows.append(SummaryRow(name: "\(name).concat", kind: "Concat", outputShape: concat, parameters: 0, flops: 0))
    let shape = project.summarize(concat, name: "\(name).project", into: &rows)
    return dropout.summarize(shape, name: "\(name).project.3", into: &rows)
  }

  /// `factor · x`.
  private static func scaled(_ x: Tensor, by factor: Float) -> Tensor {
    Tensor(shape: x.shape) { y in
      x.withUnsafeBufferPointer { x in VectorKernels.affine(x.baseAddress!, y.baseAddress!, count: x.count, scale: factor, shift: 0) }
    }
  }

  /// `Σ a·b` in double precision.
  private static func dot(_ a: [Float], _ b: [Float]) -> Double {
    var sum = 0.0
    for index in a.indices { sum += Double(a[index]) * Double(b[index]) }
    return sum
  }
}

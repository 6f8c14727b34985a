import DanceCore
import Foundation
import NN
import Tensors
import TestSupport
import Testing

/// A pruned DeepLab is physically smaller and computes what the unpruned one computes with the
/// same channels masked (γ = β = 0, so the channel is 0 after its ReLU).
@Suite struct PruningTests {
  static let configuration: DeepLabConfiguration = {
    var configuration = DeepLabConfiguration(classes: 5, widthMultiplier: 0.25, outputStride: 16, asppRates: [2, 4], dropout: 0.1)
    configuration.asppGates = true
    return configuration
  }()

  /// A network with non-trivial batch-norm statistics, in evaluation mode.
  static func trainedNetwork() -> DeepLab {
    var generator = SplitMix(seed: 21)
    let network = DeepLab(configuration, generator: &generator)
    for step in 0..<3 { _ = network.forward(randomTensor([2, 3, 64, 96], seed: UInt64(step))) }
    var random = SplitMix(seed: 4)
    for entry in network.state where entry.name.hasSuffix(".1.weight") || entry.name.hasSuffix(".2.weight") {
      if case .float(let value) = entry.get(), value.rank == 1 {
        entry.set(.float(Tensor(shape: value.shape, storage: randomFloats(value.count, in: 0.5...1.5, using: &random))))
      }
    }
    network.prunableGates?.value = Tensor(shape: [4], storage: [0.9, 1.3, 0.6, 1.1])
    network.isTraining = false
    return network
  }

  /// Masks in `network` every channel `selection` does not keep.
  static func mask(_ network: DeepLab, outside selection: ChannelSelection) {
    let norms = network.prunableNorms
    for (norm, kept) in zip(norms.asppBranches + [norms.asppProject, norms.skip, norms.decoder, network.lastStageInnerNorm],
                            selection.asppBranches + [selection.asppProject, selection.skip, selection.decoder, selection.lastStageInner]) {
      for channel in 0..<norm.channels where !kept.contains(channel) {
        norm.scale.value.storage[channel] = 0
        norm.shift.value.storage[channel] = 0
      }
    }
  }

  static func selections() -> [(String, ChannelSelection)] {
    var some = ChannelSelection(keepingAllOf: configuration)
    some.asppBranches = some.asppBranches.enumerated().map { index, kept in kept.filter { ($0 + index) % 3 != 0 } }
    some.asppProject = some.asppProject.filter { $0 % 2 == 0 }
    some.skip = Array(some.skip.dropFirst(3))
    some.decoder = some.decoder.filter { $0 % 4 != 1 }
    var branchRemoved = some
    branchRemoved.asppBranches[1] = []  // the rate-2 branch
    branchRemoved.asppBranches[3] = []  // image pooling
    var backbone = some
    backbone.lastStageInner = backbone.lastStageInner.filter { $0 % 3 != 2 }
    return [("nothing", ChannelSelection(keepingAllOf: configuration)), ("channels", some), ("channels and branches", branchRemoved),
            ("with the backbone's last block", backbone)]
  }

  @Test(arguments: selections())
  func prunedOutputsEqualTheMaskedNetwork(name: String, selection: ChannelSelection) {
    let network = Self.trainedNetwork()
    let pruned = network.pruned(keeping: selection)
    Self.mask(network, outside: selection)
    let input = randomTensor([2, 3, 64, 96], seed: 77)
    let expected = network.forward(input), actual = pruned.forward(input)
    #expect(actual.shape == expected.shape)
    expectClose(actual.storage, expected.storage.map(Double.init), rtol: 1e-4, atol: 1e-4, "pruned (\(name))")
    if name != "nothing" { #expect(pruned.parameterCount < network.parameterCount) }
  }

  @Test func thePrunedConfigurationRebuildsTheSameShapes() throws {
    let network = Self.trainedNetwork()
    let selection = Self.selections()[2].1
    let pruned = network.pruned(keeping: selection)
    let configuration = pruned.configuration
    #expect(configuration.asppRates == [4] && configuration.asppOneByOne && !configuration.asppImagePooling)
    #expect(configuration.pruned?.asppBranches == [selection.asppBranches[0].count, selection.asppBranches[2].count])
    #expect(configuration.problem == nil)
    // A network built from the recorded configuration takes the pruned state name for name, shape for shape.
    var generator = SplitMix(seed: 1)
    let rebuilt = DeepLab(configuration, generator: &generator)
    #expect(rebuilt.state.map(\.name) == pruned.state.map(\.name))
    for (a, b) in zip(rebuilt.state, pruned.state) {
      if case .float(let x) = a.get(), case .float(let y) = b.get() { #expect(x.shape == y.shape, "\(a.name)") }
    }
    let data = try JSONEncoder().encode(configuration)
    #expect(try JSONDecoder().decode(DeepLabConfiguration.self, from: data) == configuration)
  }
}

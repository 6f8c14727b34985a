import DanceCore
public import NN
import Tensors
import TestSupport
public import Testing

@Suite struct ModelTests {
  @Test(arguments: [
    DeepLabConfiguration(classes: 4, widthMultiplier: 0.125, outputStride: 16, asppRates: [1, 2]),
    DeepLabConfiguration(classes: 2, widthMultiplier: 0.25, outputStride: 8, asppRates: [], asppOneByOne: true, asppImagePooling: false),
    DeepLabConfiguration(classes: 3, widthMultiplier: 0.125, outputStride: 8, asppRates: [3], asppOneByOne: false, asppImagePooling: true),
  ])
  func summaryMatchesForward(_ configuration: DeepLabConfiguration) {
    var generator = SplitMix(seed: 1)
    let model = DeepLab(configuration, generator: &generator)
    let input = randomTensor([2, 3, 32, 48], seed: 2)
    let output = model.forward(input)
    #expect(output.shape == [2, configuration.classes, 32, 48])
    let summary = ModelSummary(model, inputShape: input.shape, model: configuration.description)
    #expect(summary.outputShape == output.shape)
    #expect(summary.totalParameters == model.parameterCount)
    #expect(summary.totalFLOPs == summary.rows.reduce(0) { $0 + $1.flops })
    // Every row with parameters names a prefix of checkpoint tensors, and every tensor has a row.
    let names = model.state.map(\.name)
    for row in summary.rows where row.parameters > 0 { #expect(names.contains { $0.hasPrefix(row.name + ".") }, "\(row.name)") }
    let branches = (configuration.asppOneByOne ? 1 : 0) + configuration.asppRates.count + (configuration.asppImagePooling ? 1 : 0)
    #expect(summary.rows.first { $0.name == "aspp.concat" }?.outputShape[1] == branches * configuration.channels(128))
    let os = configuration.outputStride
    #expect(summary.rows.first { $0.name == "aspp.project.3" }?.outputShape == [2, configuration.channels(128), 32 / os, 48 / os])
    let table = summary.table()
    #expect(table.contains("backbone.layer4.conv2") && table.contains("total"))
  }

  @Test func referenceNetworkMatchesTheTorchScript() {
    var generator = SplitMix(seed: 1)
    let network = ReferenceNetwork(generator: &generator)
    // Parameters of the script's Net: conv weights, BN γ/β, the fuse conv with bias.
    func cbr(_ i: Int, _ o: Int) -> Int { i * o * 9 + 2 * o }
    let expected = cbr(3, 32) + cbr(32, 32) + cbr(32, 64) + 2 * cbr(64, 64) + 3 * cbr(64, 64) + 192 * 19 + 19
    #expect(network.parameterCount == expected)
    let summary = ModelSummary(network, inputShape: [8, 3, 128, 256], model: "reference")
    #expect(summary.outputShape == [8, 19, 128, 256])
    let stem = summary.rows.first { $0.name == "stem.0" }
    #expect(stem?.flops == 2 * 27 * 32 * 8 * 64 * 128)
    #expect(stem?.outputShape == [8, 32, 64, 128])
    #expect(network.state.map(\.name).contains("aspp.2.1.num_batches_tracked"))
    #expect(network.state.map(\.name).contains("fuse.bias"))
  }

  @Test func residualBlockGradients() {
    var generator = SplitMix(seed: 3)
    let block = ResidualBlock(3, 4, stride: 2, dilation: 2, generator: &generator)
    checkCompositeGradients(block, input: randomTensor([2, 3, 6, 6], seed: 4), seed: 5)
    let identity = ResidualBlock(4, 4, generator: &generator)
    checkCompositeGradients(identity, input: randomTensor([2, 4, 5, 5], seed: 6), seed: 7)
  }

  /// With and without branch gates (gates away from 1, and branches of different widths, so a
  /// swapped gate or slice shows).
  @Test(arguments: [false, true])
  func asppGradients(gated: Bool) {
    var generator = SplitMix(seed: 8)
    let aspp = ASPP(3, 4, rates: [1, 2], oneByOne: true, imagePooling: true, dropout: 0, branchChannels: [4, 3, 2, 5],
                    projectChannels: 4, gated: gated, generator: &generator)
    aspp.gates?.value = Tensor(shape: [4], storage: [0.5, 1.5, -0.7, 1.1])
    #expect(aspp.parameters.count == 4 * 3 + 3 + (gated ? 1 : 0))
    checkCompositeGradients(aspp, input: randomTensor([3, 3, 5, 6], seed: 9), seed: 10)
  }

  @Test func deepLabParameterGradients() {
    var generator = SplitMix(seed: 11)
    let model = DeepLab(DeepLabConfiguration(classes: 3, widthMultiplier: 0.125, outputStride: 8, asppRates: [2], dropout: 0), generator: &generator)
    checkCompositeGradients(model, input: randomTensor([2, 3, 16, 16], seed: 12), seed: 13, epsilon: 1e-4, atol: 2e-2, sampleLimit: 4)
  }

  /// A fixed-seed run must drive the loss of one batch close to zero.
  @Test func overfitsOneBatch() {
    var generator = SplitMix(seed: 2024)
    let model = DeepLab(DeepLabConfiguration(classes: 3, widthMultiplier: 0.25, outputStride: 8, asppRates: [1, 2], dropout: 0),
                        generator: &generator)
    let input = randomTensor([2, 3, 16, 16], seed: 7)
    // Quadrants of 8×8 pixels with a class per quadrant, different per image; one ignored row.
    let labels: [Int32] = (0..<2 * 16 * 16).map { index in
      let image = index / 256, y = (index / 16) % 16, x = index % 16
      if y == 15 { return 255 }
      return Int32((image + (y / 8) * 2 + x / 8) % 3)
    }
    let optimizer = SGD(parameters: model.parameters, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4)
    var loss = SoftmaxCrossEntropy()
    var losses: [Float] = []
    for _ in 0..<120 {
      optimizer.zeroGrad()
      losses.append(loss.forward(logits: model.forward(input), labels: labels))
      _ = model.backward(loss.backward())
      optimizer.step()
    }
    #expect(losses[0] > 0.5)
    #expect(losses.last! < 0.05, "losses \(losses.enumerated().filter { $0.offset % 20 == 0 }.map(\.element)) … \(losses.last!)")
  }
}

extension DeepLabConfiguration: CustomTestStringConvertible {
  public var testDescription: String { description }
}

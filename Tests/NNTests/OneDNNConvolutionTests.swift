import DanceCore
import Dispatch
import Foundation
import NN
import Tensors
import TestSupport
import Testing

/// The oneDNN forward pass computes the same convolution as the definition and the im2col path.
@Suite struct OneDNNConvolutionTests {
  /// The unit-test cases plus the reference network's shapes (batch 2 to keep them quick).
  static let cases: [ConvCase] = Conv2dTests.cases + [
    ConvCase(n: 2, c: 3, h: 32, w: 64, o: 32, k: 3, stride: 2, padding: 1),
    ConvCase(n: 2, c: 32, h: 16, w: 32, o: 64, k: 3, stride: 1, padding: 4, dilation: 4, bias: true),
    ConvCase(n: 2, c: 192, h: 8, w: 16, o: 19, k: 1, padding: 0, bias: true),
  ]

  @Test(arguments: cases)
  func forwardMatchesTheDoubleReferenceAndTheIm2colPath(_ cc: ConvCase) throws {
    var generator = SplitMix(seed: 7)
    let conv = Conv2d(cc.c, cc.o, kernelSize: cc.k, stride: cc.stride, padding: cc.padding, dilation: cc.dilation, bias: cc.bias,
                      generator: &generator)
    if let bias = conv.bias { bias.value = Tensor(shape: [cc.o], storage: randomFloats(cc.o, using: &generator)) }
    let x = randomTensor([cc.n, cc.c, cc.h, cc.w], seed: 3)
    conv.backend = .onednn
    let evaluated = conv.forward(x)
    let again = conv.forward(x)  // the cached primitive
    let expected = Conv2dTests.reference(
      x.storage.map(Double.init), cc, weight: conv.weight.value.storage.map(Double.init), bias: conv.bias?.value.storage.map(Double.init))
    expectClose(evaluated.storage, expected, rtol: 1e-4, atol: 1e-4, "oneDNN forward")
    #expect(again.storage == evaluated.storage)
    conv.backend = .openblas
    expectClose(conv.forward(x).storage, evaluated.storage.map(Double.init), rtol: 1e-4, atol: 1e-4, "im2col path")
  }

  /// The blocked copies live in a per-thread workspace during a call: convolutions of different
  /// sizes running at once on several threads (the workspaces growing meanwhile) must compute what
  /// they compute one after the other.
  @Test func concurrentPassesMatchSerialOnes() {
    @Sendable func pass(_ index: Int) -> [[Float]] {
      var generator = SplitMix(seed: 21)
      let conv = Conv2d(8, 16, kernelSize: 3, padding: 2, dilation: 2, bias: true, generator: &generator)
      conv.backend = .onednn
      let x = randomTensor([2, 8, 8 + 4 * (index % 4), 12], seed: UInt64(index % 4))
      let y = conv.forward(x)
      let dx = conv.backward(randomTensor(y.shape, seed: 99))
      return [y.storage, dx.storage] + conv.parameters.map(\.gradient.storage)
    }
    let serial = (0..<8).map(pass)
    let results = Results(count: 8)
    DispatchQueue.concurrentPerform(iterations: 8) { index in results.set(index, pass(index)) }
    for index in 0..<8 { #expect(results.get(index) == serial[index], "pass \(index)") }
  }

  @Test func oneDNNTakesTheGeometriesOfTheBundledNetworks() throws {
    let geometry = ConvGeometry(channels: 64, height: 32, width: 64, kernel: 3, padding: 2, dilation: 2)
    let convolution = try #require(OneDNNConvolution(geometry, batch: 8, outChannels: 64, hasBias: false, training: true))
    #expect(!convolution.implementation.isEmpty)
  }
}

/// Results written from several threads, one slot each.
private final class Results: @unchecked Sendable {
  private var slots: [[[Float]]]
  private let lock = NSLock()
  init(count: Int) { slots = Array(repeating: [], count: count) }
  func set(_ index: Int, _ value: [[Float]]) { lock.withLock { slots[index] = value } }
  func get(_ index: Int) -> [[Float]] { lock.withLock { slots[index] } }
}

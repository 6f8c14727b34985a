import DanceCore
import NN
import Tensors
import TestSupport
import Testing

/// In evaluation a convolution with a following batch norm (and ReLU) runs as one folded pass that
/// computes what the two layers compute one after the other.
@Suite struct FoldedConvolutionTests {
  /// The unit-test shapes plus a classifier-like 1×1 convolution with bias.
  static let cases: [ConvCase] = Conv2dTests.cases + [ConvCase(n: 2, c: 32, h: 16, w: 32, o: 19, k: 1, padding: 0, bias: true)]

  /// A batch norm with non-trivial γ, β and running statistics.
  static func batchNorm(_ channels: Int, relu: Bool, generator: inout SplitMix) -> BatchNorm2d {
    let bn = BatchNorm2d(channels, relu: relu)
    bn.scale.value = Tensor(shape: [channels], storage: randomFloats(channels, in: 0.5...2, using: &generator))
    bn.shift.value = Tensor(shape: [channels], storage: randomFloats(channels, using: &generator))
    let mean = Tensor(shape: [channels], storage: randomFloats(channels, using: &generator))
    let variance = Tensor(shape: [channels], storage: randomFloats(channels, in: 0.2...3, using: &generator))
    for entry in bn.state {
      if entry.name == "running_mean" { entry.set(.float(mean)) }
      if entry.name == "running_var" { entry.set(.float(variance)) }
    }
    bn.isTraining = false
    return bn
  }

  @Test(arguments: cases, [(ConvolutionBackend.openblas, false), (.openblas, true), (.onednn, false), (.onednn, true)])
  func foldedPassEqualsConvolutionThenBatchNorm(_ cc: ConvCase, variant: (backend: ConvolutionBackend, relu: Bool)) {
    var generator = SplitMix(seed: 11)
    let conv = Conv2d(cc.c, cc.o, kernelSize: cc.k, stride: cc.stride, padding: cc.padding, dilation: cc.dilation, bias: cc.bias,
                      generator: &generator)
    if let bias = conv.bias { bias.value = Tensor(shape: [cc.o], storage: randomFloats(cc.o, using: &generator)) }
    conv.backend = variant.backend
    conv.isTraining = false
    let bn = Self.batchNorm(cc.o, relu: variant.relu, generator: &generator)
    let x = randomTensor([cc.n, cc.c, cc.h, cc.w], seed: 5)
    let separate = bn.forward(conv.forward(x))
    let folded = conv.forward(x, normalizedBy: bn)
    #expect(folded.shape == separate.shape)
    expectClose(folded.storage, separate.storage.map(Double.init), rtol: 1e-4, atol: 1e-5, "folded pass")
    if variant.relu { #expect(folded.storage.contains(0) && folded.storage.allSatisfy { $0 >= 0 }) }
  }

  @Test func sequentialFoldsOnlyInEvaluation() {
    var generator = SplitMix(seed: 3)
    let block = Sequential.convBNReLU(3, 8, generator: &generator)
    let x = randomTensor([2, 3, 8, 10], seed: 9)
    _ = block.forward(x)  // training: batch statistics, running statistics move
    block.isTraining = false
    let conv = block.layers[0] as! Conv2d, bn = block.layers[1] as! BatchNorm2d
    let separate = bn.forward(conv.forward(x))
    expectClose(block.forward(x).storage, separate.storage.map(Double.init), rtol: 1e-4, atol: 1e-5, "Sequential in evaluation")
    block.isTraining = true
    let training = block.forward(x)
    expectClose(training.storage, bn.forward(conv.forward(x)).storage.map(Double.init), rtol: 1e-5, atol: 1e-6, "training")
  }

  @Test func aFusedReLUIsRefusedForTraining() {
    let geometry = ConvGeometry(channels: 4, height: 8, width: 8, kernel: 3, padding: 1)
    #expect(OneDNNConvolution(geometry, batch: 2, outChannels: 4, hasBias: true, training: true, relu: true) == nil)
    #expect(OneDNNConvolution(geometry, batch: 2, outChannels: 4, hasBias: true, training: false, relu: true) != nil)
  }

  @Test(.enabled(if: ConvolutionBackend.forced == nil, "DANCE_BACKEND forces one backend"))
  func eachShapeTakesTheBackendMeasuredFasterForIt() {
    let large1x1 = ConvGeometry(channels: 64, height: 32, width: 64, kernel: 1, padding: 0)
    let small1x1 = ConvGeometry(channels: 256, height: 8, width: 16, kernel: 1, padding: 0)
    let large3x3 = ConvGeometry(channels: 64, height: 32, width: 64, kernel: 3, padding: 1)
    #expect(ConvolutionBackend.preferred(for: large1x1) == .openblas)
    #expect(ConvolutionBackend.preferred(for: small1x1) == .onednn)
    #expect(ConvolutionBackend.preferred(for: large3x3) == .onednn)
  }
}

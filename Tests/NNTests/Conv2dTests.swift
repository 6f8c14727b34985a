import DanceCore
import NN
import Tensors
import TestSupport
import Testing

/// One convolution case: input shape, output channels, kernel, stride, padding, dilation, bias.
struct ConvCase: Sendable, CustomTestStringConvertible {
  var n = 2, c = 3, h = 6, w = 5, o = 4, k = 3, stride = 1, padding = 1, dilation = 1, bias = false
  var testDescription: String { "N\(n) C\(c) \(h)x\(w) O\(o) k\(k) s\(stride) p\(padding) d\(dilation)\(bias ? " bias" : "")" }
}

@Suite struct Conv2dTests {
  static let cases: [ConvCase] = [
    ConvCase(),
    ConvCase(bias: true),
    ConvCase(h: 7, w: 7, stride: 2),
    ConvCase(n: 1, c: 2, h: 8, w: 9, o: 3, padding: 2, dilation: 2),
    ConvCase(c: 2, h: 5, w: 6, o: 2, k: 1, padding: 0, bias: true),
    ConvCase(n: 1, c: 2, h: 7, w: 6, o: 3, k: 1, stride: 2, padding: 0),
    ConvCase(n: 1, c: 2, h: 4, w: 5, o: 2, padding: 4, dilation: 4),
    ConvCase(n: 2, c: 1, h: 6, w: 6, o: 2, k: 2, stride: 2, padding: 0, bias: true),
  ]

  /// Direct-definition convolution in Double.
  static func reference(_ x: [Double], _ cc: ConvCase, weight: [Double], bias: [Double]?) -> [Double] {
    let ho = (cc.h + 2 * cc.padding - cc.dilation * (cc.k - 1) - 1) / cc.stride + 1
    let wo = (cc.w + 2 * cc.padding - cc.dilation * (cc.k - 1) - 1) / cc.stride + 1
    var y = [Double](repeating: 0, count: cc.n * cc.o * ho * wo)
    for n in 0..<cc.n {
      for o in 0..<cc.o {
        for oh in 0..<ho {
          for ow in 0..<wo {
            var sum = bias?[o] ?? 0
            for c in 0..<cc.c {
              for i in 0..<cc.k {
                for j in 0..<cc.k {
                  let ih = oh * cc.stride - cc.padding + i * cc.dilation, iw = ow * cc.stride - cc.padding + j * cc.dilation
                  guard ih >= 0 && ih < cc.h && iw >= 0 && iw < cc.w else { continue }
                  sum += x[((n * cc.c + c) * cc.h + ih) * cc.w + iw] * weight[((o * cc.c + c) * cc.k + i) * cc.k + j]
                }
              }
            }
            y[((n * cc.o + o) * ho + oh) * wo + ow] = sum
          }
        }
      }
    }
    return y
  }

  /// Each case runs untiled and with column tiles of one and of three output rows, and with the
  /// forward pass on each backend.
  @Test(arguments: cases, [(1 << 20, ConvolutionBackend.openblas), (1, .openblas), (3, .openblas), (1 << 20, .onednn)])
  func forwardAndGradientsMatchDoubleReference(_ cc: ConvCase, variant: (tileRows: Int, backend: ConvolutionBackend)) {
    let tileRows = variant.tileRows
    var generator = SplitMix(seed: 42)
    let conv = Conv2d(cc.c, cc.o, kernelSize: cc.k, stride: cc.stride, padding: cc.padding, dilation: cc.dilation, bias: cc.bias,
                      generator: &generator)
    conv.backend = variant.backend
    let wo = (cc.w + 2 * cc.padding - cc.dilation * (cc.k - 1) - 1) / cc.stride + 1
    conv.columnTileBytes = tileRows * cc.c * cc.k * cc.k * wo * 4
    if let bias = conv.bias { bias.value = Tensor(shape: [cc.o], storage: randomFloats(cc.o, using: &generator)) }
    let x = randomTensor([cc.n, cc.c, cc.h, cc.w], seed: 1)
    let y = conv.forward(x)
    let r = randomFloats(y.count, using: &generator)
    let analytic = analyticGradients(conv, input: x) { Tensor(shape: $0.shape, storage: r) }
    let xd = x.storage.map(Double.init), wd = conv.weight.value.storage.map(Double.init)
    let bd = conv.bias?.value.storage.map(Double.init)
    let rd = r.map(Double.init)
    func loss(_ x: [Double], _ w: [Double], _ b: [Double]?) -> Double {
      zip(Self.reference(x, cc, weight: w, bias: b), rd).reduce(0) { $0 + $1.0 * $1.1 }
    }
    expectClose(analytic.output.storage, Self.reference(xd, cc, weight: wd, bias: bd), rtol: 1e-5, atol: 1e-5, "forward")
    expectClose(analytic.input.storage, numericalGradient(at: xd, epsilon: 1e-4) { loss($0, wd, bd) }, rtol: 1e-4, atol: 1e-5, "dx")
    expectClose(analytic.parameters[0].storage, numericalGradient(at: wd, epsilon: 1e-4) { loss(xd, $0, bd) }, rtol: 1e-4, atol: 1e-5, "dw")
    if let bd {
      expectClose(analytic.parameters[1].storage, numericalGradient(at: bd, epsilon: 1e-4) { loss(xd, wd, $0) }, rtol: 1e-4, atol: 1e-5, "db")
    }
  }

  @Test func backwardAccumulatesIntoParameterGradients() {
    var generator = SplitMix(seed: 5)
    let conv = Conv2d(2, 3, kernelSize: 3, padding: 1, bias: true, generator: &generator)
    let x = randomTensor([1, 2, 4, 4], seed: 2)
    let g = randomTensor([1, 3, 4, 4], seed: 3)
    _ = conv.forward(x)
    _ = conv.backward(g)
    let once = conv.parameters.map(\.gradient)
    _ = conv.backward(g)
    for (parameter, single) in zip(conv.parameters, once) {
      expectClose(parameter.gradient.storage, single.storage.map { 2 * Double($0) }, rtol: 1e-6, atol: 1e-7, "accumulated")
    }
    conv.zeroGrad()
    #expect(conv.parameters.allSatisfy { $0.gradient.storage.allSatisfy { $0 == 0 } })
  }
}

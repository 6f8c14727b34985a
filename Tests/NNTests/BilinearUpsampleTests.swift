import DanceCore
import NN
import Tensors
import TestSupport
import Testing

@Suite struct BilinearUpsampleTests {
  /// PyTorch's `upsample_bilinear2d` (align_corners=False) written as the four-tap sum, in Double.
  static func reference(_ x: Tensor, height: Int, width: Int) -> [Double] {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    func source(_ o: Int, _ input: Int, _ output: Int) -> (Int, Int, Double) {
      let s = max(0, (Double(o) + 0.5) * Double(input) / Double(output) - 0.5)
      let i0 = min(Int(s), input - 1)
      return (i0, i0 < input - 1 ? i0 + 1 : i0, s - Double(i0))
    }
    var y: [Double] = []
    for plane in 0..<n * c {
      for oh in 0..<height {
        let (h0, h1, lh) = source(oh, h, height)
        for ow in 0..<width {
          let (w0, w1, lw) = source(ow, w, width)
          func at(_ i: Int, _ j: Int) -> Double { Double(x.storage[(plane * h + i) * w + j]) }
          y.append((1 - lh) * ((1 - lw) * at(h0, w0) + lw * at(h0, w1)) + lh * ((1 - lw) * at(h1, w0) + lw * at(h1, w1)))
        }
      }
    }
    return y
  }

  @Test func matchesPyTorchOnARamp() {
    // torch.nn.functional.interpolate(torch.tensor([[[[0., 1.]]]]), size=(1, 4), mode="bilinear") = [0, .25, .75, 1]
    let y = BilinearUpsample().forward(Tensor(shape: [1, 1, 1, 2], storage: [0, 1]), height: 1, width: 4)
    expectClose(y.storage, [0, 0.25, 0.75, 1], rtol: 0, atol: 1e-7, "ramp")
  }

  @Test(arguments: [([2, 2, 3, 4], 12, 16), ([1, 3, 4, 4], 7, 5), ([2, 1, 5, 3], 2, 2), ([1, 2, 1, 1], 3, 4), ([1, 1, 3, 5], 3, 5)])
  func forwardAndGradient(shape: [Int], height: Int, width: Int) {
    let x = randomTensor(shape, seed: UInt64(height * width))
    let layer = BilinearUpsample()
    expectClose(layer.forward(x, height: height, width: width).storage, Self.reference(x, height: height, width: width),
                rtol: 1e-5, atol: 1e-6, "forward")
    // Backward is the adjoint: ⟨up(x), r⟩ = ⟨x, upᵀ(r)⟩ for every x, so check it on each basis direction.
    var generator = SplitMix(seed: 3)
    let r = Tensor(shape: [shape[0], shape[1], height, width], storage: randomFloats(shape[0] * shape[1] * height * width, using: &generator))
    _ = layer.forward(x, height: height, width: width)
    let dx = layer.backward(r)
    let numeric = numericalGradient(at: x.storage.map(Double.init), epsilon: 1e-3) { values in
      let t = Tensor(shape: shape, storage: values.map(Float.init))
      return zip(Self.reference(t, height: height, width: width), r.storage).reduce(0) { $0 + $1.0 * Double($1.1) }
    }
    expectClose(dx.storage, numeric, rtol: 1e-4, atol: 1e-5, "dx")
  }

  @Test func scaleFactorFormMatchesSizeForm() {
    let x = randomTensor([2, 3, 4, 5], seed: 8)
    let layer = BilinearUpsample(scaleFactor: 4)
    #expect(layer.forward(x) == BilinearUpsample().forward(x, height: 16, width: 20))
    checkGradientsNumerically(layer, input: x, seed: 9)
  }
}

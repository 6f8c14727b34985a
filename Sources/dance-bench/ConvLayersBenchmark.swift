import ArgumentParser
import DanceCore
import Foundation
import NN
import Tensors

/// `dance-bench conv-layers`: every distinct convolution shape of the reference network and of the
/// default DeepLab model, timed on both backends, to show which library is faster for which shape.
struct ConvLayersBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "conv-layers",
    abstract: "Time each distinct convolution shape of both networks on OpenBLAS and on oneDNN.")

  @Option(help: "Comma-separated thread counts to measure.")
  var threads = "1,2"

  @Option(help: "Timed repetitions per shape and backend; the median is reported.")
  var repetitions = 5

  @Option(help: "Batch size N of the network input [N, 3, 128, 256].")
  var batch = 8

  func run() throws {
    let counts = try threadCounts(threads)
    print("conv-layers: input \(batch)x3x128x256; per shape the median of \(repetitions) runs, in ms: "
          + "train = forward + both backward passes, eval = an evaluation forward pass")
    let shapes = Self.convolutionShapes(batch: batch)
    for count in counts {
      BLASThreads.set(count)
      print("threads=\(count)")
      print("  shape (input → output channels, kernel, stride, dilation; layers)      openblas train/eval   onednn train/eval   faster")
      var totals: [ConvolutionBackend: (train: Double, eval: Double)] = [:]
      for shape in shapes {
        var cells: [ConvolutionBackend: (train: Double, eval: Double)] = [:]
        for backend in ConvolutionBackend.allCases {
          let timing = time(shape, backend: backend)
          cells[backend] = timing
          let total = totals[backend] ?? (0, 0)
          totals[backend] = (total.train + timing.train * Double(shape.layers), total.eval + timing.eval * Double(shape.layers))
        }
        let blas = cells[.openblas]!, dnnl = cells[.onednn]!
        print(String(format: "  %-70@ %7.2f / %6.2f    %7.2f / %6.2f   %@", shape.description as NSString, blas.train, blas.eval,
                     dnnl.train, dnnl.eval, (dnnl.train <= blas.train ? "onednn" : "openblas") as NSString))
      }
      let blas = totals[.openblas]!, dnnl = totals[.onednn]!
      print(String(format: "  %-70@ %7.2f / %6.2f    %7.2f / %6.2f", "sum over all layers" as NSString, blas.train, blas.eval, dnnl.train, dnnl.eval))
    }
  }

  /// One convolution shape and how many layers of the two networks have it.
  struct Shape: Hashable {
    var input: [Int]
    var outChannels, kernelSize, stride, padding, dilation: Int
    var bias, inputGradient: Bool
    var layers = 1

    var description: String {
      "[\(input.map(String.init).joined(separator: "x"))] → \(outChannels), k\(kernelSize) s\(stride) d\(dilation)"
        + (bias ? " bias" : "") + (inputGradient ? "" : " no-dx") + "; \(layers)"
    }
  }

  /// The convolutions of both networks after one forward pass, merged by shape.
  static func convolutionShapes(batch: Int) -> [Shape] {
    var generator = SplitMix(seed: 0)
    let input = Tensor.randomNormal(shape: [batch, 3, 128, 256], using: &generator)
    var shapes: [Shape] = []
    let networks: [any Layer] = [ReferenceNetwork(classes: 19, generator: &generator), DeepLab(DeepLabConfiguration(), generator: &generator)]
    for network in networks {
      _ = network.forward(input)
      for case let conv as Conv2d in network.leaves {
        guard let inputShape = conv.lastInputShape else { continue }
        let shape = Shape(input: inputShape, outChannels: conv.outChannels, kernelSize: conv.kernelSize, stride: conv.stride,
                          padding: conv.padding, dilation: conv.dilation, bias: conv.bias != nil, inputGradient: conv.computesInputGradient)
        if let index = shapes.firstIndex(where: { var s = $0; s.layers = 1; return s == shape }) {
          shapes[index].layers += 1
        } else {
          shapes.append(shape)
        }
      }
    }
    return shapes
  }

  /// Median milliseconds of a training pass (forward + backward) and of an evaluation forward pass.
  private func time(_ shape: Shape, backend: ConvolutionBackend) -> (train: Double, eval: Double) {
    var generator = SplitMix(seed: 1)
    let conv = Conv2d(shape.input[1], shape.outChannels, kernelSize: shape.kernelSize, stride: shape.stride, padding: shape.padding,
                      dilation: shape.dilation, bias: shape.bias, generator: &generator)
    conv.backend = backend
    conv.computesInputGradient = shape.inputGradient
    let input = Tensor.randomNormal(shape: shape.input, using: &generator)
    let gradient = Tensor.randomNormal(shape: conv.forward(input).shape, using: &generator)
    var train: [Double] = [], eval: [Double] = []
    for repetition in 0...repetitions {
      let t0 = DispatchTime.now().uptimeNanoseconds
      _ = conv.forward(input)
      _ = conv.backward(gradient)
      if repetition > 0 { train.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6) }
    }
    conv.isTraining = false
    for repetition in 0...repetitions {
      let t0 = DispatchTime.now().uptimeNanoseconds
      _ = conv.forward(input)
      if repetition > 0 { eval.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6) }
    }
    return (median(train), median(eval))
  }
}

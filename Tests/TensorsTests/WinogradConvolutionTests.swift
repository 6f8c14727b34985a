import DanceCore
import Foundation
@testable import Tensors
import TestSupport
import Testing

/// Winograd's algorithm computes the direct convolution, in all three passes, and an evaluation
/// convolution's kept (transformed) weights follow the weights each call passes.
@Suite struct WinogradConvolutionTests {
  /// 3×3, stride 1, no dilation: the geometries Winograd takes (channel counts of both networks'
  /// layers and one oneDNN pads to its 16-channel blocks).
  static let geometries: [(geometry: ConvGeometry, outChannels: Int)] = [
    (ConvGeometry(channels: 32, height: 16, width: 24, kernel: 3, padding: 1), 32),
    (ConvGeometry(channels: 64, height: 9, width: 13, kernel: 3, padding: 1), 64),
    (ConvGeometry(channels: 24, height: 8, width: 8, kernel: 3, padding: 1), 40),
  ]

  /// The three passes of one convolution on inputs drawn from `seed`.
  struct Passes {
    var y: [Float], dx: [Float], dw: [Float], db: [Float]
  }

  static func passes(_ convolution: OneDNNConvolution, x: [Float], w: [Float], b: [Float], dy: [Float]) -> Passes? {
    var y = [Float](repeating: 0, count: dy.count), dx = [Float](repeating: 0, count: x.count)
    var dw = [Float](repeating: 0, count: w.count), db = [Float](repeating: 0, count: b.count)
    guard convolution.forward(x, weight: w, bias: b, into: &y) else { return nil }
    guard convolution.backward(x, dy, weight: w, into: &dx, &dw, &db) else { return nil }
    return Passes(y: y, dx: dx, dw: dw, db: db)
  }

  static func inputs(_ g: ConvGeometry, batch: Int, outChannels: Int, seed: UInt64) -> (x: [Float], w: [Float], b: [Float], dy: [Float]) {
    var generator = SplitMix(seed: seed)
    let x = randomFloats(batch * g.channels * g.height * g.width, using: &generator)
    let w = randomFloats(outChannels * g.channels * 9, in: -0.2...0.2, using: &generator)
    let b = randomFloats(outChannels, using: &generator)
    let dy = randomFloats(batch * outChannels * g.outputHeight * g.outputWidth, using: &generator)
    return (x, w, b, dy)
  }

  @Test(arguments: 0..<geometries.count)
  func winogradComputesTheDirectConvolution(_ index: Int) throws {
    let (g, o) = Self.geometries[index]
    let winograd = try #require(OneDNNConvolution(g, batch: 2, outChannels: o, hasBias: true, training: true, algorithm: .winograd))
    let direct = try #require(OneDNNConvolution(g, batch: 2, outChannels: o, hasBias: true, training: true, algorithm: .direct))
    #expect(direct.algorithm == .direct)
    let (x, w, b, dy) = Self.inputs(g, batch: 2, outChannels: o, seed: UInt64(index) + 5)
    let expected = try #require(Self.passes(direct, x: x, w: w, b: b, dy: dy))
    let actual = try #require(Self.passes(winograd, x: x, w: w, b: b, dy: dy))
    expectClose(actual.y, expected.y.map(Double.init), rtol: 1e-4, atol: 1e-4, "forward (\(winograd.algorithm))")
    expectClose(actual.dx, expected.dx.map(Double.init), rtol: 1e-4, atol: 1e-4, "backward data (\(winograd.algorithm))")
    expectClose(actual.dw, expected.dw.map(Double.init), rtol: 1e-4, atol: 1e-3, "backward weights (\(winograd.algorithm))")
    expectClose(actual.db, expected.db.map(Double.init), rtol: 1e-5, atol: 1e-4, "bias gradient")
  }

  /// Without an input gradient (a network's first convolution) the backward pass still computes
  /// the weight and bias gradients, the same ones: `dy` then has one reader instead of two.
  @Test(arguments: ConvolutionAlgorithm.allCases)
  func theWeightGradientDoesNotDependOnTheInputGradient(_ algorithm: ConvolutionAlgorithm) throws {
    let (g, o) = Self.geometries[1]
    let convolution = try #require(OneDNNConvolution(g, batch: 2, outChannels: o, hasBias: true, training: true, algorithm: algorithm))
    let (x, w, b, dy) = Self.inputs(g, batch: 2, outChannels: o, seed: 9)
    let both = try #require(Self.passes(convolution, x: x, w: w, b: b, dy: dy))
    var dw = [Float](repeating: .nan, count: w.count), db = [Float](repeating: .nan, count: b.count)
    let succeeded = x.withUnsafeBufferPointer { x in
      dy.withUnsafeBufferPointer { dy in
        w.withUnsafeBufferPointer { w in
          dw.withUnsafeMutableBufferPointer { dw in
            db.withUnsafeMutableBufferPointer {
              convolution.backward(x.baseAddress!, dy.baseAddress!, weight: w.baseAddress!, inputGradient: nil,
                                   weightGradient: dw.baseAddress!, biasGradient: $0.baseAddress!)
            }
          }
        }
      }
    }
    #expect(succeeded)
    #expect(dw == both.dw && db == both.db)
  }

  /// An evaluation convolution transforms its weights once and keeps them; a call with other
  /// weights must use those, and a call with the first ones again the first ones.
  @Test func keptWeightsFollowTheWeightsOfEachCall() throws {
    let (g, o) = Self.geometries[0]
    let kept = try #require(OneDNNConvolution(g, batch: 2, outChannels: o, hasBias: true, training: false, algorithm: .winograd))
    let direct = try #require(OneDNNConvolution(g, batch: 2, outChannels: o, hasBias: true, training: false, algorithm: .direct))
    let first = Self.inputs(g, batch: 2, outChannels: o, seed: 1), second = Self.inputs(g, batch: 2, outChannels: o, seed: 2)
    var changedOne = first.w
    changedOne[changedOne.count / 2] += 0.5  // one weight: the comparison must see every element
    for (label, w) in [("first", first.w), ("second", second.w), ("one weight changed", changedOne), ("first again", first.w)] {
      var y = [Float](repeating: 0, count: first.dy.count), expected = y
      #expect(kept.forward(first.x, weight: w, bias: first.b, into: &y))
      #expect(direct.forward(first.x, weight: w, bias: first.b, into: &expected))
      expectClose(y, expected.map(Double.init), rtol: 1e-4, atol: 1e-4, "\(label) weights (\(kept.algorithm))")
    }
  }

  @Test(arguments: [
    ConvGeometry(channels: 32, height: 16, width: 16, kernel: 3, stride: 2, padding: 1),
    ConvGeometry(channels: 32, height: 16, width: 16, kernel: 3, padding: 2, dilation: 2),
    ConvGeometry(channels: 32, height: 16, width: 16, kernel: 1, padding: 0),
  ])
  func otherGeometriesRunDirectly(_ g: ConvGeometry) throws {
    #expect(ConvolutionAlgorithm.preferred(for: g, training: false) == .direct)
    let convolution = try #require(OneDNNConvolution(g, batch: 2, outChannels: 32, hasBias: false, training: true, algorithm: .winograd))
    #expect(convolution.algorithm == .direct)
  }

  @Test(.enabled(if: ConvolutionAlgorithm.forced == nil, "DANCE_CONV_ALGORITHM forces one algorithm"))
  func threeByThreeWithStrideOneAndNoDilationRunsWinogradInEvaluationOnly() {
    let g = ConvGeometry(channels: 64, height: 32, width: 64, kernel: 3, padding: 1)
    #expect(ConvolutionAlgorithm.preferred(for: g, training: false) == .winograd)
    #expect(ConvolutionAlgorithm.preferred(for: g, training: true) == .direct)
  }

  /// Where oneDNN has Winograd kernels (AVX-512 with byte/word and doubleword/quadword extensions),
  /// the tests above compare two algorithms, not one with itself.
  @Test(.enabled(if: Self.cpuHasAVX512Core, "oneDNN has Winograd kernels for AVX-512 CPUs only"))
  func winogradRunsOnThisCPU() throws {
    for (g, o) in Self.geometries {
      for training in [true, false] {
        let convolution = try #require(OneDNNConvolution(g, batch: 2, outChannels: o, hasBias: true, training: training, algorithm: .winograd))
        #expect(convolution.algorithm == .winograd, "\(g) training \(training): \(convolution.implementation)")
      }
    }
  }

  /// Whether the CPU has AVX-512 core (F, BW, VL, DQ) and oneDNN may use it: `ONEDNN_MAX_CPU_ISA`
  /// (or `DNNL_MAX_CPU_ISA`) can cap it to AVX2, which is how the direct fallback is tried here.
  static let cpuHasAVX512Core: Bool = {
    let environment = ProcessInfo.processInfo.environment
    if let cap = environment["ONEDNN_MAX_CPU_ISA"] ?? environment["DNNL_MAX_CPU_ISA"], !cap.uppercased().hasPrefix("AVX512"), cap.uppercased() != "ALL" {
      return false
    }
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })?.split(separator: " ")
    else { return false }
    return ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy { flags.contains(Substring($0)) }
  }()
}

extension OneDNNConvolution {
  /// The forward pass on arrays.
  fileprivate func forward(_ x: [Float], weight: [Float], bias: [Float], into y: inout [Float]) -> Bool {
    x.withUnsafeBufferPointer { x in
      weight.withUnsafeBufferPointer { w in
        bias.withUnsafeBufferPointer { b in
          y.withUnsafeMutableBufferPointer { forward(x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!, into: $0.baseAddress!) }
        }
      }
    }
  }

  /// Both backward passes on arrays.
  fileprivate func backward(_ x: [Float], _ dy: [Float], weight: [Float], into dx: inout [Float], _ dw: inout [Float], _ db: inout [Float]) -> Bool {
    x.withUnsafeBufferPointer { x in
      dy.withUnsafeBufferPointer { dy in
        weight.withUnsafeBufferPointer { w in
          dx.withUnsafeMutableBufferPointer { dx in
            dw.withUnsafeMutableBufferPointer { dw in
              db.withUnsafeMutableBufferPointer {
                backward(x.baseAddress!, dy.baseAddress!, weight: w.baseAddress!, inputGradient: dx.baseAddress!,
                         weightGradient: dw.baseAddress!, biasGradient: $0.baseAddress!)
              }
            }
          }
        }
      }
    }
  }
}

/// `DANCE_BACKEND` and `DANCE_CONV_ALGORITHM` name one case, or none.
@Suite struct EnvironmentChoiceTests {
  @Test func aVariableNamesACaseOrNone() {
    setenv("DANCE_TEST_CHOICE", "direct", 1)
    #expect(environmentChoice("DANCE_TEST_CHOICE", otherwise: "") == ConvolutionAlgorithm.direct)
    setenv("DANCE_TEST_CHOICE", "onednn", 1)
    #expect(environmentChoice("DANCE_TEST_CHOICE", otherwise: "") == ConvolutionBackend.onednn)
    setenv("DANCE_TEST_CHOICE", "fast", 1)  // unknown: reported on standard error, and no choice
    #expect((environmentChoice("DANCE_TEST_CHOICE", otherwise: "ignored") as ConvolutionAlgorithm?) == nil)
    setenv("DANCE_TEST_CHOICE", "", 1)
    #expect((environmentChoice("DANCE_TEST_CHOICE", otherwise: "") as ConvolutionAlgorithm?) == nil)
    unsetenv("DANCE_TEST_CHOICE")
    #expect((environmentChoice("DANCE_TEST_CHOICE", otherwise: "") as ConvolutionBackend?) == nil)
  }
}

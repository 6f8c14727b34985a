import DanceCore
public import Tensors
import TestSupport
public import Testing

@Suite struct Im2colTests {
  static let geometries: [ConvGeometry] = [
    ConvGeometry(channels: 2, height: 5, width: 6, kernel: 3, stride: 1, padding: 1),
    ConvGeometry(channels: 3, height: 7, width: 5, kernel: 3, stride: 2, padding: 1),
    ConvGeometry(channels: 1, height: 9, width: 8, kernel: 3, stride: 1, padding: 2, dilation: 2),
    ConvGeometry(channels: 2, height: 6, width: 7, kernel: 2, stride: 3, padding: 0),
    ConvGeometry(channels: 2, height: 4, width: 4, kernel: 3, stride: 1, padding: 6, dilation: 6),
    ConvGeometry(channels: 3, height: 4, width: 5, kernel: 1),
    // Padding wider than the image: an ASPP branch of dilation 6 or 12 on a 1×1 or 2×3 feature map.
    ConvGeometry(channels: 2, height: 1, width: 1, kernel: 3, stride: 1, padding: 6, dilation: 6),
    ConvGeometry(channels: 2, height: 2, width: 3, kernel: 3, stride: 1, padding: 12, dilation: 12),
    ConvGeometry(channels: 1, height: 1, width: 1, kernel: 3, stride: 1, padding: 12, dilation: 12),
  ]

  /// Neither pass writes outside its matrix or image, checked with sentinels after the buffer.
  @Test(arguments: geometries)
  func writesOnlyItsOwnBuffer(_ g: ConvGeometry) {
    let guardBand = 64, sentinel: Float = 12345
    let image = [Float](repeating: 1, count: g.channels * g.height * g.width)
    var columns = [Float](repeating: sentinel, count: g.columnRows * g.columnCount + guardBand)
    image.withUnsafeBufferPointer { x in
      columns.withUnsafeMutableBufferPointer { c in im2col(g, image: x.baseAddress!, columns: c.baseAddress!) }
    }
    #expect(columns.suffix(guardBand).allSatisfy { $0 == sentinel })
    var folded = [Float](repeating: 0, count: image.count) + [Float](repeating: sentinel, count: guardBand)
    columns.withUnsafeBufferPointer { c in
      folded.withUnsafeMutableBufferPointer { y in col2im(g, columns: c.baseAddress!, image: y.baseAddress!) }
    }
    #expect(folded.suffix(guardBand).allSatisfy { $0 == sentinel })
  }

  @Test(arguments: geometries)
  func im2colMatchesDefinition(_ g: ConvGeometry) {
    var generator = SplitMix(seed: 7)
    let image = randomFloats(g.channels * g.height * g.width, using: &generator)
    var columns = [Float](repeating: .nan, count: g.columnRows * g.columnCount)
    image.withUnsafeBufferPointer { x in
      columns.withUnsafeMutableBufferPointer { c in im2col(g, image: x.baseAddress!, columns: c.baseAddress!) }
    }
    var expected: [Double] = []
    for c in 0..<g.channels {
      for ki in 0..<g.kernelHeight {
        for kj in 0..<g.kernelWidth {
          for oh in 0..<g.outputHeight {
            for ow in 0..<g.outputWidth {
              let ih = oh * g.strideY - g.padY + ki * g.dilationY, iw = ow * g.strideX - g.padX + kj * g.dilationX
              let inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width
              expected.append(inside ? Double(image[(c * g.height + ih) * g.width + iw]) : 0)
            }
          }
        }
      }
    }
    expectClose(columns, expected, rtol: 0, atol: 0, "im2col")
  }

  @Test(arguments: geometries)
  func col2imIsTheAdjointOfIm2col(_ g: ConvGeometry) {
    var generator = SplitMix(seed: 11)
    let image = randomFloats(g.channels * g.height * g.width, using: &generator)
    let columnValues = randomFloats(g.columnRows * g.columnCount, using: &generator)
    var columns = [Float](repeating: 0, count: columnValues.count)
    var folded = [Float](repeating: 0, count: image.count)
    image.withUnsafeBufferPointer { x in
      columns.withUnsafeMutableBufferPointer { c in im2col(g, image: x.baseAddress!, columns: c.baseAddress!) }
    }
    columnValues.withUnsafeBufferPointer { c in
      folded.withUnsafeMutableBufferPointer { y in col2im(g, columns: c.baseAddress!, image: y.baseAddress!) }
    }
    // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩
    expectClose([Float(dot(columns, columnValues))], [dot(image, folded)], rtol: 1e-5, atol: 1e-5, "adjoint")
  }

  @Test(arguments: geometries)
  func tilesConcatenateToTheWholeMatrix(_ g: ConvGeometry) {
    var generator = SplitMix(seed: 13)
    let image = randomFloats(g.channels * g.height * g.width, using: &generator)
    var whole = [Float](repeating: 0, count: g.columnRows * g.columnCount)
    image.withUnsafeBufferPointer { x in
      whole.withUnsafeMutableBufferPointer { c in im2col(g, image: x.baseAddress!, columns: c.baseAddress!) }
    }
    let bands = [0..<1, 1..<min(3, g.outputHeight)].filter { !$0.isEmpty && $0.upperBound <= g.outputHeight }
      + [min(3, g.outputHeight)..<g.outputHeight].filter { !$0.isEmpty }
    var foldedWhole = [Float](repeating: 0, count: image.count), foldedTiles = foldedWhole
    whole.withUnsafeBufferPointer { c in
      foldedWhole.withUnsafeMutableBufferPointer { y in col2im(g, columns: c.baseAddress!, image: y.baseAddress!) }
    }
    for band in bands {
      var tile = [Float](repeating: .nan, count: g.columnRows * band.count * g.outputWidth)
      image.withUnsafeBufferPointer { x in
        tile.withUnsafeMutableBufferPointer { c in im2col(g, image: x.baseAddress!, columns: c.baseAddress!, outputRows: band) }
      }
      var expected: [Double] = []
      for row in 0..<g.columnRows {
        let start = row * g.columnCount + band.lowerBound * g.outputWidth
        expected += whole[start..<(start + band.count * g.outputWidth)].map(Double.init)
      }
      expectClose(tile, expected, rtol: 0, atol: 0, "tile \(band)")
      tile.withUnsafeBufferPointer { c in
        foldedTiles.withUnsafeMutableBufferPointer { y in col2im(g, columns: c.baseAddress!, image: y.baseAddress!, outputRows: band) }
      }
    }
    expectClose(foldedTiles, foldedWhole.map(Double.init), rtol: 1e-6, atol: 1e-6, "col2im by tiles")
  }

  @Test(arguments: [(5, 3, 1, 1, 1, 5), (7, 3, 2, 1, 1, 4), (9, 3, 1, 2, 2, 9), (8, 2, 2, 0, 1, 4), (4, 3, 1, 0, 2, 0)])
  func outputSizeFollowsThePyTorchFormula(size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, expected: Int) {
    if expected == 0 {
      #expect((size + 2 * padding - dilation * (kernel - 1) - 1) < 0)
      return
    }
    let g = ConvGeometry(channels: 1, height: size, width: size, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    #expect(g.outputHeight == expected)
    #expect(g.outputWidth == expected)
  }
}



extension ConvGeometry: CustomTestStringConvertible {
  public var testDescription: String {
    "C\(channels) \(height)x\(width) k\(kernelHeight) s\(strideY) p\(padY) d\(dilationY)"
  }
}

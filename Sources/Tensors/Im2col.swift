/// Unfolds one `[C, H, W]` image into the `[C * kh * kw, Ho * Wo]` column matrix (zeros where the
/// window reads padding), so that a convolution becomes one `gemm`.
public func im2col(_ g: ConvGeometry, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>) {
  im2col(g, image: image, columns: columns, outputRows: 0..<g.outputHeight)
}

/// Unfolds the part of the column matrix that belongs to output rows `outputRows` (a tile of
/// `outputRows.count * Wo` columns) into `[C * kh * kw, outputRows.count * Wo]` at `columns`.
///
/// Tiles let a convolution keep its column matrix in cache: unfold a tile, multiply it, go on.
public func im2col(_ g: ConvGeometry, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>, outputRows: Range<Int>) {
  precondition(outputRows.lowerBound >= 0 && outputRows.upperBound <= g.outputHeight, "im2col rows \(outputRows) outside 0..<\(g.outputHeight)")
  let outW = g.outputWidth, tileRows = outputRows.count
  var row = 0
  for c in 0..<g.channels {
    let plane = image + c * g.height * g.width
    for ki in 0..<g.kernelHeight {
      for kj in 0..<g.kernelWidth {
        let dst = columns + row * tileRows * outW
        let offsetX = kj * g.dilationX
        let valid = g.validOutputRange(offsetX: offsetX)
        for oh in outputRows {
          let out = dst + (oh - outputRows.lowerBound) * outW
          let ih = oh * g.strideY - g.padY + ki * g.dilationY
          if ih < 0 || ih >= g.height {
            out.update(repeating: 0, count: outW)
            continue
          }
          let src = plane + ih * g.width + offsetX - g.padX
          if valid.lowerBound > 0 { out.update(repeating: 0, count: valid.lowerBound) }
          if g.strideX == 1 {
            (out + valid.lowerBound).update(from: src + valid.lowerBound, count: valid.count)
          } else {
            for ow in valid { out[ow] = src[ow * g.strideX] }
          }
          if valid.upperBound < outW { (out + valid.upperBound).update(repeating: 0, count: outW - valid.upperBound) }
        }
        row += 1
      }
    }
  }
}

/// Folds a `[C * kh * kw, Ho * Wo]` column matrix back onto a `[C, H, W]` image, adding (`+=`)
/// every column entry to the pixel it was read from: the adjoint of ``im2col(_:image:columns:)``.
public func col2im(_ g: ConvGeometry, columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>) {
  col2im(g, columns: columns, image: image, outputRows: 0..<g.outputHeight)
}

/// Folds the `[C * kh * kw, outputRows.count * Wo]` tile of output rows `outputRows` back onto the
/// image, adding: the adjoint of ``im2col(_:image:columns:outputRows:)``.
public func col2im(_ g: ConvGeometry, columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>, outputRows: Range<Int>) {
  precondition(outputRows.lowerBound >= 0 && outputRows.upperBound <= g.outputHeight, "col2im rows \(outputRows) outside 0..<\(g.outputHeight)")
  let outW = g.outputWidth, tileRows = outputRows.count
  var row = 0
  for c in 0..<g.channels {
    let plane = image + c * g.height * g.width
    for ki in 0..<g.kernelHeight {
      for kj in 0..<g.kernelWidth {
        let source = columns + row * tileRows * outW
        let offsetX = kj * g.dilationX
        let valid = g.validOutputRange(offsetX: offsetX)
        for oh in outputRows {
          let ih = oh * g.strideY - g.padY + ki * g.dilationY
          if ih < 0 || ih >= g.height { continue }
          let col = source + (oh - outputRows.lowerBound) * outW
          let dst = plane + ih * g.width + offsetX - g.padX
          if g.strideX == 1 {
            for ow in valid { dst[ow] += col[ow] }
          } else {
            for ow in valid { dst[ow * g.strideX] += col[ow] }
          }
        }
        row += 1
      }
    }
  }
}

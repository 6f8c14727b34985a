import CPNG
import DanceCore
import Testing

/// The SIMD unfilter (average and Paeth rows of 3- and 4-byte pixels) gives exactly the scalar
/// reference's bytes, on every filter type, pixel size and odd width, with and without a row above,
/// and in place over the inflated buffer as the fast path uses it.
@Suite struct UnfilterTests {
  /// `count` seeded random bytes, biased to extremes so that Paeth's ties and the average's
  /// carries are exercised.
  static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SplitMix(seed: seed)
    return (0..<count).map { _ in
      let state = generator.next()
      let value = UInt8(truncatingIfNeeded: state >> 24)
      return state % 5 == 0 ? (value & 1 == 0 ? 0 : 255) : value
    }
  }

  @Test(arguments: 0...4, [1, 2, 3, 4])
  func simdMatchesScalar(filter: Int, bpp: Int) {
    for width in [1, 2, 3, 5, 7, 16, 33, 101] {
      let rowBytes = width * bpp
      for hasPrevious in [false, true] {
        var filtered = Self.bytes(rowBytes + 1, seed: UInt64(filter * 1000 + bpp * 100 + width))
        filtered[0] = UInt8(filter)
        let previous = Self.bytes(rowBytes, seed: UInt64(width * 7 + bpp))
        var simd = [UInt8](repeating: 0, count: rowBytes)
        var scalar = [UInt8](repeating: 0, count: rowBytes)
        previous.withUnsafeBufferPointer { above in
          let above = hasPrevious ? above.baseAddress : nil
          cpng_unfilter_row(filtered, above, &simd, rowBytes, Int32(bpp))
          cpng_unfilter_row_scalar(filtered, above, &scalar, rowBytes, Int32(bpp))
        }
        #expect(simd == scalar, "filter \(filter), bpp \(bpp), width \(width), row above: \(hasPrevious)")
      }
    }
  }

  /// Rows unfiltered over their own inflated bytes, each output one byte per row further back
  /// (how `FastPath.decode` compacts the buffer), give what separate buffers give.
  @Test(arguments: [3, 4])
  func inPlaceCompactionMatchesSeparateBuffers(bpp: Int) {
    let width = 29, height = 12
    let rowBytes = width * bpp
    var inflated = Self.bytes(height * (rowBytes + 1), seed: UInt64(bpp))
    for y in 0..<height { inflated[y * (rowBytes + 1)] = UInt8([3, 4, 1, 4, 3, 2, 0][y % 7]) }
    var expected = [UInt8](repeating: 0, count: height * rowBytes)
    inflated.withUnsafeBufferPointer { source in
      expected.withUnsafeMutableBufferPointer { out in
        for y in 0..<height {
          cpng_unfilter_row_scalar(
            source.baseAddress! + y * (rowBytes + 1), y > 0 ? out.baseAddress! + (y - 1) * rowBytes : nil,
            out.baseAddress! + y * rowBytes, rowBytes, Int32(bpp))
        }
      }
    }
    inflated.withUnsafeMutableBufferPointer { buffer in
      let base = buffer.baseAddress!
      for y in 0..<height {
        cpng_unfilter_row(base + y * (rowBytes + 1), y > 0 ? base + (y - 1) * rowBytes : nil, base + y * rowBytes, rowBytes, Int32(bpp))
      }
    }
    #expect(Array(inflated[0..<(height * rowBytes)]) == expected)
  }
}

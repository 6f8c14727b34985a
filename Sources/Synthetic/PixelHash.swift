/// A cheap 32-bit hash of a pixel position and a seed, for per-pixel texture and speckle.
///
/// Inlined into the renderer's hot loops: no allocation, integer arithmetic only.
@inline(__always)
func pixelHash(_ x: Int, _ y: Int, _ seed: UInt32) -> UInt32 {
  var h = UInt32(truncatingIfNeeded: x) &* 0x27D4_EB2D
  h ^= UInt32(truncatingIfNeeded: y) &* 0x1656_67B1
  h ^= seed
  h ^= h >> 15
  h &*= 0x2C1B_3C6D
  h ^= h >> 12
  h &*= 0x297A_2D39
  h ^= h >> 15
  return h
}

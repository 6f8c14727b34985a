/// The seeded generator behind every synthetic dataset: SplitMix64 (Steele, Lea, Flood 2014).
///
/// Synthetic output must be byte-identical for equal arguments on every run, so the generator never
/// touches the system RNG, and all its arithmetic is integer or exactly rounded floating point.
struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// Creates a generator whose sequence depends only on `seed`.
  init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return Self.mix(state)
  }

  /// The SplitMix64 finaliser: a bijective avalanche of 64 bits.
  static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A seed derived from `seed` and `parts`, so that e.g. (seed, split, index) name independent streams.
  static func derive(_ seed: UInt64, _ parts: UInt64...) -> UInt64 {
    var value = mix(seed ^ 0x5DEE_CE66_D1CE_5EED)
    for part in parts {
      value = mix(value &+ 0x9E37_79B9_7F4A_7C15 ^ mix(part &+ 0x2545_F491_4F6C_DD1D))
    }
    return value
  }

  /// A uniform value in `[0, 1)` with 53 random bits.
  mutating func unit() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A uniform value in `[low, high)`.
  mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * unit()
  }

  /// A uniform integer in `range`.
  mutating func int(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + Int(next() % UInt64(range.count))
  }

  /// `true` with probability `probability`.
  mutating func chance(_ probability: Double) -> Bool {
    unit() < probability
  }
}

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

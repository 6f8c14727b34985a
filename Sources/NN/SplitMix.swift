/// SplitMix64 (Steele, Lea, Flood 2014): the small seeded generator behind weight initialisation,
/// dropout masks and the trainer's data order.
public struct SplitMix: RandomNumberGenerator, Sendable {
  private var state: UInt64
  /// Creates a generator whose sequence depends only on `seed`.
  public init(seed: UInt64) { state = seed }

  /// A seed derived from `seed` and `parts`, so that e.g. (seed, epoch, batch) name independent streams.
  public static func derive(_ seed: UInt64, _ parts: UInt64...) -> UInt64 {
    var generator = SplitMix(seed: seed ^ 0x5DEE_CE66_D1CE_5EED)
    var value = generator.next()
    for part in parts {
      generator = SplitMix(seed: value ^ (part &* 0x2545_F491_4F6C_DD1D))
      value = generator.next()
    }
    return value
  }

  /// A uniform integer in `0..<bound`; `bound` must be positive.
  public mutating func below(_ bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    return Int(next() % UInt64(bound))
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

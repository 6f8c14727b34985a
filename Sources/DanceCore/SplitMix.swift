/// SplitMix64 (Steele, Lea, Flood 2014): the one seeded generator behind every random choice Dance
/// makes (synthetic scenes, weight initialisation, dropout masks, the trainer's data order, crops
/// and flips) and behind the tests' and benchmarks' fixtures.
///
/// Outputs must be byte-identical for equal seeds on every run and machine, so the generator never
/// touches the system RNG, and all its arithmetic is integer or exactly rounded floating point.
/// Its small methods are inlinable: the scene renderer calls them per shape and per pixel.
public struct SplitMix: RandomNumberGenerator, Sendable {
  /// The golden-ratio increment (2⁶⁴ / φ) that advances the state.
  @usableFromInline static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

  @usableFromInline var state: UInt64

  /// Creates a generator whose sequence depends only on `seed`.
  @inlinable public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  @inlinable public mutating func next() -> UInt64 {
    state &+= Self.increment
    return Self.mix(state)
  }

  /// The SplitMix64 finaliser: a bijective avalanche of 64 bits, so that every input bit changes
  /// each output bit with probability about one half (what a hash's low bits need to be usable).
  @inlinable public static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A seed derived from `seed` and `parts` by one generator step per part, so that e.g.
  /// (seed, epoch, batch) name independent streams: the trainer's and the network's derivation.
  public static func derive(_ seed: UInt64, _ parts: UInt64...) -> UInt64 {
    var generator = SplitMix(seed: seed ^ 0x5DEE_CE66_D1CE_5EED)
    var value = generator.next()
    for part in parts {
      generator = SplitMix(seed: value ^ (part &* 0x2545_F491_4F6C_DD1D))
      value = generator.next()
    }
    return value
  }

  /// A seed derived from `seed` and `parts` by hashing each part with the finaliser, so that e.g.
  /// (seed, split, index) name independent streams: the synthetic generator's derivation.
  ///
  /// It gives other values than ``derive(_:_:)`` for the same arguments; each pins the bytes of
  /// existing outputs (synthetic datasets here, training runs there), so the two are kept apart.
  public static func deriveHashingParts(_ seed: UInt64, _ parts: UInt64...) -> UInt64 {
    var value = mix(seed ^ 0x5DEE_CE66_D1CE_5EED)
    for part in parts {
      value = mix(value &+ increment ^ mix(part &+ 0x2545_F491_4F6C_DD1D))
    }
    return value
  }

  /// A uniform integer in `0..<bound`; `bound` must be positive.
  @inlinable public mutating func below(_ bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    return Int(next() % UInt64(bound))
  }

  /// A uniform integer in `range` (by the same modulo as ``below(_:)``).
  @inlinable public mutating func int(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + below(range.count)
  }

  /// A uniform value in `[0, 1)` with 53 random bits.
  @inlinable public mutating func unit() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A uniform value in `[low, high)`.
  @inlinable public mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * unit()
  }

  /// `true` with probability `probability`.
  @inlinable public mutating func chance(_ probability: Double) -> Bool {
    unit() < probability
  }
}

import DanceCore
import Testing

/// The one seeded generator gives the published SplitMix64 sequence, and each derivation gives the
/// values the streams it feeds were pinned with (synthetic datasets; training runs), so a change
/// to either would silently change every output built on it.
@Suite struct SplitMixTests {
  @Test(arguments: [
    (UInt64(0), [UInt64(0xE220_A839_7B1D_CDAF), 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F]),
    (UInt64(42), [UInt64(0xBDD7_3226_2FEB_6E95), 0x28EF_E333_B266_F103]),
  ])
  func theSequenceIsSplitMix64(seed: UInt64, expected: [UInt64]) {
    var generator = SplitMix(seed: seed)
    #expect(expected.map { _ in generator.next() } == expected)
  }

  @Test(arguments: [
    (UInt64(7), [UInt64(0x1417)], UInt64(0xE16D_9D2A_4327_C121)),
    (UInt64(7), [UInt64(0xE90C), 3], UInt64(0xDF7D_EA0B_8175_8DE0)),
    (UInt64(0), [], UInt64(0x5A83_F5BF_8FD7_1975)),
  ])
  func deriveStepsOneGeneratorPerPart(seed: UInt64, parts: [UInt64], expected: UInt64) {
    let value: UInt64 = switch parts.count {
    case 0: SplitMix.derive(seed)
    case 1: SplitMix.derive(seed, parts[0])
    default: SplitMix.derive(seed, parts[0], parts[1])
    }
    #expect(value == expected)
  }

  @Test(arguments: [
    (UInt64(7), [UInt64(1), 5], UInt64(0x6CFD_9484_5C7F_A59F)),
    (UInt64(7), [UInt64(1), 5, 0xADE], UInt64(0x76B0_6D48_EE98_7C2D)),
    (UInt64(0), [], UInt64(0x9CA2_D9AD_9CC3_88D6)),
  ])
  func deriveHashingPartsHashesEachPart(seed: UInt64, parts: [UInt64], expected: UInt64) {
    let value: UInt64 = switch parts.count {
    case 0: SplitMix.deriveHashingParts(seed)
    case 2: SplitMix.deriveHashingParts(seed, parts[0], parts[1])
    default: SplitMix.deriveHashingParts(seed, parts[0], parts[1], parts[2])
    }
    #expect(value == expected)
    #expect(value != SplitMix.derive(seed), "the two derivations are distinct streams")
  }

  @Test func drawsAreTheTopBitsAndTheModulo() {
    var generator = SplitMix(seed: 9)
    #expect(generator.unit() == 0.6823627349789958)
    var integers = SplitMix(seed: 9)
    #expect((0..<5).map { _ in integers.below(10) } == [8, 6, 8, 4, 1])
    var ranged = SplitMix(seed: 9)
    #expect((0..<5).map { _ in ranged.int(10...19) } == [18, 16, 18, 14, 11])
    var uniform = SplitMix(seed: 9)
    #expect(uniform.uniform(2, 4) == 2 + 2 * 0.6823627349789958)
  }
}

import DanceCore
import Foundation
import OutputStore
import Pipeline
import Testing

/// Issue 26, B3: every part of `--partition i/N` gets its share of a split's kept samples, to
/// within one sample, whatever the keys look like.
@Suite struct PartitionBalanceTests {
  /// A key set and where it comes from.
  struct KeySet: CustomTestStringConvertible, Sendable {
    var name: String
    var keys: [SampleKey]
    var testDescription: String { "\(name) (\(keys.count) keys)" }
  }

  /// Cityscapes' cities, for keys shaped like its training split.
  static let cities = ["aachen", "bochum", "bremen", "cologne", "darmstadt", "dusseldorf", "erfurt", "hamburg", "hanover",
                       "jena", "krefeld", "monchengladbach", "strasbourg", "stuttgart", "tubingen", "ulm", "weimar", "zurich"]

  static let keySets: [KeySet] = [
    // The default synthetic Cityscapes dataset's 16 training keys, and small sets of each layout.
    KeySet(name: "synthetic cityscapes", keys: (0..<16).map { index in
      let city = cities[index % cities.count]
      return "cs/train/\(city)/\(city)_\(String(format: "%06d", index / cities.count))_000019"
    }),
    KeySet(name: "synthetic camvid", keys: (0..<12).map { "camvid/train/0001TP_\(String(format: "%06d", 6690 + 30 * $0))" }),
    KeySet(name: "synthetic ade20k", keys: (1...20).map { "ade20k/training/ADE_train_\(String(format: "%08d", $0))" }),
    // Full-size splits: Cityscapes train (2,975 over 18 cities), CamVid train (367 over 4 sequences), ADE20K train (20,210).
    KeySet(name: "cityscapes train", keys: (0..<2975).map { index in
      let city = cities[index % cities.count]
      return "cityscapes/train/\(city)/\(city)_\(String(format: "%06d", index / cities.count))_\(String(format: "%06d", 19 + index % 7))"
    }),
    KeySet(name: "camvid train", keys: (0..<367).map { index in
      let sequence = ["0001TP", "0006R0", "0016E5", "Seq05VD"][index % 4]
      return "camvid/train/\(sequence)_\(String(format: "%06d", 840 + 30 * (index / 4)))"
    }),
    KeySet(name: "ade20k train", keys: (1...20210).map { "ade20k/training/ADE_train_\(String(format: "%08d", $0))" }),
  ]

  @Test(arguments: keySets, [2, 3, 4, 8, 16])
  func everyPartHoldsItsShare(set: KeySet, parts: Int) throws {
    var union: Set<SampleKey> = []
    for index in 0..<parts {
      let members = try Partition(index: index, count: parts).members(of: set.keys)
      let share = Double(set.keys.count) / Double(parts)
      #expect(Double(members.count) >= share.rounded(.down) && Double(members.count) <= share.rounded(.up),
              "part \(index)/\(parts) holds \(members.count) of \(set.keys.count)")
      #expect(union.isDisjoint(with: members))
      union.formUnion(members)
    }
    #expect(union == Set(set.keys))
  }

  /// The assignment is a function of the key set, not of its order: every process plans the same
  /// split and deals the same way.
  @Test func theAssignmentDoesNotDependOnTheOrderOfTheKeys() throws {
    let keys = Self.keySets[3].keys
    let part = try Partition(index: 1, count: 3)
    #expect(part.members(of: keys) == part.members(of: keys.reversed()))
  }

  /// What issue 26 found: FNV-1a modulo 2 gave the default synthetic dataset's second part none of
  /// its 16 training samples. The old scheme is kept only to read and recognise old outputs.
  @Test func theOldSchemeLeftPartsEmpty() throws {
    let keys = Self.keySets[0].keys
    let old = try Partition(index: 1, count: 2, scheme: .fnv1aModulo).members(of: keys)
    let new = try Partition(index: 1, count: 2).members(of: keys)
    #expect(old.count < 4 && new.count == 8)
  }
}

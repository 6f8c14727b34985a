import DanceCore
import Foundation
import Testing

/// A sample key's JSON form is its text alone (as a value and as an object's key), and the score
/// table groups values by sample and indicator and finds the samples a plan cannot rank.
@Suite struct SampleKeyAndScoreTableTests {
  struct Holder: Codable, Equatable {
    var key: SampleKey
    var byKey: [SampleKey: Int]
  }

  @Test(arguments: ["cityscapes/train/aachen/aachen_000000_000019", "a", "x-y_z/0"])
  func aKeyIsAPlainJSONStringAndAnObjectKey(text: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let holder = Holder(key: SampleKey(rawValue: text), byKey: [SampleKey(rawValue: text): 1])
    let json = String(decoding: try encoder.encode(holder), as: UTF8.self)
    let escaped = text.replacingOccurrences(of: "/", with: "\\/")
    #expect(json == "{\"byKey\":{\"\(escaped)\":1},\"key\":\"\(escaped)\"}")
    #expect(try JSONDecoder().decode(Holder.self, from: Data(json.utf8)) == holder)
    #expect(String(decoding: try encoder.encode([SampleKey(rawValue: text)]), as: UTF8.self) == "[\"\(escaped)\"]")
  }

  @Test func aKeyPrintsAndSortsAsItsText() {
    let keys: [SampleKey] = ["b/2", "a/10", "a/9"]
    #expect(keys.sorted().map(\.rawValue) == ["a/10", "a/9", "b/2"])
    #expect("\(keys[0])" == "b/2" && keys[0].description == "b/2")
  }

  static let table: ScoreTable = {
    var table = ScoreTable()
    table.record(1.5, of: .siMean, for: "d/b")
    table.record(0.9, of: .fidelity50, for: "d/b")
    table.record(2.5, of: .siMean, for: "d/a")
    table.record(3.5, of: .siMean, for: "d/a")  // a later value replaces an earlier one
    table.record(0.7, of: .labelEntropy, for: "d/c")
    return table
  }()

  @Test func valuesAreGroupedBySampleAndIndicator() {
    let table = Self.table
    #expect(table.keys == ["d/a", "d/b", "d/c"])
    #expect(table["d/a"] == [.siMean: 3.5])
    #expect(table["d/b"] == [.siMean: 1.5, .fidelity50: 0.9])
    #expect(table["d/none"].isEmpty)
    #expect(table.value(of: .siMean, for: "d/b") == 1.5 && table.value(of: .si, for: "d/b") == nil)
    #expect(table.indicators == [.siMean, .labelEntropy, .fidelity50])
  }

  @Test(arguments: [
    (.siMean, [], ["d/c", "d/d"]),
    (.siMean, ["d/d"], ["d/c"]),
    (.labelEntropy, [], ["d/a", "d/b", "d/d"]),
    (.fidelity50, ["d/a", "d/c", "d/d"], []),
  ] as [(Indicator, Set<SampleKey>, [SampleKey])])
  func theUnscoredSamplesAreThoseWithoutTheValueWhoseScoringDidNotFail(
    indicator: Indicator, failed: Set<SampleKey>, expected: [SampleKey]
  ) {
    #expect(Self.table.unscored(["d/a", "d/b", "d/c", "d/d"], by: indicator, failed: failed) == expected)
  }

  @Test func theStoredFormIsKeyedByIndicatorIdAndHoldsOnlyWhatIsAskedFor() throws {
    #expect(Self.table.idKeyed("d/b") == ["si-mean": 1.5, "fidelity@0.5": 0.9])
    #expect(Self.table.idKeyed("d/b", only: [.siMean, .si]) == ["si-mean": 1.5])
    #expect(Self.table.idKeyed("d/none").isEmpty)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    #expect(String(decoding: try encoder.encode(Self.table.idKeyed("d/b")), as: UTF8.self) == "{\"fidelity@0.5\":0.9,\"si-mean\":1.5}")
  }
}

import DanceCore
import Foundation
import Testing

/// Issue 26: the shared helpers behind plain messages and one JSON style.
@Suite struct MessageAndJSONHelperTests {
  @Test(arguments: [(1, "1 shard"), (0, "0 shards"), (2, "2 shards")])
  func countsAgreeWithTheirNoun(count: Int, text: String) {
    #expect(counted(count, "shard") == text)
    #expect(counted(1, "entry", plural: "entries") == "1 entry" && counted(3, "entry", plural: "entries") == "3 entries")
  }

  @Test(arguments: [
    ("widthMultiplier", "width_multiplier"), ("asppOneByOne", "aspp_one_by_one"), ("miou", "miou"), ("label_space", "label_space"),
    ("inferenceFlopsPerImage", "inference_flops_per_image"),
  ])
  func camelCaseKeysBecomeSnakeCase(key: String, snake: String) {
    #expect(LegacyJSON.snakeCased(key) == snake)
  }

  struct Sample: Decodable, Equatable {
    var widthMultiplier: Double, iou: [String: Double]
    enum CodingKeys: String, CodingKey {
      case widthMultiplier = "width_multiplier"
      case iou = "iou_fraction"
    }
  }

  @Test func aLegacyDecoderReadsOldAndNewKeysButLeavesDataKeysAlone() throws {
    let decoder = LegacyJSON.decoder(renaming: ["iou": "iou_fraction"], dataDictionaries: ["iou_fraction"])
    let old = try decoder.decode(Sample.self, from: Data(#"{"widthMultiplier": 0.5, "iou": {"TrafficLight": 0.25}}"#.utf8))
    let new = try decoder.decode(Sample.self, from: Data(#"{"width_multiplier": 0.5, "iou_fraction": {"TrafficLight": 0.25}}"#.utf8))
    #expect(old == new && old.iou == ["TrafficLight": 0.25])
  }

  @Test func configurationDifferencesNameEachKey() {
    let phrases = ConfigurationDifference.phrases(recorded: #"{"align":1,"policy":{"fixed":{"scale":0.5}}}"#, given: #"{"align":1,"policy":"none","root":"/d"}"#)
    #expect(phrases == [#"policy {"fixed":{"scale":0.5}} recorded, "none" given"#, #"root absent recorded, "/d" given"#])
  }

  /// Inside an object both sides have, each differing key is named by its dotted path; objects
  /// with no key in common (a policy of another kind) are shown whole.
  @Test func configurationDifferencesNameKeysInsideSharedObjects() {
    let phrases = ConfigurationDifference.phrases(
      recorded: #"{"output":{"pngLevel":3,"pngStrategy":"rle"},"policy":{"fixed":{"scale":0.5}}}"#,
      given: #"{"output":{"pngDeflater":"isal","pngLevel":2,"pngStrategy":"rle"},"policy":{"quantile":{"drop":0.1}}}"#)
    #expect(phrases == [
      #"output.pngDeflater absent recorded, "isal" given"#, "output.pngLevel 3 recorded, 2 given",
      #"policy {"fixed":{"scale":0.5}} recorded, {"quantile":{"drop":0.1}} given"#,
    ])
  }
}

@testable import OutputStore
import Testing

/// The checks across one sample's members that `dance verify` runs, on their own.
@Suite struct SampleConsistencyTests {
  @Test func aLabelMapOfAnotherSizeThanItsImageIsReported() {
    var sample = SampleConsistency(key: "k")
    sample.record(.image(width: 4, height: 3))
    sample.record(.label(width: 4, height: 2))
    #expect(sample.problems(split: "train") == ["sample k: the label map is 4×2, the image 4×3"])
    sample.record(.label(width: 4, height: 3))
    #expect(sample.problems(split: "train").isEmpty)
  }

  /// A member that did not decode takes no part: its problem is reported where it was found.
  @Test func membersThatDidNotDecodeAreNotCompared() {
    var sample = SampleConsistency(key: "k")
    sample.record(.unusable("member k.png does not decode"))
    sample.record(.label(width: 4, height: 2))
    #expect(sample.problems(split: "train").isEmpty)
  }
}

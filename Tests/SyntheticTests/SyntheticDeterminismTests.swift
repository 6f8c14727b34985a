import DanceCore
import Datasets
import Synthetic
import TestSupport
import Testing

@Suite("Synthetic dataset determinism")
struct SyntheticDeterminismTests {
  @Test("the same seed writes a byte-identical tree; another seed differs",
        arguments: DatasetFormat.allCases, SyntheticDatasetConfiguration.Style.allCases)
  func sameSeedSameBytes(format: DatasetFormat, style: SyntheticDatasetConfiguration.Style) throws {
    try withTemporaryDirectory { root in
      try SyntheticFixtures.write(format, to: root + "/a", seed: 42, style: style)
      try SyntheticFixtures.write(format, to: root + "/b", seed: 42, style: style)
      try SyntheticFixtures.write(format, to: root + "/c", seed: 43, style: style)
      let a = try SyntheticFixtures.digests(under: root + "/a")
      let b = try SyntheticFixtures.digests(under: root + "/b")
      let c = try SyntheticFixtures.digests(under: root + "/c")
      #expect(!a.isEmpty)
      #expect(a == b)
      #expect(Set(a.keys) == Set(c.keys))
      // List files and classes.yaml name the samples, whatever their content.
      func isSampleFile(_ path: String) -> Bool { !path.hasSuffix(".txt") && !path.hasSuffix(".yaml") }
      let differing = a.keys.filter { a[$0] != c[$0] && isSampleFile($0) }
      #expect(differing.count == a.keys.filter(isSampleFile).count, "every sample file changes")
    }
  }

  @Test("sample k does not depend on how many samples are written",
        arguments: DatasetFormat.allCases, SyntheticDatasetConfiguration.Style.allCases)
  func independentOfCount(format: DatasetFormat, style: SyntheticDatasetConfiguration.Style) throws {
    try withTemporaryDirectory { root in
      try SyntheticFixtures.write(format, to: root + "/three", train: 3, val: 1, seed: 5, style: style)
      try SyntheticFixtures.write(format, to: root + "/five", train: 5, val: 2, seed: 5, style: style)
      let three = try SyntheticFixtures.digests(under: root + "/three")
      let five = try SyntheticFixtures.digests(under: root + "/five")
      for (path, digest) in three where !path.hasSuffix(".txt") {  // classes.yaml is the same in both
        #expect(five[path] == digest, "\(path)")
      }
      #expect(five.count > three.count)
    }
  }

  /// The classic style is the first generator byte for byte: these digests are those of the
  /// files `dance synth --format cityscapes --train 6 --val 2 --seed 4` wrote before the
  /// photographic style existed (checked against a build of that version). A change to the classic
  /// scenes, renderer or encoder settings shows up here.
  @Test("the classic style still writes the first generator's bytes")
  func classicIsUnchanged() throws {
    try withTemporaryDirectory { root in
      try SyntheticFixtures.write(.cityscapes, to: root, train: 1, val: 0, seed: 4, style: .classic)
      let digests = try SyntheticFixtures.digests(under: root)
      let prefix = "train/aachen/aachen_000000_000019_"
      #expect(digests["leftImg8bit/" + prefix + "leftImg8bit.png"]
        == "c12f9528a91c7da71acfc23d71d0879377c9aed37e9a421e0a5bc0365592932a")
      #expect(digests["gtFine/" + prefix + "gtFine_labelIds.png"]
        == "a4bc7ba83b6195a10361c312c20463e51c78d024b3611ce79e0c960a30b62df1")
      #expect(digests["gtFine/" + prefix + "gtFine_instanceIds.png"]
        == "34e19623810bea926733b6782bd221d6ffca592b8e64c20c6c734840b205f71c")
      #expect(digests["gtFine/" + prefix + "gtFine_color.png"]
        == "0a85042b1fed4da00db720a43d30041b637e66dae03915a665e5ed5856098652")
    }
  }
}

import Datasets
import Testing
import TestSupport

@Suite("Synthetic dataset determinism")
struct SyntheticDeterminismTests {
  @Test("the same seed writes a byte-identical tree; another seed differs",
        arguments: DatasetFormat.allCases, SyntheticDatasetConfiguration.Style.allCases)
  func sameSeedSameBytes(format: DatasetFormat, style: SyntheticDatasetConfiguration.Style) throws {
    try withTemporaryDirectory { root in
      try Synthetic.write(format, to: root + "/a", seed: 42, style: style)
      try Synthetic.write(format, to: root + "/b", seed: 42, style: style)
      try Synthetic.write(format, to: root + "/c", seed: 43, style: style)
      let a = try Synthetic.digests(under: root + "/a")
      let b = try Synthetic.digests(under: root + "/b")
      let c = try Synthetic.digests(under: root + "/c")
      #expect(!a.isEmpty)
      #expect(a == b)
      #expect(Set(a.keys) == Set(c.keys))
      let differing = a.keys.filter { a[$0] != c[$0] && !$0.hasSuffix(".txt") }
      #expect(differing.count == a.keys.filter { !$0.hasSuffix(".txt") }.count, "every sample file changes")
    }
  }

  @Test("sample k does not depend on how many samples are written",
        arguments: DatasetFormat.allCases, SyntheticDatasetConfiguration.Style.allCases)
  func independentOfCount(format: DatasetFormat, style: SyntheticDatasetConfiguration.Style) throws {
    try withTemporaryDirectory { root in
      try Synthetic.write(format, to: root + "/three", train: 3, val: 1, seed: 5, style: style)
      try Synthetic.write(format, to: root + "/five", train: 5, val: 2, seed: 5, style: style)
      let three = try Synthetic.digests(under: root + "/three")
      let five = try Synthetic.digests(under: root + "/five")
      for (path, digest) in three where !path.hasSuffix(".txt") {
        #expect(five[path] == digest, "\(path)")
      }
      #expect(five.count > three.count)
    }
  }
}

import DanceCore
import Datasets
import Foundation
import Synthetic
import TestSupport
import Testing

@Suite struct SyntheticOverwriteTests {
  @Test func aNonEmptyOutputIsRefusedUnlessOverwriting() throws {
    try withTemporaryDirectory { directory in
      try SyntheticFixtures.write(.camvid, to: directory, train: 4, val: 1, test: 1)
      #expect(throws: DatasetError.self) { try SyntheticFixtures.write(.camvid, to: directory, train: 2, val: 1, test: 1) }
      var configuration = SyntheticDatasetConfiguration(
        format: .camvid, outputDirectory: directory, trainCount: 2, valCount: 1, testCount: 1, seed: 7)
      configuration.overwrite = true
      _ = try SyntheticDatasetWriter(configuration: configuration).write()
      // No stale samples from the larger first run.
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/train").count == 2)
    }
  }
}

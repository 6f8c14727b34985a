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

  /// Issue 25, A4: --overwrite removes only what an earlier synth wrote (its `.dance-written`
  /// record); a directory holding anything else (a home directory) is refused and nothing removed.
  @Test func overwriteRemovesOnlyWhatAnEarlierSynthWrote() throws {
    try withTemporaryDirectory { directory in
      var configuration = SyntheticDatasetConfiguration(
        format: .camvid, outputDirectory: directory, trainCount: 2, valCount: 1, testCount: 1, seed: 7)
      configuration.overwrite = true
      try Data("mine".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))
      #expect {
        try SyntheticDatasetWriter(configuration: configuration).write()
      } throws: { error in
        guard case DatasetError.refused(let path, let reason) = error else { return false }
        return path == directory && reason.contains("notes.txt")
      }
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["notes.txt"])
      try FileManager.default.removeItem(atPath: directory + "/notes.txt")
      _ = try SyntheticDatasetWriter(configuration: configuration).write()
      // A file the user put among the written ones since is kept, and the rerun refused.
      try Data("mine".utf8).write(to: URL(fileURLWithPath: directory + "/train/mine.png"))
      #expect(throws: DatasetError.self) { try SyntheticDatasetWriter(configuration: configuration).write() }
      #expect(FileManager.default.fileExists(atPath: directory + "/train/mine.png"))
      try FileManager.default.removeItem(atPath: directory + "/train/mine.png")
      configuration.trainCount = 1
      _ = try SyntheticDatasetWriter(configuration: configuration).write()
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/train").count == 1)
    }
  }
}

import DanceCore
@testable import Experiment
import Foundation
import Pipeline
import Synthetic
import TestSupport
import Testing
import Trainer

/// Issue 25, A8 and D22: `dance experiment` checks its directory and its data variants before the
/// first run trains, and never replaces report files it did not write.
@Suite(.serialized) struct ExperimentFilesTests {
  @Test(arguments: [ExperimentFiles.summary, ExperimentFiles.page])
  func aUsersReportFileIsNeverReplaced(name: String) throws {
    try withTemporaryDirectory { directory in
      try Data("my notes".utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
      #expect {
        try ExperimentFiles.prepare(directory: directory, dataRoot: nil)
      } throws: { error in
        (error as? ExperimentError)?.isConfigurationError == true && "\(error)".contains(name)
      }
      #expect(try String(contentsOfFile: directory + "/" + name, encoding: .utf8) == "my notes")
    }
  }

  @Test func reportsAnEarlierExperimentWroteAreAdoptedAndReplaced() throws {
    try withTemporaryDirectory { directory in
      let summary = try JSONEncoder().encode(ExperimentSummary([], options: ExperimentOptions()))
      try summary.write(to: URL(fileURLWithPath: directory + "/" + ExperimentFiles.summary))
      try Data(ExperimentSummary([], options: ExperimentOptions()).html.utf8).write(to: URL(fileURLWithPath: directory + "/" + ExperimentFiles.page))
      let written = try ExperimentFiles.prepare(directory: directory, dataRoot: nil)
      try ExperimentFiles.write(summary: Data("{}".utf8), page: "<p>", through: written)
      #expect(try String(contentsOfFile: directory + "/" + ExperimentFiles.summary, encoding: .utf8) == "{}")
    }
  }

  @Test func theDatasetOrAForeignCatalogAsTheDirectoryIsRefused() throws {
    try withTemporaryDirectory { directory in
      let data = directory + "/data"
      try FileManager.default.createDirectory(atPath: data + "/sub", withIntermediateDirectories: true)
      for out in [data, data + "/sub"] {
        #expect(throws: ExperimentError.self, "\(out)") { try ExperimentFiles.prepare(directory: out, dataRoot: data) }
      }
      #expect(try FileManager.default.contentsOfDirectory(atPath: data) == ["sub"])
      // The experiment directory may hold the dataset (DIR/data is the default one's place).
      _ = try ExperimentFiles.prepare(directory: directory, dataRoot: data)
      try FileManager.default.createDirectory(atPath: directory + "/exp", withIntermediateDirectories: true)
      try Data("SQLite format 3\0 but not really".utf8).write(to: URL(fileURLWithPath: directory + "/exp/catalog.sqlite"))
      #expect {
        try ExperimentFiles.prepare(directory: directory + "/exp", dataRoot: data)
      } throws: { error in
        (error as? ExperimentError)?.isConfigurationError == true && "\(error)".contains("catalog.sqlite")
      }
    }
  }

  /// A budget that keeps no training sample fails while the variants are made, before any run trains.
  @Test func aBudgetThatKeepsNoSampleFailsBeforeTheFirstRun() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/data"
      _ = try SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
        format: .camvid, outputDirectory: root, trainCount: 4, valCount: 2, testCount: 0,
        imageSize: .init(width: 64, height: 48), seed: 2)).write()
      var options = ExperimentOptions()
      options.budgets = [1e-9]
      options.seeds = 1
      options.kinds = [.baseline, .dance]
      options.epochs = 2
      let runner = ExperimentRunner(directory: directory + "/exp", dataRoot: root, options: options, log: { _ in })
      #expect {
        try runner.run()
      } throws: { error in
        (error as? ExperimentError)?.isConfigurationError == true && "\(error)".contains("--budget")
      }
      #expect(!FileManager.default.fileExists(atPath: directory + "/exp/baseline-seed1"))
    }
  }
}

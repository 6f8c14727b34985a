import Catalog
import Complexity
import DanceCore
import Datasets
import Foundation
import Pipeline
import Runner
import Synthetic
import TestSupport
import Testing

/// `PipelineRunner` is the only place stages are chained: `dance slim` and `dance run` scan once and
/// score once, and every sample is decoded once for scoring, whatever the stages need.
@Suite struct StageChainingTests {
  static func dataset(in directory: String) throws -> String {
    let root = directory + "/data"
    _ = try SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
      format: .cityscapes, outputDirectory: root, trainCount: 6, valCount: 2, imageSize: .init(width: 128, height: 64), seed: 5))
      .write()
    return root
  }

  static func invocations(_ catalog: String) -> [StageInvocations.Stage: Int] {
    Dictionary(uniqueKeysWithValues: StageInvocations.Stage.allCases.map { ($0, StageInvocations.count($0, catalogPath: catalog)) })
  }

  @Test(arguments: [SlimPolicyName.quantile, .budget])
  func slimScansOnceAndScoresOnce(policy: SlimPolicyName) throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory), catalog = directory + "/c.sqlite"
      var options = SlimOptions()
      options.policy = policy
      var stages: [String] = []
      let report = try PipelineRunner.slim(
        root: root, catalogPath: catalog, outputDirectory: directory + "/out", options: options,
        context: StageContext(workers: 2, progress: .silent)
      ) { stage in stages.append("\(stage)".prefix { $0 != "(" }.description) }
      #expect(stages == ["scan", "score", "slim"])
      #expect(Self.invocations(catalog) == [.scan: 1, .score: 1, .slim: 1])
      #expect(report.failures.isEmpty && report.splits.map(\.samples) == [6, 2])
      // The budget plan's label fidelities were scored in the same pass as its ranking indicator.
      let scores = try Catalog(path: catalog).scores()
      #expect(Set(scores.map(\.indicator)) == Set(options.neededIndicators))
      #expect(scores.count == 8 * options.neededIndicators.count)
    }
  }

  @Test func runScansOnceAndScoresOnceForTheFileAndThePlan() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory), catalog = directory + "/c.sqlite"
      // The file scores si on train only; the budget plan needs si-mean and the fidelities on every split.
      let yaml = """
        version: 1
        catalog: \(catalog)
        workers: 2
        dataset: {root: \(root)}
        score: {indicators: si, splits: train}
        slim: {out: \(directory)/out, policy: budget}
        """
      let spec = try PipelineSpec.parse(yaml: yaml, path: directory + "/p.yaml", environment: [:])
      var scoreReports: [ScoreReport] = []
      let report = try PipelineRunner.run(spec, progress: .silent) { stage in
        if case .score(let score) = stage { scoreReports.append(score) }
      }
      #expect(report.stages.count == 3 && report.failedSamples == 0)
      #expect(Self.invocations(catalog) == [.scan: 1, .score: 1, .slim: 1])
      let score = try #require(scoreReports.first)
      #expect(score.samples == 8 && score.decodedImages == 8 && score.decodedLabels == 8)
      let byIndicator = Dictionary(grouping: try Catalog(path: catalog).scores(), by: \.indicator).mapValues(\.count)
      #expect(byIndicator == [.si: 6, .siMean: 8, .fidelity75: 8, .fidelity50: 8, .fidelity25: 8])
    }
  }

  @Test func aPartitionPlansFromTheCatalogWithoutScanningOrScoring() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory), catalog = directory + "/c.sqlite"
      let context = StageContext(workers: 2, progress: .silent)
      _ = try PipelineRunner.score(root: root, catalogPath: catalog, options: ScoreOptions(indicators: [.siMean]), context: context)
      let before = Self.invocations(catalog)
      _ = try PipelineRunner.slim(
        root: root, catalogPath: catalog, outputDirectory: directory + "/out", options: SlimOptions(),
        partition: try Partition(parsing: "0/2"), context: context)
      #expect(Self.invocations(catalog) == [.scan: before[.scan]!, .score: before[.score]!, .slim: 1])
    }
  }

  @Test func slimRefusesACatalogThatWasNotScoredForIt() throws {
    try withTemporaryDirectory { directory in
      let root = try Self.dataset(in: directory), catalog = directory + "/c.sqlite"
      _ = try PipelineRunner.scan(root: root, catalogPath: catalog, context: StageContext(workers: 2, progress: .silent))
      #expect {
        try SlimJob.run(root: root, outputDirectory: directory + "/out", options: SlimOptions(), catalog: try Catalog(path: catalog))
      } throws: { error in
        guard case PipelineError.nothingToDo(let reason) = error else { return false }
        return reason.contains("8 samples have no si-mean score")
      }
      #expect(!FileManager.default.fileExists(atPath: directory + "/out/train"))
    }
  }
}

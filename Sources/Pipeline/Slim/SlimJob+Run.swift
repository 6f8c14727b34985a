import Catalog
import Complexity
import Datasets
import Foundation
import ImageCodecs
import Shards
import Slimming

/// The main job: plan, resample, encode and write shards plus catalog rows (design.md §2–§4).
public enum SlimJob {
  /// Runs the job.
  public static func run(_ configuration: SlimConfiguration) throws(PipelineError) -> SlimReport {
    do {
      return try runUnchecked(configuration)
    } catch let error as PipelineError {
      throw error
    } catch let error as CatalogError {
      throw .catalog(error)
    } catch let error as DatasetError {
      throw .dataset(error)
    } catch let error as SlimmingError {
      throw .dataset(.invalidConfiguration(path: configuration.outputDirectory, reason: error.description))
    } catch let error as ShardError {
      throw .output(path: error.path, reason: error.reason)
    } catch {
      throw .output(path: configuration.outputDirectory, reason: "\(error)")
    }
  }

  static func runUnchecked(_ configuration: SlimConfiguration) throws -> SlimReport {
    let start = Date()
    let directory = URL(fileURLWithPath: configuration.outputDirectory).standardizedFileURL.path
    // A dry run records its plan under its own name, so it never disturbs a written output.
    let output = configuration.dryRun ? directory + "#dry-run" : directory
    var needed: [Indicator] = [configuration.indicator]
    if case .budget = configuration.policy { needed += [.fidelity75, .fidelity50, .fidelity25] }
    let scoring = try ScoreJob.run(ScoreConfiguration(
      root: configuration.root, catalogPath: configuration.catalogPath, discovery: configuration.discovery,
      indicators: needed, workers: configuration.workers, failFast: configuration.failFast,
      progress: configuration.progress))
    let catalog = try Catalog(path: configuration.catalogPath)
    let rootPath = URL(fileURLWithPath: configuration.root).standardizedFileURL.path
    guard let dataset = try catalog.datasets().first(where: { $0.root == rootPath || $0.root == rootPath + "/ADEChallengeData2016" }),
      let datasetId = dataset.id
    else {
      throw PipelineError.nothingToDo(reason: "\(configuration.root): the dataset is not in the catalog")
    }
    let format = DatasetFormat(rawValue: dataset.format) ?? .cityscapes
    let grouping = try dataset.camvidGrouping.map { try CamVidGrouping(overrides: $0, source: "catalog") } ?? .standard
    let samples = try catalog.samples(datasetId: datasetId, status: .ok)
    let keys = samples.map(\.key)
    var scores: [String: [String: Double]] = [:]
    for score in try catalog.scores(sampleKeys: keys) { scores[score.sampleKey, default: [:]][score.indicator] = score.value }

    if configuration.dryRun {
      try catalog.clearOutput(output)
    } else {
      try prepareOutput(output, catalog: catalog, overwrite: configuration.overwrite)
    }

    var report = SlimReport(
      output: output, splits: [], copiedImages: 0, failures: scoring.failures, dryRun: configuration.dryRun, seconds: 0)
    var jobs: [SlimSampleJob] = []
    for split in ["train", "val", "test"] {
      let members = samples.filter { $0.split == split }
      if members.isEmpty { continue }
      let inputs = members.compactMap { sample -> PlanInput? in
        guard let score = scores[sample.key]?[configuration.indicator.rawValue], let width = sample.width,
          let height = sample.height
        else { return nil }
        let values = scores[sample.key] ?? [:]
        var fidelity: [Double: Double] = [:]
        for indicator in [Indicator.fidelity75, .fidelity50, .fidelity25] {
          if let scale = indicator.scale, let value = values[indicator.rawValue] { fidelity[scale] = value }
        }
        return PlanInput(key: sample.key, width: width, height: height, score: score, fidelity: fidelity)
      }
      let slimmed = configuration.slimmedSplits.contains(split)
      let plan = try Planner.plan(
        inputs, policy: slimmed ? configuration.policy : .none, weights: slimmed ? configuration.weights : .none,
        align: slimmed ? configuration.align : 1)
      let record = try catalog.recordPlan(
        PlanRecord(
          output: output, split: split, policy: json(plan.policy), indicator: "\(configuration.indicator.rawValue)@\(configuration.indicator.variant)",
          weights: json(plan.weights), lambda: plan.lambda, samples: inputs.count, kept: plan.keptCount,
          pixelFraction: plan.pixelFraction(inputs: inputs)),
        decisions: plan.decisions.map { decision in
          DecisionRecord(
            planId: 0, sampleKey: decision.key, keep: decision.keep, scale: decision.scale,
            outputWidth: decision.outputWidth, outputHeight: decision.outputHeight, weight: decision.weight,
            rank: decision.rank, reason: decision.reason)
        })
      let weightRange = plan.weightRange
      report.splits.append(SlimReport.Split(
        split: split, policy: plan.policy.description, samples: inputs.count, kept: record.kept,
        byScale: Dictionary(uniqueKeysWithValues: plan.countsByScale.map { (String($0.scale), $0.count) }),
        pixelFraction: record.pixelFraction, weights: weightRange.map { [$0.minimum, $0.mean, $0.maximum] } ?? [],
        lambda: plan.lambda, shards: 0, bytes: 0))
      let byKey = Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0) })
      for decision in plan.decisions where decision.keep {
        guard let sample = byKey[decision.key], let labelPath = sample.labelPath else { continue }
        jobs.append(SlimSampleJob(
          key: sample.key, split: split, root: dataset.root, imagePath: sample.imagePath, labelPath: labelPath,
          format: format, grouping: grouping, width: sample.width ?? 0, height: sample.height ?? 0,
          outputWidth: decision.outputWidth, outputHeight: decision.outputHeight, scale: decision.scale,
          weight: decision.weight, rank: decision.rank, scores: scores[sample.key] ?? [:]))
      }
    }
    if !configuration.dryRun {
      try writeShards(jobs, output: output, catalog: catalog, configuration: configuration, report: &report)
    }
    report.seconds = Date().timeIntervalSince(start)
    return report
  }

  /// Refuses a non-empty output directory unless overwriting; then empties it and forgets its rows.
  static func prepareOutput(_ output: String, catalog: Catalog, overwrite: Bool) throws {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
    let hasRows = try !catalog.plans(output: output).isEmpty || !catalog.shards(output: output).isEmpty
    guard !entries.isEmpty || hasRows else { return }
    guard overwrite else {
      throw PipelineError.output(
        path: output, reason: "the output directory already holds files or a slimmed dataset; choose another or pass --overwrite")
    }
    for entry in entries { try FileManager.default.removeItem(atPath: output + "/" + entry) }
    try catalog.clearOutput(output)
  }

  static func json<Value: Encodable>(_ value: Value) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }
}

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
    let partition = configuration.partition
    // A dry run and each partition record under their own name, so they never disturb each other.
    let output =
      configuration.dryRun ? directory + "#dry-run" : partition.map { directory + "#" + $0.name } ?? directory
    var needed: [Indicator] = [configuration.indicator]
    if case .budget = configuration.policy { needed += [.fidelity75, .fidelity50, .fidelity25] }
    var scoringFailures: [String] = []
    if partition == nil {
      scoringFailures = try ScoreJob.run(ScoreConfiguration(
        root: configuration.root, catalogPath: configuration.catalogPath, discovery: configuration.discovery,
        indicators: needed, decodeOptions: configuration.decodeOptions, workers: configuration.workers,
        failFast: configuration.failFast, progress: configuration.progress)).failures
    }
    let input = try Catalog(path: configuration.catalogPath)
    let rootPath = URL(fileURLWithPath: configuration.root).standardizedFileURL.path
    guard var dataset = try input.datasets().first(where: { $0.root == rootPath || $0.root == rootPath + "/ADEChallengeData2016" }),
      let inputDatasetId = dataset.id
    else {
      throw PipelineError.nothingToDo(
        reason: "\(configuration.root): the dataset is not in the catalog \(configuration.catalogPath)"
          + (partition == nil ? "" : "; partitions plan from existing scores: run `dance score ROOT` first"))
    }
    let format = DatasetFormat(rawValue: dataset.format) ?? .cityscapes
    let grouping = try dataset.camvidGrouping.map { try CamVidGrouping(overrides: $0, source: "catalog") } ?? .standard
    let samples = try input.samples(datasetId: inputDatasetId, status: .ok)
    let valid = Set(samples.map(\.key))
    let scoreRecords = try input.scores(datasetId: inputDatasetId).filter { valid.contains($0.sampleKey) }
    var scores: [String: [String: Double]] = [:]
    for score in scoreRecords { scores[score.sampleKey, default: [:]][score.indicator] = score.value }

    // A partition writes its own catalog, holding the rows it plans from and what it writes.
    let catalog: Catalog
    if let partition {
      let missing = samples.filter { configuration.slimmedSplits.contains($0.split) && scores[$0.key]?[configuration.indicator.rawValue] == nil }
      if !missing.isEmpty {
        throw PipelineError.nothingToDo(
          reason: "\(configuration.catalogPath): \(missing.count) samples have no \(configuration.indicator.rawValue) score; "
            + "partitions plan from existing scores, so run `dance score ROOT --catalog \(configuration.catalogPath)` first")
      }
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      catalog = try Catalog(path: directory + "/" + partition.catalogFileName)
      dataset.id = nil
      let copy = try catalog.registerDataset(dataset)
      _ = try catalog.recordScan(
        datasetId: copy.id!,
        samples: samples.map { sample in
          var sample = sample
          sample.datasetId = copy.id!
          return sample
        }, problems: [])
      try catalog.recordScores(scoreRecords, failures: [], succeeded: [])
    } else {
      catalog = input
    }

    var resume: [String: ResumePoint] = [:]
    let fingerprint = try json(SlimFingerprint(configuration))
    if configuration.dryRun {
      try catalog.clearOutput(output)
    } else {
      let recorded = try catalog.outputRecord(output)
      if let recorded, recorded.configuration == fingerprint, !configuration.overwrite {
        resume = try resumePoints(output, catalog: catalog)
      } else {
        try prepareOutput(
          directory, key: output, prefixes: partition.map { $0.shardPrefixes } , catalog: catalog,
          overwrite: configuration.overwrite, recorded: recorded != nil)
      }
      try catalog.saveOutput(OutputRecord(path: output, configuration: fingerprint, complete: false))
    }
    let recordedPlans = Dictionary(try catalog.plans(output: output).map { ($0.split, $0) }) { first, _ in first }

    var report = SlimReport(
      output: output, splits: [], copiedImages: 0, failures: scoringFailures, dryRun: configuration.dryRun, seconds: 0)
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
      let decisionRecords = plan.decisions.map { decision in
        DecisionRecord(
          planId: 0, sampleKey: decision.key, keep: decision.keep, scale: decision.scale,
          outputWidth: decision.outputWidth, outputHeight: decision.outputHeight, weight: decision.weight,
          rank: decision.rank, reason: decision.reason)
      }
      let record: PlanRecord
      if let existing = recordedPlans[split], let planId = existing.id {
        // Resuming: the plan must be the one the interrupted run wrote its shards by.
        let previous = try catalog.decisions(planId: planId).map { decision -> DecisionRecord in
          var copy = decision
          copy.planId = 0
          return copy
        }
        guard previous == decisionRecords else {
          throw PipelineError.output(
            path: output,
            reason: "the \(split) plan differs from the interrupted run's (the dataset or its scores changed); pass --overwrite")
        }
        record = existing
      } else {
        record = try catalog.recordPlan(
        PlanRecord(
          output: output, split: split, policy: json(plan.policy), indicator: "\(configuration.indicator.rawValue)@\(configuration.indicator.variant)",
          weights: json(plan.weights), lambda: plan.lambda, samples: inputs.count, kept: plan.keptCount,
          pixelFraction: plan.pixelFraction(inputs: inputs)),
        decisions: decisionRecords)
      }
      let weightRange = plan.weightRange
      report.splits.append(SlimReport.Split(
        split: split, policy: plan.policy.description, samples: inputs.count, kept: record.kept,
        byScale: Dictionary(uniqueKeysWithValues: plan.countsByScale.map { (String($0.scale), $0.count) }),
        pixelFraction: record.pixelFraction, weights: weightRange.map { [$0.minimum, $0.mean, $0.maximum] } ?? [],
        lambda: plan.lambda, shards: 0, bytes: 0))
      let byKey = Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0) })
      for decision in plan.decisions where decision.keep && (partition?.contains(decision.key) ?? true) {
        guard let sample = byKey[decision.key], let labelPath = sample.labelPath else { continue }
        jobs.append(SlimSampleJob(
          key: sample.key, split: split, root: dataset.root, imagePath: sample.imagePath, labelPath: labelPath,
          format: format, grouping: grouping, width: sample.width ?? 0, height: sample.height ?? 0,
          outputWidth: decision.outputWidth, outputHeight: decision.outputHeight, scale: decision.scale,
          weight: decision.weight, rank: decision.rank, scores: scores[sample.key] ?? [:]))
      }
    }
    if !configuration.dryRun {
      try writeShards(
        jobs, directory: directory, output: output, catalog: catalog, configuration: configuration, resume: resume,
        report: &report)
      try catalog.saveOutput(OutputRecord(path: output, configuration: fingerprint, complete: true))
    }
    report.seconds = Date().timeIntervalSince(start)
    return report
  }

  /// Refuses a non-empty output directory unless overwriting; then empties it and forgets its rows.
  /// Refuses an output that already holds files or catalog rows unless overwriting; then removes
  /// them (for a partition, only its own shards, indexes and rows).
  static func prepareOutput(
    _ directory: String, key: String, prefixes: [String]?, catalog: Catalog, overwrite: Bool, recorded: Bool
  ) throws {
    let entries = ((try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []).filter { path in
      guard let prefixes else { return true }
      let name = (path as NSString).lastPathComponent
      return prefixes.contains { name.hasPrefix($0 + "-") || name == "shardindex." + $0 + ".json" }
    }
    let hasRows = try recorded || !catalog.plans(output: key).isEmpty || !catalog.shards(output: key).isEmpty
    guard !entries.isEmpty || hasRows else { return }
    guard overwrite else {
      throw PipelineError.output(
        path: directory,
        reason: recorded
          ? "was written with a different configuration; rerun with the same options to resume, or pass --overwrite to replace it"
          : "the output directory already holds files; choose another or pass --overwrite")
    }
    if prefixes == nil {
      for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
        try FileManager.default.removeItem(atPath: directory + "/" + entry)
      }
    } else {
      for entry in entries.sorted(by: >) where !entry.hasSuffix(".sqlite") {
        try? FileManager.default.removeItem(atPath: directory + "/" + entry)
      }
    }
    try catalog.clearOutput(key)
  }

  /// Where an interrupted run stopped in one split: its recorded shards and the samples they (or
  /// its recorded failures) already account for.
  struct ResumePoint {
    var shards: [ShardRecord]
    var done: Set<String>
  }

  static func resumePoints(_ output: String, catalog: Catalog) throws -> [String: ResumePoint] {
    var points: [String: ResumePoint] = [:]
    for shard in try catalog.shards(output: output) {
      var point = points[shard.split] ?? ResumePoint(shards: [], done: [])
      point.shards.append(shard)
      for member in try catalog.members(shardId: shard.id!) { point.done.insert(member.sampleKey) }
      points[shard.split] = point
    }
    let failed = try catalog.slimFailures(output: output).map(\.sampleKey)
    for split in Array(points.keys) { points[split]?.done.formUnion(failed) }
    return points
  }

  static func json<Value: Encodable>(_ value: Value) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }
}

/// What a slimmed output depends on: a rerun with an equal fingerprint resumes, another is refused.
struct SlimFingerprint: Codable {
  var root: String
  var policy: SlimmingPolicy
  var indicator: String
  var weights: WeightScheme
  var slimmedSplits: [String]
  var align: Int
  var output: SlimOutputOptions
  var shardMaxBytes: Int?
  var shardMaxSamples: Int?
  var partition: String?

  init(_ configuration: SlimConfiguration) {
    root = URL(fileURLWithPath: configuration.root).standardizedFileURL.path
    policy = configuration.policy
    indicator = configuration.indicator.rawValue + "@" + configuration.indicator.variant
    weights = configuration.weights
    slimmedSplits = configuration.slimmedSplits
    align = configuration.align
    output = configuration.output
    shardMaxBytes = configuration.shardMaxBytes
    shardMaxSamples = configuration.shardMaxSamples
    partition = configuration.partition?.name
  }
}

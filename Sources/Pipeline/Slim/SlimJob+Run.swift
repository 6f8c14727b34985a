public import Catalog
import Complexity
import DanceCore
import Datasets
import Foundation
import OutputStore
import Shards
import Slimming

/// The main job: plan, resample, encode and write shards plus catalog rows (design.md §2–§4).
public enum SlimJob {
  /// Plans, resamples, encodes and writes the shards of `root` into `outputDirectory`, from the
  /// samples and scores already in the open `catalog` (``PipelineRunner/slim(root:catalogPath:discovery:outputDirectory:options:partition:context:onStage:)``
  /// scans and scores first). A partition writes its own catalog in the output directory.
  public static func run(
    root: String, outputDirectory: String, options: SlimOptions, partition: Partition? = nil,
    context: StageContext = StageContext(), catalog: Catalog
  ) throws(PipelineError) -> SlimReport {
    StageInvocations.record(.slim, catalogPath: catalog.path)
    // The library entry's guard: the one check of these settings (``SlimOptions/problem``), which
    // the command line, pipeline files and experiments ran where they made the options; a caller
    // of this function alone still gets a refusal, not a planner fed an impossible setting.
    if let problem = options.problem { throw .invalidSettings(problem) }
    let configuration = SlimConfiguration(
      root: root, outputDirectory: outputDirectory, options: options, partition: partition, context: context)
    do {
      return try runUnchecked(configuration, input: catalog)
    } catch let error as PipelineError {
      throw error
    } catch let error as OutputStoreError {
      throw PipelineError(error)
    } catch let error as CatalogError {
      throw .catalog(error)
    } catch let error as DatasetError {
      throw .dataset(error)
    } catch let error as ShardError {
      throw .output(path: error.path, reason: error.reason)
    } catch {
      throw .output(path: FileSystemFailure.path(of: error) ?? outputDirectory, reason: FileSystemFailure.reason(of: error))
    }
  }

  /// The job in its three steps: plan every split (recording the plans), encode the kept samples,
  /// and write them through the output's ``OutputWriter`` (a dry run records the plans only).
  static func runUnchecked(_ configuration: SlimConfiguration, input catalog: Catalog) throws -> SlimReport {
    let start = Date()
    let input = try SlimInput.gather(configuration, catalog: catalog)
    let target = try SlimTarget.open(configuration, input: input, catalog: catalog)
    defer { target.writer?.close() }
    var report = SlimReport(
      output: target.key.directory, splits: [], copiedImages: 0, failures: [], repairs: target.resume.repairs, warnings: [],
      dryRun: configuration.dryRun, seconds: 0)
    let jobs = try plan(configuration, input: input, target: target, report: &report)
    if let writer = target.writer {
      let written = try writeShards(jobs, through: writer, catalog: target.catalog, configuration: configuration, report: &report)
      report.alreadyComplete = target.resume.wasComplete && written == 0 && report.repairs.isEmpty
    } else {
      try target.catalog.saveOutput(OutputRecord(key: target.key, configuration: target.fingerprint, complete: true))
    }
    report.seconds = Date().timeIntervalSince(start)
    return report
  }

  /// Plans every split with samples, records each plan (or checks it against the interrupted run's),
  /// adds each split to `report`, and returns the jobs of the kept samples this run writes.
  static func plan(_ configuration: SlimConfiguration, input: SlimInput, target: SlimTarget, report: inout SlimReport) throws
    -> [SlimSampleJob]
  {
    let recordedPlans = Dictionary(try target.catalog.plans(output: target.key).map { ($0.split, $0) }) { first, _ in first }
    var jobs: [SlimSampleJob] = []
    for split in DatasetSplit.allCases {
      let members = input.samples.filter { $0.split == split }
      if members.isEmpty { continue }
      let inputs = input.scores.planInputs(ranking: configuration.indicator, sizes: members.map { ($0.key, $0.width, $0.height) })
      let plan = try makePlan(split, inputs: inputs, configuration: configuration)
      let record = try recordPlan(plan, split: split, inputs: inputs, recorded: recordedPlans[split], configuration: configuration, target: target)
      report.splits.append(SlimReport.Split(plan, record: record, split: split, samples: inputs.count))
      jobs += sampleJobs(plan, split: split, members: members, input: input, configuration: configuration, report: &report)
    }
    return jobs
  }

  /// One split's plan: the configured policy for a slimmed split (shuffled for a random-assignment
  /// control), keep-everything for the others.
  static func makePlan(_ split: DatasetSplit, inputs: [PlanInput], configuration: SlimConfiguration) throws -> Plan {
    let slimmed = configuration.slimmedSplits.contains(split)
    let plan = try Planner.plan(
      inputs, policy: slimmed ? configuration.policy : .none, weights: slimmed ? configuration.weights : .none,
      align: slimmed ? configuration.align : 1, options: configuration.options.planning)
    guard slimmed, let seed = configuration.randomAssignmentSeed else { return plan }
    return Planner.shuffled(plan, inputs: inputs, seed: seed, align: configuration.align, weights: configuration.weights)
  }

  /// Records `plan` with its decisions, or, when resuming, checks that it is the plan the
  /// interrupted run wrote its shards by.
  static func recordPlan(
    _ plan: Plan, split: DatasetSplit, inputs: [PlanInput], recorded: PlanRecord?, configuration: SlimConfiguration, target: SlimTarget
  ) throws -> PlanRecord {
    let decisions = plan.decisions.map { decision in
      DecisionRecord(
        planId: 0, sampleKey: decision.key, keep: decision.keep, scale: decision.scale,
        outputWidth: decision.outputWidth, outputHeight: decision.outputHeight, weight: decision.weight,
        rank: decision.rank, reason: decision.reason)
    }
    if let recorded, let planId = recorded.id {
      let previous = try target.catalog.decisions(planId: planId).map { decision -> DecisionRecord in
        var copy = decision
        copy.planId = 0
        return copy
      }
      guard previous == decisions else {
        throw PipelineError.output(
          path: target.key.directory,
          reason: "the \(split) plan differs from the interrupted run's (the dataset or its scores changed); pass --overwrite")
      }
      return recorded
    }
    let indicator = configuration.indicator
    return try target.catalog.recordPlan(
      PlanRecord(
        split: split, policy: CanonicalJSON.text(plan.policy), indicator: "\(indicator.rawValue)@\(indicator.variant)",
        weights: CanonicalJSON.text(plan.weights), lambda: plan.lambda, samples: inputs.count, kept: plan.keptCount,
        pixelFraction: plan.pixelFraction(inputs: inputs)),
      decisions: decisions, output: target.key)
  }

  /// The jobs of the kept samples of one split that this run writes (a partition's share only);
  /// a partition that holds none of them is warned about.
  static func sampleJobs(
    _ plan: Plan, split: DatasetSplit, members: [SampleRecord], input: SlimInput, configuration: SlimConfiguration,
    report: inout SlimReport
  ) -> [SlimSampleJob] {
    let byKey = Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0) })
    let kept = plan.decisions.filter(\.keep).map(\.key)
    let written = configuration.partition?.members(of: kept)
    if let partition = configuration.partition, let written, written.isEmpty, !kept.isEmpty {
      report.warnings.append(
        "partition \(partition.text) holds none of the \(counted(kept.count, "kept \(split) sample")) (\(partition.count) parts)")
    }
    // The json member carries exactly the scores the configuration uses, never whatever else the
    // catalog has cached, so that a shard's bytes depend on the inputs and the configuration only.
    let embedded = Set(configuration.options.neededIndicators)
    return plan.decisions.compactMap { decision -> SlimSampleJob? in
      guard decision.keep, written?.contains(decision.key) ?? true,
        let sample = byKey[decision.key], let labelPath = sample.labelPath
      else { return nil }
      return SlimSampleJob(
        key: sample.key, split: split, root: input.dataset.root, imagePath: sample.imagePath, labelPath: labelPath,
        labels: input.labels, width: sample.width ?? 0, height: sample.height ?? 0,
        outputWidth: decision.outputWidth, outputHeight: decision.outputHeight, scale: decision.scale,
        weight: decision.weight, rank: decision.rank,
        scores: input.scores.idKeyed(sample.key, only: embedded))
    }
  }
}

extension SlimReport.Split {
  /// A split's line of the report: its plan as recorded (shards and bytes are filled in when written).
  init(_ plan: Plan, record: PlanRecord, split: DatasetSplit, samples: Int) {
    let weightRange = plan.weightRange
    self.init(
      split: split.rawValue, policy: SlimReport.PolicySummary(plan.policy), samples: samples, kept: record.kept,
      byScale: Dictionary(uniqueKeysWithValues: plan.countsByScale.map { (String($0.scale), $0.count) }),
      pixelFraction: record.pixelFraction,
      weights: weightRange.map { SlimReport.WeightSummary(min: $0.minimum, mean: $0.mean, max: $0.maximum) },
      lambda: plan.lambda, shards: 0, bytes: 0)
  }
}

public import Catalog
import Complexity
import DanceCore
import Datasets
import Foundation
import ImageCodecs
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
    if let problem = options.problem { throw .invalidSettings(problem) }
    let configuration = SlimConfiguration(
      root: root, outputDirectory: outputDirectory, options: options, partition: partition, context: context)
    do {
      return try runUnchecked(configuration, input: catalog)
    } catch let error as PipelineError {
      throw error
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

  static func runUnchecked(_ configuration: SlimConfiguration, input: Catalog) throws -> SlimReport {
    let start = Date()
    let directory = URL(fileURLWithPath: configuration.outputDirectory).standardizedFileURL.path
    let partition = configuration.partition
    // A dry run and each partition have their own output row, so they never disturb each other.
    let output = OutputKey(directory: directory, partition: partition?.outputPartition, dryRun: configuration.dryRun)
    let registered = try input.datasets()
    try OutputPlacement.check(output: directory, datasetRoots: [configuration.root] + registered.map(\.root), catalogPath: input.path)
    let needed = configuration.options.neededIndicators
    let rootPath = URL(fileURLWithPath: configuration.root).standardizedFileURL.path
    let candidates = DatasetLayout.candidateRoots(of: rootPath)
    guard var dataset = registered.first(where: { candidates.contains($0.root) }),
      let inputDatasetId = dataset.id
    else {
      throw PipelineError.nothingToDo(
        reason: "\(configuration.root): the dataset is not in the catalog \(input.path); "
          + (partition == nil ? "run `dance scan ROOT` first" : "partitions plan from existing scores: run `dance score ROOT` first"))
    }
    let labels = try DatasetLabels.cataloged(
      format: dataset.format, root: dataset.root, camvidOverrides: dataset.camvidGrouping, labelSpace: dataset.labelSpace)
    let samples = try input.samples(datasetId: inputDatasetId, status: .ok)
    let valid = Set(samples.map(\.key))
    let scoreRecords = try input.scores(datasetId: inputDatasetId).filter { valid.contains($0.sampleKey) }
    let scores = ScoreTable(scoreRecords)
    // A sample whose scoring failed is reported by the score stage and left out of the plan; any
    // other sample without the ranking score means the catalog was not scored for this job.
    let failedScoring = Set(try input.scoreFailures().map(\.sampleKey))
    let unscored = scores.unscored(samples.map(\.key), by: configuration.indicator, failed: failedScoring)
    if !unscored.isEmpty {
      throw PipelineError.nothingToDo(
        reason: "\(input.path): \(unscored.count) samples have no \(configuration.indicator.rawValue) score (first: \(unscored[0])); "
          + "run `dance score ROOT --indicators \(configuration.indicator.rawValue) --catalog \(input.path)` first")
    }
    // One writer per output directory (per partition) for the whole run; a dry run writes no output.
    let lock = configuration.dryRun ? nil : try OutputLock(directory: directory, partition: partition)
    defer { lock?.release() }

    // A partition writes its own catalog, holding the rows it plans from and what it writes.
    let catalog: Catalog
    if let partition {
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

    var resume: [DatasetSplit: ResumePoint] = [:]
    var repairs: [String] = []
    var wasComplete = false
    let fingerprint = try json(SlimFingerprint(configuration))
    if configuration.dryRun {
      try catalog.clearOutput(output)
      try catalog.saveOutput(OutputRecord(key: output, configuration: fingerprint, complete: false))
    } else {
      let recorded = try catalog.outputRecord(output)
      if let recorded, recorded.configuration == fingerprint, !configuration.overwrite {
        wasComplete = recorded.complete
        resume = try resumePoints(output, directory: directory, catalog: catalog, repairs: &repairs)
      } else {
        try prepareOutput(
          directory, key: output, partition: partition, catalog: catalog, overwrite: configuration.overwrite,
          recorded: recorded?.configuration, given: fingerprint)
      }
      try catalog.saveOutput(OutputRecord(key: output, configuration: fingerprint, complete: false))
    }
    let recordedPlans = Dictionary(try catalog.plans(output: output).map { ($0.split, $0) }) { first, _ in first }

    var report = SlimReport(
      output: output.directory, splits: [], copiedImages: 0, failures: [], repairs: repairs, warnings: [],
      dryRun: configuration.dryRun, seconds: 0)
    var jobs: [SlimSampleJob] = []
    // The json member carries exactly the scores the configuration uses, never whatever else the
    // catalog has cached, so that a shard's bytes depend on the inputs and the configuration only.
    let embedded = Set(needed)
    for split in DatasetSplit.allCases {
      let members = samples.filter { $0.split == split }
      if members.isEmpty { continue }
      let inputs = scores.planInputs(ranking: configuration.indicator, sizes: members.map { ($0.key, $0.width, $0.height) })
      let slimmed = configuration.slimmedSplits.contains(split)
      var plan = try Planner.plan(
        inputs, policy: slimmed ? configuration.policy : .none, weights: slimmed ? configuration.weights : .none,
        align: slimmed ? configuration.align : 1, options: configuration.options.planning)
      if slimmed, let seed = configuration.randomAssignmentSeed {
        plan = Planner.shuffled(plan, inputs: inputs, seed: seed, align: configuration.align, weights: configuration.weights)
      }
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
            path: output.directory,
            reason: "the \(split) plan differs from the interrupted run's (the dataset or its scores changed); pass --overwrite")
        }
        record = existing
      } else {
        record = try catalog.recordPlan(
        PlanRecord(
          split: split, policy: json(plan.policy), indicator: "\(configuration.indicator.rawValue)@\(configuration.indicator.variant)",
          weights: json(plan.weights), lambda: plan.lambda, samples: inputs.count, kept: plan.keptCount,
          pixelFraction: plan.pixelFraction(inputs: inputs)),
        decisions: decisionRecords, output: output)
      }
      let weightRange = plan.weightRange
      report.splits.append(SlimReport.Split(
        split: split.rawValue, policy: SlimReport.PolicySummary(plan.policy), samples: inputs.count, kept: record.kept,
        byScale: Dictionary(uniqueKeysWithValues: plan.countsByScale.map { (String($0.scale), $0.count) }),
        pixelFraction: record.pixelFraction, weights: weightRange.map { SlimReport.WeightSummary(min: $0.minimum, mean: $0.mean, max: $0.maximum) },
        lambda: plan.lambda, shards: 0, bytes: 0))
      let byKey = Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0) })
      let kept = plan.decisions.filter(\.keep).map(\.key)
      let written = partition?.members(of: kept)
      if let partition, let written, written.isEmpty, !kept.isEmpty {
        report.warnings.append(
          "partition \(partition.text) holds none of the \(counted(kept.count, "kept \(split) sample")) (\(partition.count) parts)")
      }
      for decision in plan.decisions where decision.keep && (written?.contains(decision.key) ?? true) {
        guard let sample = byKey[decision.key], let labelPath = sample.labelPath else { continue }
        jobs.append(SlimSampleJob(
          key: sample.key, split: split, root: dataset.root, imagePath: sample.imagePath, labelPath: labelPath,
          labels: labels, width: sample.width ?? 0, height: sample.height ?? 0,
          outputWidth: decision.outputWidth, outputHeight: decision.outputHeight, scale: decision.scale,
          weight: decision.weight, rank: decision.rank,
          scores: scores.idKeyed(sample.key, only: embedded)))
      }
    }
    if !configuration.dryRun {
      let manifest = ManifestRecorder(
        directory: directory,
        manifest: OutputManifest(
          version: OutputManifest.currentVersion, partition: partition?.name, complete: false,
          configuration: fingerprint, configurationSHA256: OutputManifest.digest(fingerprint),
          dataset: .init(dataset, samples: samples, space: labels.space), splits: [:]))
      let written = try writeShards(
        jobs, directory: directory, output: output, catalog: catalog, configuration: configuration, resume: resume,
        manifest: manifest, report: &report)
      report.alreadyComplete = wasComplete && written == 0 && report.repairs.isEmpty
      try catalog.saveOutput(OutputRecord(key: output, configuration: fingerprint, complete: true))
      try manifest.finish()
    } else {
      try catalog.saveOutput(OutputRecord(key: output, configuration: fingerprint, complete: true))
    }
    report.seconds = Date().timeIntervalSince(start)
    return report
  }

  /// Refuses an output that already holds files or catalog rows unless overwriting; then removes
  /// only the files its manifests list (for a partition, only its own) and forgets its rows. Files
  /// no manifest lists are never removed: when there are any, nothing is removed and the run is refused.
  static func prepareOutput(
    _ directory: String, key: OutputKey, partition: Partition?, catalog: Catalog, overwrite: Bool, recorded: String?,
    given: String
  ) throws {
    let ownPrefixes = partition?.shardPrefixes
    let entries = regularFiles(in: directory).filter { path in
      if OutputLock.isLockFile(path) { return false }
      guard let partition, let ownPrefixes else { return true }
      let name = (path as NSString).lastPathComponent
      return path == OutputManifest.fileName(partition: partition.name)
        || ownPrefixes.contains { name.hasPrefix($0 + "-") || name.hasPrefix("." + $0 + "-") || name == "shardindex." + $0 + ".json" }
    }
    let hasRows = try recorded != nil || !catalog.plans(output: key).isEmpty || !catalog.shards(output: key).isEmpty
    guard !entries.isEmpty || hasRows else { return }
    guard overwrite else {
      if let recorded { throw anotherConfiguration(directory, recorded: recorded, given: given) }
      throw PipelineError.refused(path: directory, reason: "the output directory already holds files; choose another or pass --overwrite")
    }
    let manifests = try PipelineError.reading { () throws(ShardError) in try OutputManifest.all(in: directory) }
      .filter { partition == nil || $0.partition == partition?.name }
    var owned = Set(manifests.flatMap(\.ownedFiles))
    if partition == nil {
      // Partition catalogs belong to the partition manifests that name them.
      for manifest in manifests { if let name = manifest.partition { owned.insert("catalog.\(name).sqlite") } }
    }
    let foreign = entries.filter { path in
      !owned.contains(path) && !(path.hasSuffix(".sqlite-wal") || path.hasSuffix(".sqlite-shm")
        ? owned.contains(String(path.dropLast(4))) : partition.map { path == $0.catalogFileName } ?? false)
    }
    guard foreign.isEmpty else {
      let shown = foreign.sorted().prefix(3).joined(separator: ", ")
      throw PipelineError.refused(
        path: directory,
        reason: "--overwrite removes only the files a Dance manifest lists, and \(foreign.count) files here are not "
          + "listed (\(shown)\(foreign.count > 3 ? ", …" : "")); nothing was removed: move them away or choose another --out")
    }
    // Nothing foreign: every entry is a listed file or a listed catalog's -wal/-shm companion.
    for path in entries { try FileManager.default.removeItem(atPath: directory + "/" + path) }
    for split in DatasetSplit.allCases.map(\.rawValue) {
      let folder = directory + "/" + split
      if (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true {
        try FileManager.default.removeItem(atPath: folder)
      }
    }
    try catalog.clearOutput(key)
  }

  /// Every regular file under `directory`, relative to it (empty when it does not exist).
  static func regularFiles(in directory: String) -> [String] {
    ((try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []).filter { path in
      var isDirectory: ObjCBool = false
      return FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
  }

  /// Where an interrupted run stopped in one split: its recorded shards and the samples they (or
  /// its recorded failures) already account for.
  struct ResumePoint {
    var shards: [ShardRecord]
    var done: Set<SampleKey>
  }

  /// The recorded shards a resumed run keeps, per split: never trusting the catalog over the
  /// files, each must exist with its recorded size and SHA-256. From the first one that does not,
  /// the split's later shards are forgotten and written again (output is deterministic, so they
  /// come out byte-identical); `repairs` says what was found.
  static func resumePoints(_ output: OutputKey, directory: String, catalog: Catalog, repairs: inout [String]) throws
    -> [DatasetSplit: ResumePoint]
  {
    var points: [DatasetSplit: ResumePoint] = [:]
    var forgotten: [Int64] = []
    for (split, shards) in Dictionary(grouping: try catalog.shards(output: output), by: \.split).sorted(by: { $0.key < $1.key }) {
      var point = ResumePoint(shards: [], done: [])
      var broken = false
      for shard in shards {
        if !broken, let problem = shardProblem(shard, directory: directory) {
          repairs.append("\(shard.path): \(problem); writing the \(split) split again from this shard on")
          broken = true
        }
        if broken {
          forgotten.append(shard.id!)
          continue
        }
        point.shards.append(shard)
        for member in try catalog.members(shardId: shard.id!) { point.done.insert(member.sampleKey) }
      }
      points[split] = point
    }
    if !forgotten.isEmpty { try catalog.deleteShards(ids: forgotten) }
    let failed = try catalog.slimFailures(output: output).map(\.sampleKey)
    for split in Array(points.keys) { points[split]?.done.formUnion(failed) }
    return points
  }

  /// Why a recorded shard cannot be kept, or `nil` when its file matches the record.
  static func shardProblem(_ shard: ShardRecord, directory: String) -> String? {
    let path = directory + "/" + shard.path
    guard FileManager.default.fileExists(atPath: path) else { return "missing" }
    guard let file = ShardDigest.ofFile(path) else { return "unreadable" }
    if file.bytes != shard.bytes { return "\(file.bytes) bytes, \(shard.bytes) recorded" }
    if file.sha256 != shard.sha256 { return "its SHA-256 differs from the recorded one (the file changed)" }
    return nil
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
  var slimmedSplits: [DatasetSplit]
  var align: Int
  var output: SlimOutputOptions
  var shardMaxBytes: Int?
  var shardMaxSamples: Int?
  /// Absent (so older fingerprints stay equal) unless the output is a random-assignment control.
  var randomAssignmentSeed: UInt64?
  /// Absent unless the plan ranks within groups or the budget may not drop (older fingerprints stay equal).
  var planning: PlanningOptions?
  /// How a partition's samples were chosen: absent for a whole output, and for partitions written
  /// before issue 26 (``Partition/Scheme/fnv1aModulo``), so that their fingerprints stay equal.
  var partitionScheme: String?

  init(_ configuration: SlimConfiguration) {
    root = URL(fileURLWithPath: configuration.root).standardizedFileURL.path
    policy = configuration.policy
    // A survival ratio ranks by its lower values (complexity(_:)); plans ranked by it before that
    // orientation existed were the reverse, so its fingerprint says which.
    indicator = configuration.indicator.rawValue + "@" + configuration.indicator.variant
      + (configuration.indicator.higherMeansSimpler ? ";ranked-by-lower-value" : "")
    weights = configuration.weights
    slimmedSplits = configuration.slimmedSplits
    align = configuration.align
    output = configuration.output
    shardMaxBytes = configuration.shardMaxBytes
    shardMaxSamples = configuration.shardMaxSamples
    randomAssignmentSeed = configuration.randomAssignmentSeed
    planning = configuration.options.planning == PlanningOptions() ? nil : configuration.options.planning
    partitionScheme = configuration.partition.flatMap { $0.scheme == .fnv1aModulo ? nil : $0.scheme.rawValue }
  }

  /// The partition scheme a recorded fingerprint names; none is the one before issue 26.
  static func partitionScheme(of configuration: String?) -> Partition.Scheme {
    struct Recorded: Decodable { var partitionScheme: String? }
    let recorded = configuration.flatMap { try? JSONDecoder().decode(Recorded.self, from: Data($0.utf8)) }
    return recorded?.partitionScheme.flatMap(Partition.Scheme.init(rawValue:)) ?? .fnv1aModulo
  }
}

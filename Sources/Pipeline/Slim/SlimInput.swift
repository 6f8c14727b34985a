import Catalog
import DanceCore
import Datasets
import Foundation
import OutputStore

/// What a slim job plans from, read from the catalog: the dataset, its label conversion, its valid
/// samples and their scores.
struct SlimInput {
  /// The dataset's catalog row.
  var dataset: DatasetRecord
  /// How the dataset's label files become train ids.
  var labels: DatasetLabels
  /// The samples the scan found valid.
  var samples: [SampleRecord]
  /// Their cached scores of the indicators the configuration needs (``SlimOptions/neededIndicators``),
  /// as the catalog holds them (a partition copies them into its catalog).
  var scoreRecords: [ScoreRecord]
  /// The same scores by sample key and indicator.
  var scores: ScoreTable

  /// Refuses an output over any dataset the catalog registers (or the catalog itself), then reads
  /// the dataset at the configuration's root and its scores, refusing samples without the ranking score.
  static func gather(_ configuration: SlimConfiguration, catalog: Catalog) throws -> SlimInput {
    let registered = try catalog.datasets()
    let directory = URL(fileURLWithPath: configuration.outputDirectory).standardizedFileURL.path
    try OutputPlacement.check(output: directory, datasetRoots: [configuration.root] + registered.map(\.root), catalogPath: catalog.path)
    let candidates = DatasetLayout.candidateRoots(of: URL(fileURLWithPath: configuration.root).standardizedFileURL.path)
    guard let dataset = registered.first(where: { candidates.contains($0.root) }), let datasetId = dataset.id else {
      throw PipelineError.nothingToDo(
        reason: "\(configuration.root): the dataset is not in the catalog \(catalog.path); "
          + (configuration.partition == nil
            ? "run `dance scan ROOT` first" : "partitions plan from existing scores: run `dance score ROOT` first"))
    }
    let labels = try DatasetLabels.cataloged(
      format: dataset.format, root: dataset.root, camvidOverrides: dataset.camvidGrouping, labelSpace: dataset.labelSpace)
    let samples = try catalog.samples(datasetId: datasetId, status: .ok)
    let valid = Set(samples.map(\.key))
    // Only the scores the plan and the written samples use: a catalog scored with every indicator
    // would otherwise cost memory in proportion to samples × indicators.
    let needed = configuration.options.neededIndicators
    let scoreRecords = try catalog.scores(of: needed, datasetId: datasetId).filter { valid.contains($0.sampleKey) }
    let input = SlimInput(dataset: dataset, labels: labels, samples: samples, scoreRecords: scoreRecords, scores: ScoreTable(scoreRecords))
    try input.checkScored(ranking: configuration.indicator, catalog: catalog)
    return input
  }

  /// A sample whose scoring failed is reported by the score stage and left out of the plan; any
  /// other sample without the ranking score means the catalog was not scored for this job.
  func checkScored(ranking: Indicator, catalog: Catalog) throws {
    let failedScoring = Set(try catalog.scoreFailures().map(\.sampleKey))
    let unscored = scores.unscored(samples.map(\.key), by: ranking, failed: failedScoring)
    guard unscored.isEmpty else {
      throw PipelineError.nothingToDo(
        reason: "\(catalog.path): \(unscored.count) samples have no \(ranking.rawValue) score (first: \(unscored[0])); "
          + "run `dance score ROOT --indicators \(ranking.rawValue) --catalog \(catalog.path)` first")
    }
  }
}

/// Where a slim job writes: the output's catalog rows and, unless it is a dry run, the output
/// directory through its ``OutputWriter`` (locked for the job, resumed or prepared).
struct SlimTarget {
  /// The output's catalog name (a dry run and each partition have their own, so they never
  /// disturb each other).
  var key: OutputKey
  /// The catalog the job records into: the input catalog, or a partition's own in the output directory.
  var catalog: Catalog
  /// The writer of the output directory; nil for a dry run, which writes no output.
  var writer: OutputWriter?
  /// What an earlier run left that this one keeps.
  var resume: ResumePlan
  /// The configuration's canonical JSON, as the catalog records it.
  var fingerprint: String

  /// Opens the output: takes its lock, gives a partition its own catalog, and resumes or prepares
  /// it by the overwrite rules; a dry run only replaces its catalog rows.
  static func open(_ configuration: SlimConfiguration, input: SlimInput, catalog: Catalog) throws -> SlimTarget {
    let directory = URL(fileURLWithPath: configuration.outputDirectory).standardizedFileURL.path
    let partition = configuration.partition?.outputPartition
    let key = OutputKey(directory: directory, partition: partition, dryRun: configuration.dryRun)
    let fingerprint = SlimFingerprint(configuration)
    let canonical = try fingerprint.canonicalJSON(for: directory)
    guard !configuration.dryRun else {
      try catalog.clearOutput(key)
      try catalog.saveOutput(OutputRecord(key: key, configuration: canonical, complete: false))
      return SlimTarget(key: key, catalog: catalog, writer: nil, resume: ResumePlan(), fingerprint: canonical)
    }
    // One writer per output directory (per partition) for the whole run.
    let writer = try OutputWriter(directory: directory, partition: partition)
    let target = try configuration.partition.map { try partitionCatalog($0, directory: directory, input: input) } ?? catalog
    let resume = try writer.resumePlan(
      configuration: fingerprint, dataset: OutputManifest.Dataset(input.dataset, samples: input.samples, space: input.labels.space),
      overwrite: configuration.overwrite, catalog: target)
    return SlimTarget(key: writer.key, catalog: target, writer: writer, resume: resume, fingerprint: canonical)
  }

  /// A partition's own catalog in the output directory, holding the rows it plans from (the
  /// dataset, its valid samples and their scores) and, later, what it writes.
  static func partitionCatalog(_ partition: Partition, directory: String, input: SlimInput) throws -> Catalog {
    let catalog = try Catalog(path: directory + "/" + partition.catalogFileName)
    var dataset = input.dataset
    dataset.id = nil
    let copy = try catalog.registerDataset(dataset)
    _ = try catalog.recordScan(
      datasetId: copy.id!,
      samples: input.samples.map { sample in
        var sample = sample
        sample.datasetId = copy.id!
        return sample
      }, problems: [])
    try catalog.recordScores(input.scoreRecords, failures: [], succeeded: [])
    return catalog
  }
}

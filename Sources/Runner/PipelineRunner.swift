public import Pipeline
import Audit
import Catalog
public import DanceCore
public import Datasets
import Foundation
public import OutputStore
public import Synthetic

/// One finished stage of a pipeline run, handed to the caller as soon as it is done.
public enum PipelineStageResult: Sendable {
  /// The synthetic dataset was written.
  case synth(SyntheticDatasetSummary, root: String)
  /// The dataset was scanned.
  case scan(ScanReport)
  /// The samples were scored.
  case score(ScoreReport)
  /// The audit page was written: its path and the number of samples in it.
  case audit(html: String, samples: Int)
  /// The shards were written.
  case slim(SlimReport)
  /// The shards were verified.
  case verify(VerifyReport)
}

/// The outcome of a whole pipeline run.
public struct PipelineRunReport: Sendable {
  /// Every stage that ran, in order.
  public var stages: [PipelineStageResult] = []

  /// Samples that failed in any stage (bad scanned samples, scoring and slimming failures).
  public var failedSamples: Int {
    stages.reduce(0) { total, stage in
      switch stage {
      case .scan(let report): total + report.badSamples
      case .score(let report): total + report.failures.count
      case .slim(let report): total + report.failures.count
      default: total
      }
    }
  }

  /// Problems the verify stage found (0 when it did not run).
  public var verifyProblems: Int {
    stages.reduce(0) { total, stage in
      if case .verify(let report) = stage { return total + report.problems.count }
      return total
    }
  }
}

/// The one place stages are chained. Each command and pipeline file runs through it: it opens
/// the catalog once and hands it to each stage, so a dataset is scanned once and scored once per
/// run, however many stages read it.
///
/// - `dance scan ROOT`: scan.
/// - `dance score [ROOT]`: scan (with ROOT), score.
/// - `dance slim ROOT`: scan, score (what the plan needs), slim; a partition plans from the
///   scores already in the catalog.
/// - `dance run FILE`: synth (optional), scan, score (the file's indicators and what the plan
///   needs, in one pass), audit (optional), slim, verify (optional).
public enum PipelineRunner {
  /// `dance scan ROOT`.
  public static func scan(
    root: String, catalogPath: String, discovery: DiscoveryOptions = DiscoveryOptions(), options: ScanOptions = ScanOptions(),
    context: StageContext = StageContext()
  ) throws(PipelineError) -> ScanReport {
    try checkRoot(root, discovery)
    return try DatasetScanner.scan(root: root, discovery: discovery, options: options, context: context, catalog: try open(catalogPath))
  }

  /// `dance score [ROOT]`: with `root`, scans it first and scores only it; without, scores every
  /// dataset in the catalog.
  public static func score(
    root: String?, catalogPath: String, discovery: DiscoveryOptions = DiscoveryOptions(), options: ScoreOptions = ScoreOptions(),
    context: StageContext = StageContext(), onStage: (PipelineStageResult) -> Void = { _ in }
  ) throws(PipelineError) -> ScoreReport {
    if let root {
      try checkRoot(root, discovery)
    } else if !FileManager.default.fileExists(atPath: catalogPath) {
      throw .nothingToDo(
        reason: "\(catalogPath): no such catalog; give the dataset root (`dance score ROOT`) or the catalog of an earlier scan (--catalog)")
    }
    let catalog = try open(catalogPath)
    var scanned: String?
    if let root {
      let scan = try DatasetScanner.scan(root: root, discovery: discovery, context: context, catalog: catalog)
      onStage(.scan(scan))
      scanned = scan.root
    }
    var report = try ScoreJob.run([options], datasetRoot: scanned, context: context, catalog: catalog)
    report.leftOut = try invalidSamples(in: catalog, root: scanned)
    onStage(.score(report))
    return report
  }

  /// The samples of the dataset at `root` (every dataset when nil) that the scan found invalid,
  /// as `key: reason`: what a stage over the dataset leaves out.
  static func invalidSamples(in catalog: Catalog, root: String?) throws(PipelineError) -> [String] {
    do throws(CatalogError) {
      var invalid: [String] = []
      for dataset in try catalog.datasets() where root == nil || dataset.root == root {
        invalid += try catalog.samples(datasetId: dataset.id, status: .bad).map { "\($0.key): \($0.error ?? "invalid")" }
      }
      return invalid
    } catch {
      throw .catalog(error)
    }
  }

  /// `dance slim ROOT --out DIR`: scan, score what the plan needs (its indicators on every split,
  /// since every written sample carries them), slim. A partition skips scan and score: it plans
  /// from the scores already in the catalog, which every partition must share. The slim report's
  /// failures include the samples that could not be scored.
  public static func slim(
    root: String, catalogPath: String, discovery: DiscoveryOptions = DiscoveryOptions(), outputDirectory: String,
    options: SlimOptions, partition: Partition? = nil, context: StageContext = StageContext(),
    onStage: (PipelineStageResult) -> Void = { _ in }
  ) throws(PipelineError) -> SlimReport {
    // `options` were checked where they were made (``SlimOptions/problem``: the command line, a pipeline file, an experiment).
    // Everything that can be refused without the samples is refused before the catalog is created.
    try checkRoot(root, discovery)
    try SlimJob.checkRequest(
      root: root, outputDirectory: outputDirectory, options: options, partition: partition, catalogPath: catalogPath)
    let catalog = try open(catalogPath)
    var scoringFailures: [String] = []
    var scannedRoot: String?
    if partition == nil {
      let scan = try DatasetScanner.scan(root: root, discovery: discovery, context: context, catalog: catalog)
      onStage(.scan(scan))
      let score = try ScoreJob.run([options.scoreRequest], datasetRoot: scan.root, context: context, catalog: catalog)
      onStage(.score(score))
      scoringFailures = score.failures
      scannedRoot = scan.root
    }
    var report = try SlimJob.run(
      root: root, outputDirectory: outputDirectory, options: options, partition: partition, context: context, catalog: catalog)
    report.failures = scoringFailures + report.failures
    if let scannedRoot { report.leftOut = try invalidSamples(in: catalog, root: scannedRoot) }
    onStage(.slim(report))
    return report
  }

  /// Runs every stage of `spec` in order; `onStage` sees each stage's result as it finishes.
  ///
  /// Failing samples do not stop the run (unless the spec says `fail_fast`); they are counted in
  /// the report. A stage that cannot run at all stops the pipeline.
  /// - Throws: the failing stage's ``PipelineError``.
  public static func run(
    _ spec: PipelineSpec, progress: ProgressReporter.Style = .automatic,
    onStage: (PipelineStageResult) -> Void = { _ in }
  ) throws(PipelineError) -> PipelineRunReport {
    try spec.checkOutputPlacement()
    try SlimJob.checkRequest(root: spec.dataset.root, outputDirectory: spec.output, options: spec.slim, catalogPath: spec.catalog)
    var report = PipelineRunReport()
    func finish(_ stage: PipelineStageResult) {
      report.stages.append(stage)
      onStage(stage)
    }
    if let configuration = spec.synthConfiguration {
      do throws(DatasetError) {
        try configuration.validate()
        finish(.synth(try SyntheticDatasetWriter(configuration: configuration).write(), root: spec.dataset.root))
      } catch {
        throw .dataset(error)
      }
    }
    let context = StageContext(workers: spec.workers, progress: progress)
    try createParent(of: spec.catalog)
    let catalog = try open(spec.catalog)
    let scan = try DatasetScanner.scan(
      root: spec.dataset.root, discovery: try spec.discoveryOptions(), options: spec.scan, context: context, catalog: catalog)
    finish(.scan(scan))
    // One pass scores what the file asks for and what the plan needs.
    finish(.score(try ScoreJob.run([spec.score, spec.slim.scoreRequest], datasetRoot: scan.root, context: context, catalog: catalog)))
    if let audit = spec.audit { finish(try runAudit(audit, catalog: catalog)) }
    finish(.slim(try SlimJob.run(
      root: spec.dataset.root, outputDirectory: spec.output, options: spec.slim, context: context, catalog: catalog)))
    if spec.verify && !spec.slim.dryRun {
      do throws(OutputStoreError) {
        finish(.verify(try ShardVerifier.verify(output: spec.output, catalogPath: spec.catalog, workers: spec.workers, progress: progress)))
      } catch {
        throw PipelineError(error)
      }
    }
    return report
  }

  /// Refuses a dataset root that is missing or of no known layout, before the catalog is created.
  static func checkRoot(_ root: String, _ discovery: DiscoveryOptions) throws(PipelineError) {
    do throws(DatasetError) { try DatasetLayout.checkRoot(root, format: discovery.format) } catch { throw .dataset(error) }
  }

  /// Opens (or creates) the catalog a run reads and writes.
  static func open(_ path: String) throws(PipelineError) -> Catalog {
    do throws(CatalogError) { return try Catalog(path: path) } catch { throw .catalog(error) }
  }

  /// Gathers the audit from the catalog and writes its HTML page.
  private static func runAudit(_ audit: PipelineSpec.Audit, catalog: Catalog) throws(PipelineError) -> PipelineStageResult {
    let data: AuditData
    do throws(CatalogError) {
      data = try AuditData.gather(catalog: catalog, ranking: audit.rankBy, extremes: audit.extremes)
    } catch {
      throw .catalog(error)
    }
    if data.table.isEmpty { throw .nothingToDo(reason: "\(catalog.path): no scores to audit") }
    try createParent(of: audit.html)
    do {
      try Data(AuditHTML.render(data).utf8).write(to: URL(fileURLWithPath: audit.html))
    } catch {
      throw .output(path: audit.html, reason: "cannot write the report: \(FileSystemFailure.reason(of: error))")
    }
    return .audit(html: audit.html, samples: data.table.count)
  }

  /// Creates the directory a file will be written into.
  private static func createParent(of file: String) throws(PipelineError) {
    let directory = URL(fileURLWithPath: file).deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .output(path: FileSystemFailure.path(of: error) ?? directory.path, reason: "cannot create the directory: \(FileSystemFailure.reason(of: error))")
    }
  }
}

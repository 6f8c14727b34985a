import Audit
import Catalog
public import Datasets
import Foundation
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

/// Runs a ``PipelineSpec``: synth (optional) → scan → score → audit (optional) → slim → verify
/// (optional), each stage through the same library call as its `dance` command.
public enum PipelineRunner {
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
    try createParent(of: spec.catalog)
    finish(.scan(try DatasetScanner.scan(spec.scanConfiguration(progress: progress))))
    finish(.score(try ScoreJob.run(spec.scoreConfiguration(progress: progress))))
    if let audit = spec.audit { finish(try runAudit(audit, catalog: spec.catalog)) }
    finish(.slim(try SlimJob.run(spec.slimConfiguration(progress: progress))))
    if spec.verify && !spec.slim.dryRun {
      finish(.verify(try ShardVerifier.verify(output: spec.slim.out, catalogPath: spec.catalog, workers: spec.workers)))
    }
    return report
  }

  /// Gathers the audit from the catalog and writes its HTML page.
  private static func runAudit(_ audit: PipelineSpec.Audit, catalog path: String) throws(PipelineError) -> PipelineStageResult {
    let data: AuditData
    do throws(CatalogError) {
      data = try AuditData.gather(catalog: try Catalog(path: path, access: .existing), ranking: audit.rankBy, extremes: audit.extremes)
    } catch {
      throw .catalog(error)
    }
    if data.table.isEmpty { throw .nothingToDo(reason: "\(path): no scores to audit") }
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

import ArgumentParser
import Foundation
import Complexity
import DanceCore
import Datasets
import OutputStore
import Pipeline
import Runner
import Synthetic

extension Dance {
  /// `dance run FILE.yaml`: a declarative pipeline (synth → scan → score → audit → slim → verify).
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run",
      abstract: "Run a pipeline file: scan → score → slim, optionally synth first and audit and verify.",
      discussion: """
        The YAML file names the catalog, the dataset and every stage's options (Pipelines/README.md \
        documents the keys; Pipelines/*.yaml are commented examples). Relative paths in the file are \
        resolved against the file's directory, '~' is the home directory, and ${VAR} or \
        ${VAR:-default} in any value is read from the environment. Unknown keys and bad values are \
        refused before anything runs, with the file, the line and the reason (exit code 2). Exit \
        codes otherwise as for the single commands: 1 when a stage fails or verify finds problems, \
        3 when some samples failed.
        """
    )

    @Argument(help: ArgumentHelp("The pipeline file.", valueName: "file.yaml"))
    var file: String

    @Flag(help: "Only check the file and print what would run.")
    var check = false

    func run() throws {
      let spec: PipelineSpec
      spec = try PipelineSpec.load(path: file)
      if check {
        _ = try spec.checkOutputPlacement()
        print(plan(spec))
        return
      }
      let report = try PipelineRunner.run(spec, onStage: printStage)
      print("\n== done: \(counted(report.stages.count, "stage")); \(counted(report.failedSamples, "failed sample"))"
        + (spec.verify ? ", \(counted(report.verifyProblems, "verify problem"))" : ""))
      if report.verifyProblems > 0 { throw ExitCode(ExitStatus.failure) }
      if report.failedSamples > 0 { throw ExitCode(ExitStatus.partialFailure) }
    }

    /// The stages the spec runs, one line each.
    private func plan(_ spec: PipelineSpec) -> String {
      var lines = ["\(spec.path): valid", "catalog: \(spec.catalog)"]
      if let synth = spec.synthConfiguration {
        lines.append("synth: \(synth.format.rawValue) \(synth.trainCount) train, \(synth.valCount) val at \(synth.resolvedImageSize) → \(spec.dataset.root)")
      }
      lines.append("scan: \(spec.dataset.root)" + (spec.scan.verifyImages ? " (decoding every image)" : ""))
      lines.append("score: " + spec.score.indicators.map(\.rawValue).joined(separator: ", "))
      if let audit = spec.audit { lines.append("audit: \(audit.html)") }
      lines.append("slim: \(spec.slim.resolvedPolicy) on \(spec.slim.splits.map(\.rawValue).joined(separator: ", ")) → \(spec.output)")
      if spec.verify { lines.append("verify: \(spec.output)") }
      return lines.map(\.escapingControlCharacters).joined(separator: "\n")
    }

    /// Prints a finished stage the way its own command would.
    private func printStage(_ stage: PipelineStageResult) {
      switch stage {
      case .synth(let summary, let root):
        print("== synth\n\(summary) → \(root.escapingControlCharacters)")
      case .scan(let report):
        print("\n== scan\n" + ScanReportText(report: report, maxProblems: 40).text)
      case .score(let report):
        print("\n== score")
        for failure in report.failures.prefix(20) { printError(failure) }
        print(
          "\(counted(report.samples, "sample")): \(report.computed) scored, \(report.cached) already cached, "
            + "\(report.failures.count) failed; " + String(format: "%.2f s", report.seconds))
        print("indicators: " + report.indicators.joined(separator: ", "))
      case .audit(let html, let samples):
        print("\n== audit\naudit of \(counted(samples, "sample")) written to \(html.escapingControlCharacters)")
      case .slim(let report):
        print("\n== slim\n" + SlimReportText.render(report))
      case .verify(let report):
        print("\n== verify\n" + VerifyReportText.render(report))
      }
    }
  }
}

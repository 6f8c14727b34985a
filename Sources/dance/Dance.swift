import ArgumentParser
import Foundation
internal import CMalloc
import Catalog
import Datasets
import DanceCore
import Experiment
import OutputStore
import Pipeline
import Runner
import Trainer

/// The `dance` command: segmentation-dataset preparation following DANCE.
@main
struct Dance: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dance",
    abstract: "Prepare slimmed segmentation datasets (DANCE: data-network co-optimization).",
    discussion: """
      Exit codes: 0 success; 1 the run failed; 2 bad usage or configuration; \
      3 the run finished but some samples failed or were left out as invalid; 130 interrupted (Ctrl-C or SIGTERM; \
      dance train saves a resumable state first).
      """,
    version: "0.1.0",
    subcommands: [Synth.self, Inspect.self, Label.self, Scan.self, ComplexityCommand.self, Score.self, Audit.self, Slim.self, Run.self, Verify.self, ExportCommand.self, CatalogCommand.self, ModelCommand.self, Train.self, Eval.self, Predict.self, ExperimentCommand.self]
  )

  /// Runs the chosen subcommand; usage errors exit with 2 (argument-parser's default is 64), and
  /// a file-system error that no command caught is printed as `dance: PATH: reason` (exit 1).
  static func main() {
    keepFreedMemoryForReuse()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      if exitCode(for: error) == .validationFailure {
        // The message may quote what the user typed (file names); the usage lines around it are ours.
        let message = message(for: error)
        let full = fullMessage(for: error).replacingOccurrences(of: message, with: message.escapingControlCharacters)
        FileHandle.standardError.write(Data((full + "\n").utf8))
        Foundation.exit(ExitStatus.usage)
      }
      if let error = error as? any ReportedError {
        FileHandle.standardError.write(Data((error.standardErrorLine.escapingControlCharacters + "\n").utf8))
        Foundation.exit(error.exitStatus)
      }
      if FileSystemFailure.isFileSystemError(error) {
        let reason = FileSystemFailure.reason(of: error)
        printError(FileSystemFailure.path(of: error).map { "\($0): \(reason)" } ?? reason)
        Foundation.exit(ExitStatus.failure)
      }
      exit(withError: error)
    }
  }
}

/// An error a command lets through to ``Dance/main()``, which prints its description (naming the
/// file and the reason) and exits with its status: the one place errors become exit codes.
protocol ReportedError: Error, CustomStringConvertible {
  /// 2 when the request or configuration is at fault, otherwise 1.
  var exitStatus: Int32 { get }
  /// The line printed on standard error (control characters are escaped when it is printed).
  var standardErrorLine: String { get }
}

extension ReportedError {
  /// `dance: <path>: <reason>`.
  var standardErrorLine: String { "dance: " + description }
}

extension PipelineError: ReportedError {
  var exitStatus: Int32 { isUsageError ? ExitStatus.usage : ExitStatus.failure }
}

extension OutputStoreError: ReportedError {
  var exitStatus: Int32 { isUsageError ? ExitStatus.usage : ExitStatus.failure }
}

extension PipelineSpecError: ReportedError {
  var exitStatus: Int32 { ExitStatus.usage }
  /// `<file>:<line>: <reason>`, as compilers print it, so editors can jump to the line.
  var standardErrorLine: String { description }
}

extension DatasetError: ReportedError {
  var exitStatus: Int32 { isUsageError ? ExitStatus.usage : ExitStatus.failure }
}

extension CatalogError: ReportedError {
  var exitStatus: Int32 { isUsageError ? ExitStatus.usage : ExitStatus.failure }
}

extension TrainerError: ReportedError {
  var exitStatus: Int32 { isConfigurationError ? ExitStatus.usage : ExitStatus.failure }
}

extension ExperimentError: ReportedError {
  var exitStatus: Int32 { isConfigurationError ? ExitStatus.usage : ExitStatus.failure }
}

/// A failure while a run was under way (its settings were accepted, so never a usage error).
struct RunFailure: ReportedError {
  /// What failed.
  var underlying: any Error & CustomStringConvertible
  var description: String { underlying.description }
  var exitStatus: Int32 { ExitStatus.failure }
}

/// The process exit codes of `dance`.
enum ExitStatus {
  /// The run failed.
  static let failure: Int32 = 1
  /// Bad usage or configuration.
  static let usage: Int32 = 2
  /// The run finished but some samples failed; each failure is recorded.
  static let partialFailure: Int32 = 3
}

/// Keeps freed memory in glibc's heap for reuse: allocations up to 32 MiB come from the heap, and
/// the heap is not trimmed. Every command runs with it (the `CMalloc` shim's
/// `cmalloc_keep_freed_memory`).
///
/// Data commands decode, resample and encode images of megabytes each, and training allocates and
/// frees the same tensor sizes every step. A fresh mapping per buffer, or a heap trimmed and grown
/// again, costs a page fault and a cleared page for every 4 KiB, every time; with this a buffer's
/// pages are reused, and peak memory settles after the first samples or steps instead of growing
/// with their number. The measurements are in the README (page faults, time and peak memory of
/// `dance slim`), and `make bench`'s train-step prints the page faults per step.
func keepFreedMemoryForReuse() {
  _ = cmalloc_keep_freed_memory()
}

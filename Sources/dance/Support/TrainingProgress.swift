import Foundation
import Trainer

/// Prints the training progress: a line per epoch, and a live step line on a terminal.
struct TrainingProgress {
  private let live = isatty(STDERR_FILENO) == 1

  func handle(_ event: TrainingEvent) {
    switch event {
    case .step(let epoch, let epochs, let batch, let batches, let loss, let rate):
      guard live else { return }
      let line = String(format: "\r  epoch %d/%d  batch %d/%d  loss %.4f  %.1f samples/s ", epoch, epochs, batch, batches, loss, rate)
      FileHandle.standardError.write(Data(line.utf8))
    case .evaluating(let epoch):
      if live { FileHandle.standardError.write(Data("\r  epoch \(epoch): validating…\u{1B}[K".utf8)) }
    case .epochFinished(let record, let epochs, let remaining):
      if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
      var line = String(format: "epoch %d/%d  loss %.4f  %.1f samples/s  %.1f s", record.epoch, epochs, record.loss,
                        record.samplesPerSecond, record.seconds)
      if let miou = record.miou, let accuracy = record.pixelAccuracy {
        line += String(format: "  val mIoU %.1f %%  pixel acc %.1f %%", miou * 100, accuracy * 100)
      }
      line += "  ETA " + formatDuration(remaining)
      printNow(line)
    case .sampleFailed(let failure):
      printError("\(failure.path): \(failure.reason) (left out)")
    case .pruned(let epoch, let pruning) where pruning.parametersAfter == pruning.parametersBefore:
      printNow("pruning after epoch \(epoch): nothing to remove under --prune-threshold and --prune-fraction; the network stays as it is")
    case .pruned(let epoch, let pruning):
      printNow(String(format: "pruned after epoch %d: %d → %d parameters, %.2f → %.2f GFLOPs per training crop batch; now %@", epoch,
                      pruning.parametersBefore, pruning.parametersAfter, Double(pruning.flopsBefore) / 1e9, Double(pruning.flopsAfter) / 1e9,
                      pruning.model))
    }
  }
}

/// Writes a line to standard output unbuffered, so a log file or pipe sees it at once.
func printNow(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// `1h02m`, `3m05s` or `12s`.
func formatDuration(_ seconds: Double) -> String {
  let total = Int(seconds.rounded())
  if total >= 3600 { return String(format: "%dh%02dm", total / 3600, total % 3600 / 60) }
  if total >= 60 { return String(format: "%dm%02ds", total / 60, total % 60) }
  return "\(total)s"
}

/// A stop request from SIGINT or SIGTERM; a second signal ends the process at once.
final class StopRequest: @unchecked Sendable {
  private let lock = NSLock()
  private var requested = false
  private var sources: [any DispatchSourceSignal] = []

  /// Whether a signal arrived.
  var isRequested: Bool { lock.withLock { requested } }

  /// Routes SIGINT and SIGTERM to a new request.
  static func install() -> StopRequest {
    let request = StopRequest()
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { request.signalled() }
      source.resume()
      request.sources.append(source)
    }
    return request
  }

  private func signalled() {
    let again = lock.withLock { () -> Bool in
      defer { requested = true }
      return requested
    }
    if again { Foundation.exit(130) }
    printError("stopping after this step to save a resumable state (signal again to quit at once)")
  }
}

import Foundation

/// Reports progress of a long job on standard error: a live bar with items/s and ETA on a
/// terminal, a log line every few seconds otherwise (CI logs, files), and nothing when disabled.
public final class ProgressReporter: @unchecked Sendable {
  /// How progress is shown.
  public enum Style: Sendable {
    /// A bar redrawn in place (for terminals).
    case bar
    /// A line every `interval` seconds (for logs).
    case lines(interval: Double)
    /// Nothing.
    case silent

    /// `bar` when standard error is a terminal, else a line every 5 seconds.
    public static var automatic: Style { isatty(STDERR_FILENO) == 1 ? .bar : .lines(interval: 5) }
  }

  private let label: String
  private let total: Int
  private let style: Style
  private let unit: String
  private let start = Date()
  private let lock = NSLock()
  private var done = 0
  private var lastReport = Date.distantPast

  /// Starts reporting `total` items of `unit` (e.g. "images") under `label`.
  public init(label: String, total: Int, unit: String = "samples", style: Style = .automatic) {
    self.label = label
    self.total = total
    self.unit = unit
    self.style = style
    if case .lines = style { lastReport = start }  // the first line after one interval, not at once
  }

  /// Records `count` more finished items and redraws when due.
  public func advance(by count: Int = 1) {
    lock.lock()
    defer { lock.unlock() }
    done += count
    let now = Date()
    switch style {
    case .silent: return
    case .bar: guard now.timeIntervalSince(lastReport) >= 0.1 || done == total else { return }
    case .lines(let interval): guard now.timeIntervalSince(lastReport) >= interval else { return }
    }
    lastReport = now
    write(line(now: now, final: false), final: false)
  }

  /// Prints the final state with the elapsed time (and no ETA: nothing is left).
  public func finish() {
    lock.lock()
    defer { lock.unlock() }
    if case .silent = style { return }
    write(line(now: Date(), final: true), final: true)
  }

  /// Seconds since the reporter was created.
  public var elapsed: Double { Date().timeIntervalSince(start) }

  /// The progress line: done, rate and the time left; the final line the time taken instead.
  private func line(now: Date, final: Bool) -> String {
    let seconds = max(now.timeIntervalSince(start), 1e-9)
    let rate = Double(done) / seconds
    let fraction = total > 0 ? Double(done) / Double(total) : 1
    let percent = String(format: "%3.0f%%", fraction * 100)
    let rateText = String(format: "%.1f %@/s", rate, unit)
    let time = final ? "in " + Self.duration(seconds)
      : "ETA " + (rate > 0 && total > done ? Self.duration(Double(total - done) / rate) : "unknown")
    if case .bar = style {
      let width = 24
      let filled = min(width, Int(fraction * Double(width)))
      let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
      return "\(label) [\(bar)] \(percent) \(done)/\(total) \(rateText) \(time)"
    }
    return "\(label): \(done)/\(total) \(unit) (\(percent)), \(rateText), \(time)"
  }

  /// A bar is redrawn in place and ended by the final line's newline; log lines each end in one.
  private func write(_ text: String, final: Bool) {
    let bar = if case .bar = style { true } else { false }
    let output = bar ? "\r\u{1B}[K" + text + (final ? "\n" : "") : text + "\n"
    FileHandle.standardError.write(Data(output.utf8))
  }

  /// `1.2s`, `3m05s`, `1h02m`.
  static func duration(_ seconds: Double) -> String {
    if seconds < 60 { return String(format: "%.1fs", seconds) }
    let whole = Int(seconds)
    if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
    return String(format: "%dh%02dm", whole / 3600, whole % 3600 / 60)
  }
}

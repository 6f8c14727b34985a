/// A failure of the trainer, naming the file or directory and the reason.
public enum TrainerError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The training or evaluation data cannot be used (unreadable index, mismatched or changed shards).
  case invalidData(path: String, reason: String)
  /// The data has no samples of the split asked for (an output without a val split, say).
  case missingSplit(path: String, reason: String)
  /// One sample could not be read or decoded; the run records it and goes on.
  case invalidSample(path: String, reason: String)
  /// The options or a run directory do not fit together.
  case invalidConfiguration(path: String, reason: String)
  /// A checkpoint or resume state cannot be read, written or used.
  case checkpoint(path: String, reason: String)
  /// Reading or writing a file failed.
  case io(path: String, reason: String)
  /// The training diverged (a loss that is not a finite number); nothing from that step was saved.
  case diverged(path: String, reason: String)

  /// The file or directory concerned.
  public var path: String {
    switch self {
    case .invalidData(let path, _), .missingSplit(let path, _), .invalidSample(let path, _), .invalidConfiguration(let path, _),
      .checkpoint(let path, _), .io(let path, _), .diverged(let path, _):
      path
    }
  }

  /// What is wrong, in words.
  public var reason: String {
    switch self {
    case .invalidData(_, let reason), .missingSplit(_, let reason), .invalidSample(_, let reason), .invalidConfiguration(_, let reason),
      .checkpoint(_, let reason), .io(_, let reason), .diverged(_, let reason):
      reason
    }
  }

  /// Whether this is a configuration or usage problem (exit code 2) rather than a failed run (1).
  public var isConfigurationError: Bool {
    if case .invalidConfiguration = self { return true }
    return false
  }

  /// `<path>: <reason>`.
  public var description: String { "\(path): \(reason)" }
}

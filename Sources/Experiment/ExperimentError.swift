/// Why an experiment could not go on: the stage that failed, with its own message (which names the path).
public enum ExperimentError: Error, Sendable, CustomStringConvertible {
  /// The options are unusable (exit 2).
  case invalidOptions(String)
  /// Synthesising or slimming a data variant failed.
  case data(variant: String, reason: String)
  /// A training run failed.
  case training(run: String, reason: String)
  /// The experiment's own files could not be written.
  case io(path: String, reason: String)

  /// One line naming the stage and the reason.
  public var description: String {
    switch self {
    case .invalidOptions(let reason): reason
    case .data(let variant, let reason): "data \(variant): \(reason)"
    case .training(let run, let reason): "run \(run): \(reason)"
    case .io(let path, let reason): "\(path): \(reason)"
    }
  }

  /// Whether it is a usage or configuration error.
  public var isConfigurationError: Bool {
    if case .invalidOptions = self { return true }
    return false
  }
}

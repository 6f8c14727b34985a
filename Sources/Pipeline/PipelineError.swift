public import Catalog
public import DanceCore
public import Datasets
public import OutputStore

/// Why a pipeline job could not run; wraps the failing stage's typed error, which names the path.
public enum PipelineError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The dataset layout or configuration is unusable.
  case dataset(DatasetError)
  /// The catalog could not be read or written.
  case catalog(CatalogError)
  /// A sample failed and the run was asked to stop at the first failure (`--fail-fast`).
  case sampleFailed(sample: SampleKey, reason: String)
  /// The output (shards, sidecars) could not be written.
  case output(path: String, reason: String)
  /// Nothing to work on: `reason` says what is missing (e.g. the dataset was never scanned).
  case nothingToDo(reason: String)
  /// The request was refused before anything was written, because it would destroy or mix data
  /// (an output directory over a dataset, one another process is writing, files Dance did not write).
  case refused(path: String, reason: String)
  /// A stage's settings are out of range or contradict each other.
  case invalidSettings(SettingProblem)

  /// Whether the user's request is at fault rather than the run (the CLI exits with status 2): a
  /// refused request, settings out of range or contradicting each other, nothing to work on (no
  /// dataset, no scores, no manifest), a dataset root that is missing or of no known layout.
  public var isUsageError: Bool {
    switch self {
    case .refused, .invalidSettings, .nothingToDo: true
    case .catalog(let error): error.isUsageError
    case .dataset(let error): error.isUsageError
    case .sampleFailed, .output: false
    }
  }

  /// The wrapped error's `"<path>: <reason>"`.
  public var description: String {
    switch self {
    case .dataset(let error): error.description
    case .catalog(let error): error.description
    case .sampleFailed(let sample, let reason): "sample \(sample) failed (stopping, --fail-fast): \(reason)"
    case .nothingToDo(let reason): reason
    case .output(let path, let reason), .refused(let path, let reason): "\(path): \(reason)"
    case .invalidSettings(let problem): problem.message(.commandLine)
    }
  }
}

extension PipelineError {
  /// The shared output rule's error as this target's: a refusal stays a refusal (exit 2).
  init(_ error: OutputGuardError) {
    switch error {
    case .refused(let path, let reason): self = .refused(path: path, reason: reason)
    case .io(let path, let reason): self = .output(path: path, reason: reason)
    }
  }

  /// The output store's error as this target's, keeping whether it is the request's fault (exit 2).
  public init(_ error: OutputStoreError) {
    switch error {
    case .refused(let path, let reason): self = .refused(path: path, reason: reason)
    case .notAnOutput: self = .nothingToDo(reason: error.description)
    case .invalid(let path, let reason), .io(let path, let reason): self = .output(path: path, reason: reason)
    case .catalog(let error): self = .catalog(error)
    case .dataset(let error): self = .dataset(error)
    }
  }
}

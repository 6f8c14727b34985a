/// Why a dataset could not be read or written; every case names the path it concerns.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A configuration value is out of range; `path` is the output or dataset root it was meant for.
  case invalidConfiguration(path: String, reason: String)
  /// A directory could not be created (a file is in the way, no permission, read-only file system).
  case cannotCreateDirectory(path: String, reason: String)
  /// A file could not be written.
  case cannotWriteFile(path: String, reason: String)
  /// An image or label map could not be encoded; `reason` is the codec's message.
  case encodeFailed(path: String, reason: String)
  /// A label file cannot be decoded, or its channels and bit depth do not fit its encoding.
  case invalidLabel(path: String, reason: String)
  /// The request was refused before anything was written: it would replace or delete a file
  /// Dance did not write, or write over an input.
  case refused(path: String, reason: String)

  /// The path the error concerns.
  public var path: String {
    switch self {
    case .invalidConfiguration(let path, _), .cannotCreateDirectory(let path, _),
      .cannotWriteFile(let path, _), .encodeFailed(let path, _), .invalidLabel(let path, _), .refused(let path, _):
      path
    }
  }

  /// The reason alone, without the path.
  public var reason: String {
    switch self {
    case .invalidConfiguration(_, let reason): "invalid configuration: \(reason)"
    case .cannotCreateDirectory(_, let reason): "cannot create the directory: \(reason)"
    case .cannotWriteFile(_, let reason): "cannot write the file: \(reason)"
    case .encodeFailed(_, let reason): "cannot encode: \(reason)"
    case .invalidLabel(_, let reason): "not a usable label file: \(reason)"
    case .refused(_, let reason): reason
    }
  }

  /// Whether the request is at fault rather than the run (exit status 2): a refused request (it
  /// would replace a file Dance did not write, or write over an input), a dataset root that is
  /// missing or of no known layout, a configuration value out of range, an output directory in the way.
  public var isUsageError: Bool {
    switch self {
    case .refused, .invalidConfiguration: true
    default: false
    }
  }

  /// `"<path>: <reason>"`.
  public var description: String { "\(path): \(reason)" }
}

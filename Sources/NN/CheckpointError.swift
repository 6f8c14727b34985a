/// A failure reading or writing a safetensors checkpoint, with the file and the reason.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
  /// The file could not be read or written.
  case io(path: String, reason: String)
  /// The bytes are not a valid safetensors file.
  case malformed(path: String, reason: String)
  /// The file is valid but does not fit the model (missing, extra or mis-shaped tensors, wrong configuration).
  case mismatch(path: String, reason: String)

  /// `<path>: <reason>`.
  public var description: String {
    switch self {
    case .io(let path, let reason): "\(path): \(reason)"
    case .malformed(let path, let reason): "\(path): not a valid safetensors file: \(reason)"
    case .mismatch(let path, let reason): "\(path): checkpoint does not fit the model: \(reason)"
    }
  }
}

/// Why a shard could not be written or read; every case names the archive (or `<memory>`) and
/// says why, with the byte offset where one applies.
public enum ShardError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A sample key breaks the WebDataset naming rules (dots, leading or trailing `/`, empty parts).
  case invalidKey(path: String, reason: String)
  /// A member name is empty, contains NUL or is longer than the 100 bytes of a plain USTAR header.
  case invalidName(path: String, reason: String)
  /// A writer or sidecar configuration cannot be honoured (limits, prefix, user or group name).
  case invalidConfiguration(path: String, reason: String)
  /// A system call failed; `reason` names the call and the `errno` text.
  case io(path: String, reason: String)
  /// The archive ends inside a header or inside a member's data.
  case truncated(path: String, reason: String)
  /// A header fails validation: checksum, magic, version or an octal field.
  case corruptHeader(path: String, reason: String)
  /// The archive holds a member that is not a regular file (directory, link, PAX or GNU extension).
  case unsupportedMember(path: String, reason: String)
  /// Two members of one sample carry the same field.
  case duplicateField(path: String, reason: String)

  /// The archive or file the error concerns (`<memory>` for in-memory archives).
  public var path: String {
    switch self {
    case .invalidKey(let path, _), .invalidName(let path, _), .invalidConfiguration(let path, _),
      .io(let path, _), .truncated(let path, _), .corruptHeader(let path, _),
      .unsupportedMember(let path, _), .duplicateField(let path, _):
      path
    }
  }

  /// The reason alone, without the path.
  public var reason: String {
    switch self {
    case .invalidKey(_, let reason), .invalidName(_, let reason), .invalidConfiguration(_, let reason),
      .io(_, let reason), .truncated(_, let reason), .corruptHeader(_, let reason),
      .unsupportedMember(_, let reason), .duplicateField(_, let reason):
      reason
    }
  }

  /// `"<path>: <reason>"`.
  public var description: String { "\(path): \(reason)" }
}

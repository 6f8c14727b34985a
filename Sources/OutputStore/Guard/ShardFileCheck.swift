import Foundation
import Shards

/// How a shard file on disk differs from what was recorded about it (never trusting a record over
/// the file: resume, the reader and the trainer all check through this).
public enum ShardFileProblem: Equatable, Sendable, CustomStringConvertible {
  /// No file at the path.
  case missing
  /// The file cannot be opened or read to the end.
  case unreadable
  /// The file has another size than recorded.
  case size(actual: Int, recorded: Int)
  /// The file has the recorded size but another SHA-256.
  case checksum(actual: String)

  /// The problem of the file at `path` against a record of `bytes` and (when known) `sha256`, or
  /// nil when it matches. Without a SHA-256 only the size is checked (the file is not read).
  public static func of(_ path: String, bytes: Int, sha256: String?) -> ShardFileProblem? {
    guard FileManager.default.fileExists(atPath: path) else { return .missing }
    guard let sha256 else {
      guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else { return .unreadable }
      return size == bytes ? nil : .size(actual: size, recorded: bytes)
    }
    guard let file = ShardDigest.ofFile(path) else { return .unreadable }
    if file.bytes != bytes { return .size(actual: file.bytes, recorded: bytes) }
    return file.sha256 == sha256 ? nil : .checksum(actual: file.sha256)
  }

  /// `missing`, `unreadable`, `N bytes, M recorded`, or that the SHA-256 differs.
  public var description: String {
    switch self {
    case .missing: "missing"
    case .unreadable: "unreadable"
    case .size(let actual, let recorded): "\(actual) bytes, \(recorded) recorded"
    case .checksum: "its SHA-256 differs from the recorded one (the file changed)"
    }
  }
}

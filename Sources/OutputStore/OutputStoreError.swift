public import Catalog
public import DanceCore
public import Datasets
import Shards

/// Why a slimmed output could not be written, read, verified or exported; every case names the
/// file (or directory) and says why.
public enum OutputStoreError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The request was refused before anything was written, because it would destroy or mix data: an
  /// output over a dataset or the catalog, one another process is writing, files Dance did not
  /// write, an output written with another configuration, an export destination that is in use.
  case refused(path: String, reason: String)
  /// The directory is not an output Dance can read: no manifest (and no catalog rows) to go by.
  case notAnOutput(path: String, reason: String)
  /// A file of the output (manifest, shard index, shard, member) is missing, unreadable, unfinished
  /// or differs from what was recorded.
  case invalid(path: String, reason: String)
  /// Writing failed (a full disk, permissions); `reason` says why in plain words.
  case io(path: String, reason: String)
  /// The catalog could not be read or written.
  case catalog(CatalogError)
  /// A label space or classes file could not be used (the generic layout's export).
  case dataset(DatasetError)

  /// The file or directory the error concerns.
  public var path: String {
    switch self {
    case .refused(let path, _), .notAnOutput(let path, _), .invalid(let path, _), .io(let path, _): path
    case .catalog(let error): error.path
    case .dataset(let error): error.path
    }
  }

  /// The reason alone, without the path.
  public var reason: String {
    switch self {
    case .refused(_, let reason), .notAnOutput(_, let reason), .invalid(_, let reason), .io(_, let reason): reason
    case .catalog(let error): error.reason
    case .dataset(let error): error.reason
    }
  }

  /// Whether the user's request is at fault rather than the run (the CLI exits with status 2): a
  /// refused request, a directory that is not an output, a catalog or dataset the user chose wrongly.
  public var isUsageError: Bool {
    switch self {
    case .refused, .notAnOutput: true
    case .catalog(let error): error.isUsageError
    case .dataset(let error): error.isUsageError
    case .invalid, .io: false
    }
  }

  /// `"<path>: <reason>"`.
  public var description: String {
    switch self {
    case .catalog(let error): error.description
    case .dataset(let error): error.description
    default: "\(path): \(reason)"
    }
  }
}

extension OutputStoreError {
  /// The shared output rule's error as this target's: a refusal stays a refusal (exit 2).
  init(_ error: OutputGuardError) {
    switch error {
    case .refused(let path, let reason): self = .refused(path: path, reason: reason)
    case .io(let path, let reason): self = .io(path: path, reason: reason)
    }
  }

  /// A shard library error: a writer configuration it cannot honour is the request's fault (exit 2),
  /// anything else a file that cannot be written or read.
  init(_ error: ShardError) {
    switch error {
    case .invalidConfiguration(let path, let reason): self = .refused(path: path, reason: reason)
    case .io(let path, let reason): self = .io(path: path, reason: reason)
    default: self = .invalid(path: error.path, reason: error.reason)
    }
  }

  /// A Foundation or POSIX file error, in plain words, about `path` unless it names its own file.
  init(fileSystem error: any Error, path: String) {
    self = .io(path: FileSystemFailure.path(of: error) ?? path, reason: FileSystemFailure.reason(of: error))
  }

  /// `body`'s value; a catalog error becomes ``catalog(_:)``.
  static func catalog<Value>(_ body: () throws(CatalogError) -> Value) throws(OutputStoreError) -> Value {
    do throws(CatalogError) { return try body() } catch { throw .catalog(error) }
  }

  /// `body`'s value; a Foundation or POSIX file error becomes ``io(path:reason:)`` about `path`.
  static func fileSystem<Value>(_ path: String, _ body: () throws -> Value) throws(OutputStoreError) -> Value {
    do { return try body() } catch { throw OutputStoreError(fileSystem: error, path: path) }
  }
}

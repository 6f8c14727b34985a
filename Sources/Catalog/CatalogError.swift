/// Why the catalog could not be opened, read or written; every case names the catalog file.
public enum CatalogError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file could not be opened or created as an SQLite database.
  case cannotOpen(path: String, reason: String)
  /// A command that only reads was given a catalog file that does not exist.
  case missing(path: String)
  /// The file is an SQLite database of another application; Dance refuses to add its tables.
  case foreignDatabase(path: String, reason: String)
  /// The file is a catalog written by a newer Dance (its schema has migrations this build lacks).
  case newerSchema(path: String, reason: String)
  /// A statement failed; `reason` carries SQLite's message and the SQL.
  case sqlite(path: String, reason: String)
  /// The content contradicts itself or the request (e.g. a dataset root registered under another format).
  case inconsistent(path: String, reason: String)
  /// The file's pages fail SQLite's integrity check: a damaged catalog is neither read nor written.
  case corrupt(path: String, reason: String)

  /// The catalog file the error concerns.
  public var path: String {
    switch self {
    case .missing(let path), .foreignDatabase(let path, _): path
    case .cannotOpen(let path, _), .newerSchema(let path, _), .sqlite(let path, _), .inconsistent(let path, _), .corrupt(let path, _): path
    }
  }

  /// The reason alone, without the path.
  public var reason: String {
    switch self {
    case .cannotOpen(_, let reason): "cannot open the catalog: \(reason)"
    case .missing: "no such catalog file (this command reads a catalog and never creates one)"
    case .foreignDatabase(_, let reason): "not a Dance catalog, refusing to change it: \(reason)"
    case .newerSchema(_, let reason): "the catalog was written by a newer Dance: \(reason)"
    case .sqlite(_, let reason): "catalog query failed: \(reason)"
    case .inconsistent(_, let reason): reason
    case .corrupt(_, let reason):
      "the catalog is damaged (SQLite's integrity check fails: \(reason)); refusing to use it: restore a copy or delete it and scan again"
    }
  }

  /// Whether the error is the user's choice of file rather than a failure (exit status 2).
  public var isUsageError: Bool {
    switch self {
    case .missing, .foreignDatabase: true
    default: false
    }
  }

  /// `"<path>: <reason>"`.
  public var description: String { "\(path): \(reason)" }
}

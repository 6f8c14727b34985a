import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a command refuses to write where it was asked to, or could not keep its record of what it
/// wrote. Each target wraps it into its own error type (a refusal is a usage error, exit 2).
public enum OutputGuardError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The request would overwrite, delete or mix an input or a file Dance did not write; nothing was written.
  case refused(path: String, reason: String)
  /// The record of written files could not be read or written.
  case io(path: String, reason: String)

  /// The file or directory concerned.
  public var path: String {
    switch self {
    case .refused(let path, _), .io(let path, _): path
    }
  }

  /// What is wrong, in words.
  public var reason: String {
    switch self {
    case .refused(_, let reason), .io(_, let reason): reason
    }
  }

  /// `<path>: <reason>`.
  public var description: String { "\(path): \(reason)" }
}

/// The one rule of every command that writes, checked before anything is written: a destination
/// never is, contains or lies inside an input (paths compared with symbolic links resolved), and
/// two outputs of one plan never share a name. (``WrittenFiles`` adds the third part: never
/// replace a file the command did not write.)
public enum OutputGuard {
  /// `path` absolute and standardized, with symbolic links resolved in its longest existing prefix
  /// (so a destination that does not exist yet compares by where it would be created).
  public static func resolved(_ path: String) -> String {
    var existing = URL(fileURLWithPath: path).standardizedFileURL.path
    var rest: [String] = []
    while !existing.isEmpty, existing != "/", !pathExists(existing) {
      rest.insert((existing as NSString).lastPathComponent, at: 0)
      existing = (existing as NSString).deletingLastPathComponent
    }
    let base = URL(fileURLWithPath: existing).resolvingSymlinksInPath().path
    return rest.reduce(base) { ($0 as NSString).appendingPathComponent($1) }
  }

  /// Whether `path` lies strictly inside `directory` (both already resolved).
  public static func isInside(_ path: String, _ directory: String) -> Bool {
    path.hasPrefix(directory == "/" ? "/" : directory + "/") && path != directory
  }

  /// How `destination` relates to `input` (both as given; compared resolved): `"is"`,
  /// `"lies inside"`, `"contains"`, or nil when they are apart.
  public static func relation(of destination: String, to input: String) -> String? {
    let target = resolved(destination), source = resolved(input)
    if target == source { return "is" }
    if isInside(target, source) { return "lies inside" }
    if isInside(source, target) { return "contains" }
    return nil
  }

  /// Refuses a `destination` that is, contains or lies inside any of `inputs`.
  /// - Parameter role: what the destination is, for the message (e.g. `the output directory`).
  /// - Throws: ``OutputGuardError/refused(path:reason:)`` naming the input.
  public static func checkApart(_ destination: String, from inputs: [String], role: String) throws(OutputGuardError) {
    for input in inputs {
      if let relation = relation(of: destination, to: input) {
        throw .refused(path: destination, reason: "\(role) \(relation) the input \(input); choose a destination apart from every input")
      }
    }
  }

  /// Refuses a plan in which two outputs would land on the same file (compared resolved); each
  /// output names what it is made from, so the message can say which two collide.
  /// - Throws: ``OutputGuardError/refused(path:reason:)`` naming the output and both sources.
  public static func checkDistinct(_ outputs: [(path: String, source: String)]) throws(OutputGuardError) {
    var seen: [String: String] = [:]
    for output in outputs {
      let key = resolved(output.path)
      if let first = seen[key] {
        throw .refused(
          path: output.path,
          reason: "both \(first) and \(output.source) would be written here, and the second would replace the first; "
            + "give inputs with distinct names or run them separately")
      }
      seen[key] = output.source
    }
  }

  /// Refuses a directory to write into that is something else: a file, or a symbolic link that
  /// dangles or leads to a file. A missing directory is fine (it is created).
  /// - Parameter role: what the directory is, for the message (e.g. `--out`).
  /// - Throws: ``OutputGuardError/refused(path:reason:)``.
  public static func checkDirectory(_ path: String, role: String) throws(OutputGuardError) {
    var status = stat()
    guard lstat(path, &status) == 0 else { return }
    var target = status
    if status.st_mode & S_IFMT == S_IFLNK, stat(path, &target) != 0 {
      throw .refused(path: path, reason: "\(role) is a symbolic link to nothing (dangling); give a directory")
    }
    guard target.st_mode & S_IFMT == S_IFDIR else {
      throw .refused(path: path, reason: "\(role) is a file, not a directory; give a new or existing directory")
    }
  }

  /// Whether something (a file, a directory or a symbolic link, even a dangling one) is at `path`.
  public static func pathExists(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0
  }
}

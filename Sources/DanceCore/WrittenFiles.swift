import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The record of the files Dance wrote into a directory, so that no command ever replaces or
/// deletes a file it did not write: `DIR/.dance-written`, one JSON string per line, each a path
/// relative to `DIR`.
///
/// A command claims every file it is about to write before writing any (``claim(_:adopting:)``):
/// a path is refused when something else is there (a user's file, a symbolic link, a directory)
/// or when it would land outside `DIR` (through `..` or a linked folder). Claims are appended to
/// the record before the files are written, so an interrupted command leaves a record that still
/// covers what it wrote. ``removeAll()`` removes exactly the listed files (what `--overwrite` may
/// remove). Files are written by ``write(_:to:)``: a temporary name, then a rename.
public final class WrittenFiles {
  /// The record's file name in the directory.
  public static let fileName = ".dance-written"

  /// The directory written into.
  public let directory: String
  /// The listed paths, relative to ``directory``.
  public private(set) var files: Set<String> = []
  private var order: [String] = []

  /// Reads the record of `directory`, if it has one (the directory need not exist).
  /// - Throws: ``OutputGuardError/io(path:reason:)`` for a record that cannot be read or parsed.
  public init(directory: String) throws(OutputGuardError) {
    self.directory = directory
    let path = recordPath
    guard OutputGuard.pathExists(path) else { return }
    guard let data = FileManager.default.contents(atPath: path) else { throw .io(path: path, reason: "cannot read the record of written files") }
    for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
      guard let name = try? JSONSerialization.jsonObject(with: Data(line), options: .fragmentsAllowed) as? String else {
        throw .io(path: path, reason: "not a record of written files (a line is not a JSON string)")
      }
      if files.insert(name).inserted { order.append(name) }
    }
  }

  /// The record's path.
  public var recordPath: String { directory + "/" + Self.fileName }

  /// Whether the record lists `relativePath`.
  public func owns(_ relativePath: String) -> Bool { files.contains(relativePath) }

  /// Refuses writing `relativePath` unless it stays inside the directory and nothing is there or
  /// a regular file this record lists is (`adopting` may accept an unlisted file as Dance's own,
  /// e.g. one recognised by its contents).
  /// - Throws: ``OutputGuardError/refused(path:reason:)`` naming the file and why.
  public func check(_ relativePath: String, adopting: ((String) -> Bool)? = nil) throws(OutputGuardError) {
    let path = directory + "/" + relativePath
    let parts = relativePath.split(separator: "/", omittingEmptySubsequences: false)
    let outside = OutputGuardError.refused(
      path: path, reason: "would be written outside \(directory); a file is only ever written inside its output directory")
    guard !relativePath.hasPrefix("/"), !parts.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { throw outside }
    var status = stat()
    let exists = lstat(path, &status) == 0
    // A link in a folder on the way (the final name's own link is refused below, by name).
    let folder = OutputGuard.resolved((path as NSString).deletingLastPathComponent)
    guard folder == OutputGuard.resolved(directory) || OutputGuard.isInside(folder, OutputGuard.resolved(directory)) else { throw outside }
    guard exists else { return }
    switch status.st_mode & S_IFMT {
    case S_IFREG where owns(relativePath) || adopting?(path) == true:
      return
    case S_IFLNK:
      throw .refused(path: path, reason: "is a symbolic link Dance did not write; nothing was written: move it away or choose another directory")
    case S_IFDIR:
      throw .refused(path: path, reason: "is a directory where a file would be written; move it away or choose another directory")
    default:
      throw .refused(
        path: path,
        reason: "exists and Dance did not write it (\(Self.fileName) does not list it); nothing was written: "
          + "move it away or choose another directory")
    }
  }

  /// Checks every path (``check(_:adopting:)``), then adds the unlisted ones to the record in one
  /// append, creating the directory. Nothing is recorded when any path is refused.
  public func claim(_ relativePaths: [String], adopting: ((String) -> Bool)? = nil) throws(OutputGuardError) {
    for path in relativePaths { try check(path, adopting: adopting) }
    var added: [String] = []
    var seen = files
    for path in relativePaths where seen.insert(path).inserted { added.append(path) }
    guard !added.isEmpty else { return }
    try createDirectory(directory)
    var text = ""
    for path in added { text += jsonStringLiteral(path) + "\n" }
    let descriptor = open(recordPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw .io(path: recordPath, reason: "cannot write the record of written files: \(Self.lastError())") }
    defer { close(descriptor) }
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress! + offset, $0.count - offset) }
      if written < 0 {
        if errno == EINTR { continue }
        throw .io(path: recordPath, reason: "cannot write the record of written files: \(Self.lastError())")
      }
      offset += written
    }
    files.formUnion(added)
    order += added
  }

  /// Writes `bytes` to `relativePath` (claimed first if it is not yet listed) under a temporary
  /// name, then renames it into place: a reader never sees a partial file under the final name.
  public func write(_ bytes: [UInt8], to relativePath: String) throws(OutputGuardError) {
    if !owns(relativePath) { try claim([relativePath]) }
    let path = directory + "/" + relativePath
    let folder = (path as NSString).deletingLastPathComponent
    try createDirectory(folder)
    let temporary = folder + "/." + (path as NSString).lastPathComponent + ".partial"
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: temporary))
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw .io(path: path, reason: "cannot write: \((error as NSError).localizedDescription)")
    }
    guard rename(temporary, path) == 0 else {
      let reason = Self.lastError()
      try? FileManager.default.removeItem(atPath: temporary)
      throw .io(path: path, reason: "cannot rename the written file into place: \(reason)")
    }
  }

  /// The files and links under the directory that the record does not list (relative paths,
  /// sorted), leaving out the record itself and the temporary files of listed paths.
  public func unlisted() -> [String] {
    let all = (try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []
    return all.filter { relative in
      var status = stat()
      guard lstat(directory + "/" + relative, &status) == 0, status.st_mode & S_IFMT != S_IFDIR else { return false }
      if relative == Self.fileName || owns(relative) { return false }
      let (folder, name) = Self.split(relative)
      guard name.hasPrefix("."), name.hasSuffix(".partial") else { return true }
      let original = String(name.dropFirst().dropLast(".partial".count))
      return !owns(folder.isEmpty ? original : folder + "/" + original)
    }.sorted()
  }

  /// Removes every listed regular file (and its temporary file), the folders left empty under
  /// the directory, and the record; never anything else.
  /// - Throws: ``OutputGuardError/io(path:reason:)`` when a listed file cannot be removed.
  public func removeAll() throws(OutputGuardError) {
    var folders = Set<String>()
    for relative in order.reversed() {
      let path = directory + "/" + relative
      let folder = (path as NSString).deletingLastPathComponent
      for candidate in [path, folder + "/." + (path as NSString).lastPathComponent + ".partial"] {
        var status = stat()
        if lstat(candidate, &status) == 0, status.st_mode & S_IFMT == S_IFREG, unlink(candidate) != 0 {
          throw .io(path: candidate, reason: "cannot remove it: \(Self.lastError())")
        }
      }
      var parent = Self.split(relative).folder
      while !parent.isEmpty {
        folders.insert(parent)
        parent = Self.split(parent).folder
      }
    }
    // Deepest first; rmdir removes only empty folders.
    for folder in folders.sorted(by: { $0.count > $1.count }) { rmdir(directory + "/" + folder) }
    if unlink(recordPath) != 0 && errno != ENOENT {
      throw .io(path: recordPath, reason: "cannot remove the record of written files: \(Self.lastError())")
    }
    files = []
    order = []
  }

  private func createDirectory(_ path: String) throws(OutputGuardError) {
    do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
      throw .io(path: path, reason: "cannot create the directory: \((error as NSError).localizedDescription)")
    }
  }

  /// A relative path's folder (empty for a name alone) and last component.
  static func split(_ relative: String) -> (folder: String, name: String) {
    guard let slash = relative.lastIndex(of: "/") else { return ("", relative) }
    return (String(relative[..<slash]), String(relative[relative.index(after: slash)...]))
  }

  private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// `write(2)`, outside the type so that its name does not collide with ``WrittenFiles/write(_:to:)``.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}

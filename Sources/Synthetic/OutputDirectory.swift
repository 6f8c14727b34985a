import Datasets

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A directory that files are written into, creating intermediate folders on demand.
///
/// Every failure becomes a ``DatasetError`` naming the path and the system's reason
/// (`strerror(errno)`), read right after the failing call.
struct OutputDirectory {
  /// The root directory.
  let root: String
  private var createdDirectories: Set<String> = []

  /// Creates (if needed) the directory `root` and its parents.
  init(root: String) throws(DatasetError) {
    self.root = root
    try createDirectory(root)
  }

  /// Writes `bytes` to `relativePath` below the root, replacing an existing file.
  /// - Returns: the number of bytes written.
  @discardableResult
  mutating func write(_ bytes: [UInt8], to relativePath: String) throws(DatasetError) -> Int {
    let path = root + "/" + relativePath
    if let slash = relativePath.lastIndex(of: "/") {
      try createDirectory(root + "/" + relativePath[..<slash])
    }
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    if descriptor < 0 { throw .cannotWriteFile(path: path, reason: Self.lastError()) }
    defer { close(descriptor) }
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { raw -> Int in
        guard let start = raw.baseAddress else { return 0 }
        return systemWrite(descriptor, start + offset, raw.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        throw .cannotWriteFile(path: path, reason: Self.lastError())
      }
      offset += written
    }
    return bytes.count
  }

  /// Creates `path` and its missing parents (`mkdir -p`).
  private mutating func createDirectory(_ path: String) throws(DatasetError) {
    guard !createdDirectories.contains(path) else { return }
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
      prefix += component
      if !createdDirectories.contains(prefix) {
        if mkdir(prefix, 0o755) != 0 {
          let code = errno
          var status = stat()
          if code != EEXIST {
            throw .cannotCreateDirectory(path: prefix, reason: String(cString: strerror(code)))
          }
          if stat(prefix, &status) != 0 || (status.st_mode & S_IFMT) != S_IFDIR {
            throw .cannotCreateDirectory(path: prefix, reason: "a file with that name is in the way")
          }
        }
        createdDirectories.insert(prefix)
      }
      prefix += "/"
    }
    createdDirectories.insert(path)
  }

  private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// `write(2)`, outside the type so that its name does not collide with ``OutputDirectory/write(_:to:)``.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}

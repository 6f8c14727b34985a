#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// An open file descriptor, owned: closed exactly once, by ``close()`` or in `deinit`.
///
/// This is the only place in the target that calls POSIX file functions. Every call goes through
/// ``PosixFile/check(_:_:path:)``, which reads `errno` right after the call, retries `EINTR` and
/// turns a failure into ``ShardError/io(path:reason:)`` naming the C function.
final class PosixFile {
  /// The path the descriptor was opened with (used in errors).
  let path: String
  private var descriptor: Int32

  private init(descriptor: Int32, path: String) {
    self.descriptor = descriptor
    self.path = path
  }

  deinit {
    if descriptor >= 0 { _ = systemClose(descriptor) }
  }

  /// Opens `path` for reading.
  static func openForReading(_ path: String) throws(ShardError) -> PosixFile {
    let descriptor = try check("open", path: path) { systemOpen(path, O_RDONLY | O_CLOEXEC) }
    return PosixFile(descriptor: Int32(descriptor), path: path)
  }

  /// Creates (or truncates) `path` for writing with mode 0644.
  static func create(_ path: String) throws(ShardError) -> PosixFile {
    let descriptor = try check("open", path: path) {
      systemOpen(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    }
    return PosixFile(descriptor: Int32(descriptor), path: path)
  }

  /// The file's size in bytes (`fstat`).
  func size() throws(ShardError) -> Int {
    var status = stat()
    let descriptor = self.descriptor
    _ = try Self.check("fstat", path: path) { fstat(descriptor, &status) }
    return Int(status.st_size)
  }

  /// Writes all of `bytes`, looping over short writes.
  func writeAll(_ bytes: [UInt8]) throws(ShardError) {
    var written = 0
    let descriptor = self.descriptor
    while written < bytes.count {
      let done = written
      written += try Self.check("write", path: path) {
        bytes.withUnsafeBytes { raw in
          systemWrite(descriptor, raw.baseAddress.unsafelyUnwrapped + done, raw.count - done)
        }
      }
    }
  }

  /// Reads exactly `count` bytes at `offset` (`pread`); fewer only when the file ends first.
  func read(count: Int, at offset: Int) throws(ShardError) -> [UInt8] {
    var result = [UInt8](repeating: 0, count: count)
    var filled = 0
    let descriptor = self.descriptor
    while filled < count {
      let done = filled
      let got = try Self.check("pread", path: path) {
        result.withUnsafeMutableBytes { raw in
          pread(descriptor, raw.baseAddress.unsafelyUnwrapped + done, count - done, off_t(offset + done))
        }
      }
      if got == 0 { break }
      filled += got
    }
    if filled < count { result.removeSubrange(filled...) }
    return result
  }

  /// Flushes the file's data and metadata to stable storage (`fsync`).
  func sync() throws(ShardError) {
    let descriptor = self.descriptor
    _ = try Self.check("fsync", path: path) { fsync(descriptor) }
  }

  /// Closes the descriptor, reporting a failure (`close`); later calls do nothing.
  func close() throws(ShardError) {
    guard descriptor >= 0 else { return }
    let descriptor = self.descriptor
    self.descriptor = -1
    // close is not retried on EINTR: on Linux the descriptor is released either way.
    if systemClose(descriptor) != 0 {
      throw .io(path: path, reason: "close failed: \(Self.errorText(errno))")
    }
  }

  /// Atomically replaces `destination` with `source` (`rename`), then syncs the directory.
  static func rename(_ source: String, to destination: String) throws(ShardError) {
    _ = try check("rename", path: destination) { systemRename(source, destination) }
    try syncDirectory(containing: destination)
  }

  /// Removes `path`, ignoring a file that is already gone (`unlink`).
  static func removeIfPresent(_ path: String) {
    _ = unlink(path)
  }

  /// Syncs the directory holding `path`, so that a rename survives a crash.
  static func syncDirectory(containing path: String) throws(ShardError) {
    let directory: String
    if let slash = path.lastIndex(of: "/") {
      directory = slash == path.startIndex ? "/" : String(path[..<slash])
    } else {
      directory = "."
    }
    let descriptor = try check("open", path: directory) {
      systemOpen(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }
    defer { _ = systemClose(Int32(descriptor)) }
    _ = try check("fsync", path: directory) { fsync(Int32(descriptor)) }
  }

  /// Writes `bytes` to `path` atomically: a hidden temporary file beside it, fsync, rename.
  static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ShardError) {
    let temporary = temporaryPath(for: path)
    do throws(ShardError) {
      let file = try create(temporary)
      try file.writeAll(bytes)
      try file.sync()
      try file.close()
      try rename(temporary, to: path)
    } catch {
      removeIfPresent(temporary)
      throw error
    }
  }

  /// `dir/.name.partial` for `dir/name`: hidden, and never matched by `*.tar` or `*.idx` globs.
  static func temporaryPath(for path: String) -> String {
    if let slash = path.lastIndex(of: "/") {
      let name = path[path.index(after: slash)...]
      return String(path[...slash]) + "." + name + ".partial"
    }
    return "." + path + ".partial"
  }

  /// Calls `body` until it does not fail with `EINTR`; a negative result becomes an error.
  private static func check<Result: BinaryInteger>(
    _ function: String, path: String, _ body: () -> Result
  ) throws(ShardError) -> Int {
    while true {
      let result = body()
      if result >= 0 { return Int(result) }
      let code = errno
      if code == EINTR { continue }
      throw .io(path: path, reason: "\(function) failed: \(errorText(code))")
    }
  }

  private static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}

// File-scope wrappers, so that the C functions do not collide with the methods of the same name.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 { open(path, flags, mode) }
private func systemClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}
private func systemRename(_ source: String, _ destination: String) -> Int32 { rename(source, destination) }

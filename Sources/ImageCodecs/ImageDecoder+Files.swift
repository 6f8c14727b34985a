import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension ImageDecoder {
  /// Reads a whole file, refusing missing, unreadable, empty and oversized files with a typed error.
  ///
  /// One `read(2)` loop straight into the returned array, sized from `fstat`: no intermediate copy,
  /// and a file that grows while it is read is still held to ``DecodeOptions/maxFileBytes``.
  public func readFile(_ path: String) throws(ImageCodecError) -> [UInt8] {
    let (descriptor, size) = try openForReading(path)
    defer { close(descriptor) }
    // One byte more than announced, to notice a file that grew since fstat.
    var failure: Int32 = 0
    var bytes = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, initialized in
      initialized = Self.fill(buffer, from: descriptor, error: &failure)
    }
    if bytes.count == size + 1 && failure == 0 {  // it grew: read on in chunks, up to the limit
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      while bytes.count <= options.maxFileBytes && failure == 0 {
        let got = chunk.withUnsafeMutableBufferPointer { Self.fill($0, from: descriptor, error: &failure) }
        if got == 0 { break }
        bytes += chunk.prefix(got)
      }
      if bytes.count > options.maxFileBytes {
        throw .unreadable(source: path, reason: "the file grew beyond the file-size limit of \(options.maxFileBytes) bytes")
      }
    }
    if failure != 0 { throw .unreadable(source: path, reason: String(cString: strerror(failure))) }
    if bytes.isEmpty { throw .empty(source: path) }
    return bytes
  }

  /// Runs `body` with the bytes of the file at `path`, read into a reused scratch buffer
  /// (``ScratchBuffers``) rather than a new array; refuses files as ``readFile(_:)`` does.
  func withFileBytes<Result>(
    _ path: String, _ body: (UnsafeBufferPointer<UInt8>) throws(ImageCodecError) -> Result
  ) throws(ImageCodecError) -> Result {
    let (descriptor, size) = try openForReading(path)
    var isOpen = true
    defer { if isOpen { close(descriptor) } }
    // The common case reads the file once, into the scratch buffer, and decodes it from there; an
    // empty, unreadable or growing file is read again by readFile, which words the error.
    let result = try ScratchBuffers.with(count: size + 1) { (buffer) throws(ImageCodecError) -> Result? in
      var failure: Int32 = 0
      let count = Self.fill(buffer, from: descriptor, error: &failure)
      guard failure == 0, count > 0, count <= size else { return nil }
      close(descriptor)
      isOpen = false
      return try body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
    }
    if let result { return result }
    let bytes = try readFile(path)
    return try bytes.withUnsafeBufferPointer { (bytes) throws(ImageCodecError) -> Result in try body(bytes) }
  }

  /// Opens `path` for reading and returns the descriptor and the announced size, refusing
  /// directories, anything else that is not a regular file and (when `limitingSize`) files beyond
  /// the size limit.
  ///
  /// The path is checked with `stat` before it is opened, so a FIFO, socket or device is refused
  /// without ever being opened (opening a FIFO blocks until a writer appears); it is opened with
  /// `O_NONBLOCK` and checked again with `fstat`, so one swapped in between cannot block either.
  func openForReading(_ path: String, limitingSize: Bool = true) throws(ImageCodecError) -> (descriptor: Int32, size: Int) {
    var status = stat()
    guard stat(path, &status) == 0 else { throw Self.openError(path, errno) }
    try Self.requireRegularFile(path, mode: status.st_mode)
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { throw Self.openError(path, errno) }
    guard fstat(descriptor, &status) == 0 else {
      let reason = String(cString: strerror(errno))
      close(descriptor)
      throw .unreadable(source: path, reason: reason)
    }
    do {
      try Self.requireRegularFile(path, mode: status.st_mode)
    } catch {
      close(descriptor)
      throw error
    }
    let size = Int(status.st_size)
    if limitingSize && size > options.maxFileBytes {
      close(descriptor)
      throw .unreadable(source: path, reason: "\(size) bytes exceeds the file-size limit of \(options.maxFileBytes) bytes")
    }
    return (descriptor, size)
  }

  /// Fills `buffer` from `descriptor`, stopping early at end of file; returns the bytes read. A read
  /// error other than `EINTR` stops it and is stored in `error`.
  static func fill(_ buffer: UnsafeMutableBufferPointer<UInt8>, from descriptor: Int32, error: inout Int32) -> Int {
    guard let base = buffer.baseAddress else { return 0 }
    var total = 0
    while total < buffer.count {
      let got = read(descriptor, base + total, buffer.count - total)
      if got > 0 {
        total += got
      } else if got == 0 {
        break
      } else if errno != EINTR {
        error = errno
        break
      }
    }
    return total
  }

  /// The error for a failed `stat` or `open` of `path`.
  static func openError(_ path: String, _ code: Int32) -> ImageCodecError {
    switch code {
    case ENOENT: .unreadable(source: path, reason: "no such file")
    case ELOOP: .symlinkLoop(source: path)
    case EACCES, EPERM: .unreadable(source: path, reason: "permission denied")
    case ENOTDIR: .unreadable(source: path, reason: "a component of the path is not a directory")
    default: .unreadable(source: path, reason: String(cString: strerror(code)))
    }
  }

  /// Refuses a directory (as unreadable) and every other kind of non-regular file by name.
  static func requireRegularFile(_ path: String, mode: mode_t) throws(ImageCodecError) {
    switch mode & S_IFMT {
    case S_IFREG: return
    case S_IFDIR: throw .unreadable(source: path, reason: "is a directory")
    case S_IFIFO: throw .notRegularFile(source: path, kind: "a FIFO (named pipe)")
    case S_IFSOCK: throw .notRegularFile(source: path, kind: "a socket")
    case S_IFCHR: throw .notRegularFile(source: path, kind: "a character device")
    case S_IFBLK: throw .notRegularFile(source: path, kind: "a block device")
    default: throw .notRegularFile(source: path, kind: "not a file, directory, FIFO, socket or device")
    }
  }
}

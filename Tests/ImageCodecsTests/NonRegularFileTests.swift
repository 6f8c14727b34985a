import Foundation
import ImageCodecs
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Issue 12, B4: a FIFO, socket or device passed as an image is refused at once, before it is
/// opened (never a hang), and a symbolic-link loop is reported as a loop.
@Suite struct NonRegularFileTests {
  /// Runs `body` on its own thread and waits at most `seconds`; a body still running then is a
  /// hang, recorded as a failure, and `unblock` is called so the thread can finish.
  static func withoutHanging(seconds: Double = 5, unblock: () -> Void = {}, _ body: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    Thread {
      body()
      done.signal()
    }.start()
    if done.wait(timeout: .now() + seconds) == .timedOut {
      Issue.record("the decoder blocked for more than \(seconds) s")
      unblock()
      done.wait()
    }
  }

  /// What every entry point answers for `path`, each call guarded against a hang.
  static func errors(for path: String, unblock: () -> Void = {}) -> [ImageCodecError?] {
    let results = LockedErrors()
    for entry in 0..<4 {
      withoutHanging(unblock: unblock) {
        do throws(ImageCodecError) {
          let decoder = ImageDecoder()
          switch entry {
          case 0: _ = try decoder.decode(contentsOf: path)
          case 1: _ = try decoder.readHeader(contentsOf: path)
          case 2: _ = try decoder.decodeLabel(contentsOf: path)
          default: _ = try decoder.readFile(path)
          }
          results.append(nil)
        } catch {
          results.append(error)
        }
      }
    }
    return results.all
  }

  final class LockedErrors: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [ImageCodecError?] = []
    func append(_ error: ImageCodecError?) { lock.withLock { list.append(error) } }
    var all: [ImageCodecError?] { lock.withLock { list } }
  }

  @Test func aFIFOIsRefusedWithoutBlocking() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/pipe.png"
      #expect(mkfifo(path, 0o600) == 0)
      // Should an open block, a writer opening the FIFO releases it.
      let errors = Self.errors(for: path) {
        let writer = open(path, O_WRONLY | O_NONBLOCK)
        if writer >= 0 { close(writer) }
      }
      #expect(errors == Array(repeating: .notRegularFile(source: path, kind: "a FIFO (named pipe)"), count: 4))
    }
  }

  @Test(arguments: [("/dev/null", "a character device"), ("/dev/zero", "a character device")])
  func devicesAreRefused(path: String, kind: String) {
    #expect(Self.errors(for: path) == Array(repeating: .notRegularFile(source: path, kind: kind), count: 4))
  }

  @Test func aSocketIsRefused() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/s.png"
      let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
      #expect(descriptor >= 0)
      defer { close(descriptor) }
      var address = sockaddr_un()
      address.sun_family = sa_family_t(AF_UNIX)
      withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
      }
      let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
      }
      #expect(bound == 0)
      #expect(Self.errors(for: path) == Array(repeating: .notRegularFile(source: path, kind: "a socket"), count: 4))
    }
  }

  @Test func aSymbolicLinkLoopIsReportedAsALoop() throws {
    try withTemporaryDirectory { directory in
      let first = directory + "/a.png"
      let second = directory + "/b.png"
      #expect(symlink(second, first) == 0)
      #expect(symlink(first, second) == 0)
      #expect(Self.errors(for: first) == Array(repeating: .symlinkLoop(source: first), count: 4))
      #expect(ImageCodecError.symlinkLoop(source: first).description == first + ": symbolic link loop (the path resolves to itself through symbolic links)")
    }
  }

  @Test func aSymbolicLinkToAFileIsFollowed() throws {
    try withTemporaryDirectory { directory in
      let target = directory + "/real.png"
      try writeFile(try PNGEncoder().encode(Image8(width: 3, height: 2, channels: 1, repeating: 7)), to: target)
      #expect(symlink(target, directory + "/link.png") == 0)
      #expect(try ImageDecoder().decode(contentsOf: directory + "/link.png").image.width == 3)
    }
  }
}

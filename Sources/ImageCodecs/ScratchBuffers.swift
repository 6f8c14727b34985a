import Foundation
import Synchronization

/// Large transient byte buffers, kept for reuse from one decode to the next.
///
/// A multi-megabyte allocation may be served by fresh pages of memory (glibc's default maps each
/// large block on its own; `dance` keeps freed blocks in its heap instead, but a library caller's
/// process may not), and every fresh 4 KiB page costs a page fault and zeroing the first time it is
/// written. The bytes of a file being decoded and the inflated rows of a PNG streamed to a consumer
/// live only during one decode, so they come from here instead, shared by all threads. At most
/// ``keptBuffers`` idle buffers of at most ``keptBytes`` in all are kept (a very large image's
/// buffers are released after use). Sizes are rounded up to whole MiB, so that files of similar
/// size share buffers.
enum ScratchBuffers {
  /// How many idle buffers are kept: a decode holds at most three at once (the file, its gathered
  /// image data, its inflated rows), so three per core, at most 24.
  static let keptBuffers = min(24, 3 * max(1, ProcessInfo.processInfo.activeProcessorCount))
  /// The most idle bytes kept.
  static let keptBytes = 256 << 20

  private struct Buffer: @unchecked Sendable {  // owned by the pool while idle, by one caller while lent
    var storage: UnsafeMutableRawBufferPointer
  }

  private static let idle = Mutex<[Buffer]>([])

  /// The bytes held by idle buffers.
  static var idleByteCount: Int { idle.withLock { $0.reduce(0) { $0 + $1.storage.count } } }

  /// Lends `body` a buffer of at least `count` bytes (uninitialised) and takes it back afterwards.
  static func with<Result, Failure: Error>(
    count: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    if count == 0 { return try body(UnsafeMutableBufferPointer(start: nil, count: 0)) }
    let lent = idle.withLock { buffers -> Buffer? in
      guard let index = buffers.indices.filter({ buffers[$0].storage.count >= count })
        .min(by: { buffers[$0].storage.count < buffers[$1].storage.count })
      else { return nil }
      return buffers.remove(at: index)
    } ?? Buffer(storage: .allocate(byteCount: (max(count, 1) + (1 << 20) - 1) & ~((1 << 20) - 1), alignment: 64))
    defer {
      let dropped = idle.withLock { buffers -> [Buffer] in
        buffers.append(lent)
        buffers.sort { $0.storage.count < $1.storage.count }
        var dropped: [Buffer] = []
        while buffers.count > keptBuffers { dropped.append(buffers.removeFirst()) }  // the smallest
        while buffers.reduce(0, { $0 + $1.storage.count }) > keptBytes { dropped.append(buffers.removeLast()) }
        return dropped
      }
      for buffer in dropped { buffer.storage.deallocate() }
    }
    return try body(UnsafeMutableBufferPointer(start: lent.storage.bindMemory(to: UInt8.self).baseAddress, count: count))
  }
}

internal import CDNNL

/// The engine's one thread pool: OpenMP's (libgomp), on which oneDNN's convolutions and the
/// OpenMP build of OpenBLAS also run, with as many threads as ``BLASThreads`` says.
///
/// Every parallel loop of the engine (im2col/col2im per image, batch norm, ReLU, pooling,
/// upsampling, element-wise sums) goes through here. Work is split into contiguous ranges, one per
/// thread; each index is handled by exactly one thread, so a loop whose iterations write disjoint
/// memory gives the same bytes at any thread count.
public enum BatchParallel {
  /// Calls `body(i)` for every `i` in `0..<count`, spread over `min(count, BLASThreads.count)`
  /// threads; returns when all calls have finished. Calls for different `i` must not write the same memory.
  public static func forEach(_ count: Int, _ body: (Int) -> Void) {
    forRanges(count) { range in for index in range { body(index) } }
  }

  /// Calls `body` on contiguous pieces of `0..<count` that together cover it once, one piece per
  /// thread (the whole range on one thread), with at most `threads` threads and at least
  /// `minimumPerThread` indices per piece; returns when all have finished.
  public static func forRanges(
    _ count: Int, threads: Int = BLASThreads.count, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void
  ) {
    let threads = min(threads, count / max(1, minimumPerThread))
    guard threads > 1 else {
      if count > 0 { body(0..<count) }
      return
    }
    withoutActuallyEscaping(body) { body in
      var job = RangeJob(body: body)
      withUnsafeMutablePointer(to: &job) { pointer in
        cdnnl_parallel_ranges(count, Int32(threads), pointer) { context, begin, end in
          context!.assumingMemoryBound(to: RangeJob.self).pointee.body(Int(begin)..<Int(end))
        }
      }
    }
  }

  /// Splits `count` elements into pieces of at least 16 Ki elements per thread (below that the
  /// wake-up costs more than the loop) and calls `body` on each; for element-wise kernels.
  public static func forElements(_ count: Int, _ body: (Range<Int>) -> Void) {
    forRanges(count, minimumPerThread: 1 << 14, body)
  }
}

/// The loop body a parallel call hands to C as its context.
private struct RangeJob {
  let body: (Range<Int>) -> Void
}

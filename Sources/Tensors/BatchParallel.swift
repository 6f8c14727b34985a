import Dispatch

/// Runs independent per-image loops (im2col, col2im) on as many threads as ``BLASThreads`` allows.
///
/// This is the only parallelism in `Tensors` besides OpenBLAS's own threads: with one BLAS thread
/// everything runs on the caller's thread.
public enum BatchParallel {
  /// Calls `body(i)` for every `i` in `0..<count`, spread over `min(count, BLASThreads.count)` threads;
  /// returns when all calls have finished. Calls for different `i` must not write the same memory.
  public static func forEach(_ count: Int, _ body: (Int) -> Void) {
    let threads = min(count, BLASThreads.count)
    guard threads > 1 else {
      for index in 0..<count { body(index) }
      return
    }
    withoutActuallyEscaping(body) { body in
      let work = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: threads) { thread in
        for index in stride(from: thread, to: count, by: threads) { work.value(index) }
      }
    }
  }
}

/// Carries a value the caller guarantees is used safely across threads.
private struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}

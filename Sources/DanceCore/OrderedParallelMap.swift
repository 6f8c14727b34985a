import Foundation

/// Runs a synchronous stage over many inputs on worker threads and hands the results back in
/// input order, with bounded memory.
///
/// At most `window` inputs are between "claimed by a worker" and "consumed", whatever the number
/// of inputs, so a slow consumer (the shard writer) holds back the workers instead of letting
/// results pile up. Workers are plain threads, not the cooperative pool: stages block on file I/O
/// and C decoders. Output order never depends on the number of workers.
public struct OrderedParallelMap: Sendable {
  /// Worker threads; 1 runs everything on the calling thread.
  public var workers: Int
  /// Inputs in flight at most (claimed but not yet consumed).
  public var window: Int

  /// Creates a map with `workers` threads (default: the active processor count) and a window of
  /// `window` inputs (default: 4 per worker).
  public init(workers: Int? = nil, window: Int? = nil) {
    let workers = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
    self.workers = workers
    self.window = max(workers, window ?? workers * 4)
  }

  /// Transforms every input and passes `(index, output)` to `consume` in input order, on the
  /// calling thread. If `consume` throws, the workers stop claiming inputs and the error is rethrown
  /// once they have finished their current one.
  public func run<Input: Sendable, Output: Sendable>(
    _ inputs: [Input],
    transform: @escaping @Sendable (Input) -> Output,
    consume: (Int, Output) throws -> Void
  ) rethrows {
    if workers == 1 || inputs.count <= 1 {
      for (index, input) in inputs.enumerated() { try consume(index, transform(input)) }
      return
    }
    let state = SharedState<Output>(window: window, count: inputs.count)
    let finished = DispatchGroup()
    for _ in 0..<min(workers, inputs.count) {
      finished.enter()
      let thread = Thread {
        while let index = state.claim() {
          state.deliver(index, transform(inputs[index]))
        }
        finished.leave()
      }
      thread.stackSize = 8 << 20
      thread.start()
    }
    defer {
      state.cancel()
      finished.wait()
    }
    for index in inputs.indices {
      try consume(index, state.take(index))
    }
  }
}

/// The claim counter and the reorder buffer shared by the workers and the consumer.
private final class SharedState<Output: Sendable>: @unchecked Sendable {
  private let condition = NSCondition()
  private let window: Int
  private let count: Int
  private var nextToClaim = 0
  private var nextToConsume = 0
  private var ready: [Int: Output] = [:]
  private var cancelled = false

  init(window: Int, count: Int) {
    self.window = window
    self.count = count
  }

  /// The next input index to work on, or `nil` when there is none left or the run was cancelled.
  func claim() -> Int? {
    condition.lock()
    defer { condition.unlock() }
    while !cancelled && nextToClaim < count && nextToClaim - nextToConsume >= window {
      condition.wait()
    }
    guard !cancelled, nextToClaim < count else { return nil }
    nextToClaim += 1
    return nextToClaim - 1
  }

  func deliver(_ index: Int, _ output: Output) {
    condition.lock()
    ready[index] = output
    condition.broadcast()
    condition.unlock()
  }

  /// Waits for the output of `index` (the next one in order) and frees its window slot.
  func take(_ index: Int) -> Output {
    condition.lock()
    defer { condition.unlock() }
    while ready[index] == nil { condition.wait() }
    nextToConsume = index + 1
    condition.broadcast()
    return ready.removeValue(forKey: index)!
  }

  func cancel() {
    condition.lock()
    cancelled = true
    condition.broadcast()
    condition.unlock()
  }
}

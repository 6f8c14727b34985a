import Foundation
import ImageCodecs

/// Loads the batches of one epoch plan on background threads, in plan order, with bounded prefetch.
///
/// `threads` workers take the next planned batch, decode its samples, crop, flip and normalize
/// them; ``next()`` hands batches out strictly in plan order. A worker never runs more than
/// `prefetch` batches ahead of the consumer, so memory is bounded by `prefetch` batches whatever the
/// epoch length. Batch contents depend only on the plan, so any thread count gives the same batches.
/// A sample that fails to load is left out of its batch and reported in ``Batch/failures``.
public final class DataLoader: @unchecked Sendable {
  private let data: TrainingData
  private let plan: [PlannedBatch]
  private let prefetch: Int
  private let tables: [[Float]]
  private let condition = NSCondition()
  private var nextToStart: Int
  private var nextToHand: Int
  private var ready: [Int: Batch] = [:]
  private var running = 0
  private var closed = false
  private var highWater = 0

  /// Starts loading `plan` from batch `start` on.
  ///
  /// - Parameters:
  ///   - threads: background decoding threads (at least 1).
  ///   - prefetch: how many batches may be loaded ahead of the consumer (at least 1).
  public init(data: TrainingData, plan: [PlannedBatch], startingAt start: Int = 0, threads: Int = 2, prefetch: Int = 4,
              normalization: InputNormalization = .imagenet) {
    precondition(threads >= 1 && prefetch >= 1, "threads and prefetch must be at least 1")
    self.data = data
    self.plan = plan
    self.prefetch = prefetch
    tables = (0..<3).map(normalization.table(channel:))
    nextToStart = min(start, plan.count)
    nextToHand = nextToStart
    running = threads
    for _ in 0..<threads {
      let thread = Thread { [self] in work() }
      thread.stackSize = 1 << 20
      thread.start()
    }
  }

  deinit { close() }

  /// The next batch in plan order, or nil after the last one (or after ``close()``).
  public func next() -> Batch? {
    condition.lock()
    defer { condition.unlock() }
    while !closed && nextToHand < plan.count && ready[nextToHand] == nil { condition.wait() }
    guard !closed, nextToHand < plan.count, let batch = ready.removeValue(forKey: nextToHand) else { return nil }
    nextToHand += 1
    condition.broadcast()
    return batch
  }

  /// Stops the workers; batches not yet handed out are dropped. Returns when every worker has finished.
  public func close() {
    condition.lock()
    closed = true
    condition.broadcast()
    while running > 0 { condition.wait() }
    condition.unlock()
  }

  /// The largest number of batches that were loaded or loading but not yet handed out.
  public var peakBatchesInFlight: Int { condition.withLock { highWater } }

  private func work() {
    let decoder = ImageDecoder()
    while true {
      condition.lock()
      while !closed && nextToStart < plan.count && nextToStart >= nextToHand + prefetch { condition.wait() }
      guard !closed, nextToStart < plan.count else {
        running -= 1
        condition.broadcast()
        condition.unlock()
        return
      }
      let index = nextToStart
      nextToStart += 1
      highWater = max(highWater, nextToStart - nextToHand)
      condition.unlock()
      let batch = load(plan[index], decoder: decoder)
      condition.lock()
      ready[index] = batch
      condition.broadcast()
      condition.unlock()
    }
  }

  private func load(_ planned: PlannedBatch, decoder: ImageDecoder) -> Batch {
    var samples: [(PlannedItem, TrainingSample)] = []
    var failures: [SampleFailure] = []
    for item in planned.items {
      do throws(TrainerError) {
        samples.append((item, try data.load(item.sample, decoder: decoder)))
      } catch {
        failures.append(SampleFailure(key: data.entries[item.sample].key, path: error.path, reason: error.reason))
      }
    }
    return BatchAssembler.assemble(planned, samples: samples, failures: failures, tables: tables)
  }
}

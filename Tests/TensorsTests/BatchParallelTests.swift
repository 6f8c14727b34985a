import Synchronization
import Tensors
import Testing

/// The engine's thread pool covers every index once, in contiguous pieces, on OpenMP's threads.
@Suite struct BatchParallelTests {
  @Test(arguments: [(0, 2), (1, 2), (7, 1), (7, 2), (1000, 2), (1000, 3), (5, 8)])
  func rangesCoverEveryIndexOnce(count: Int, threads: Int) {
    let visits = Mutex([Int](repeating: 0, count: count))
    let pieces = Mutex([Range<Int>]())
    BatchParallel.forRanges(count, threads: threads) { range in
      visits.withLock { for index in range { $0[index] += 1 } }
      pieces.withLock { $0.append(range) }
    }
    #expect(visits.withLock { $0.allSatisfy { $0 == 1 } })
    let sorted = pieces.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
    // OpenMP may grant fewer threads than asked (OMP_THREAD_LIMIT, OMP_DYNAMIC), never more.
    #expect(count == 0 ? sorted.isEmpty : (1...min(threads, count)).contains(sorted.count))
    #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
  }

  @Test func aMinimumPieceSizeKeepsSmallLoopsOnOneThread() {
    let pieces = Mutex(0)
    BatchParallel.forRanges(100, threads: 2, minimumPerThread: 64) { _ in pieces.withLock { $0 += 1 } }
    #expect(pieces.withLock { $0 } == 1)
  }

  @Test func openBLASIsTheOpenMPBuildSoTheEngineHasOnePool() {
    #expect(BLASThreads.threading == "openmp")
  }
}

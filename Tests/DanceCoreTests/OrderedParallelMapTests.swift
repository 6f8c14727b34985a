import Foundation
import DanceCore
import Synchronization
import Testing

@Suite struct OrderedParallelMapTests {
  @Test(arguments: [1, 2, 3, 8], [1, 5, 100])
  func outputsArriveInInputOrder(workers: Int, window: Int) {
    let inputs = Array(0..<200)
    var seen: [Int] = []
    OrderedParallelMap(workers: workers, window: window).run(inputs) { value in
      // Uneven work so that later inputs often finish first.
      if value % 7 == 0 { usleep(200) }
      return value * value
    } consume: { index, output in
      #expect(output == index * index)
      seen.append(index)
    }
    #expect(seen == inputs)
  }

  @Test func inFlightWorkNeverExceedsTheWindow() {
    let inFlight = Mutex(0)
    let peak = Mutex(0)
    OrderedParallelMap(workers: 4, window: 6).run(Array(0..<300)) { value in
      inFlight.withLock { count in
        count += 1
        peak.withLock { $0 = max($0, count) }
      }
      usleep(50)
      return value
    } consume: { _, _ in
      inFlight.withLock { $0 -= 1 }
      usleep(100)  // a slow consumer
    }
    // The consumer frees a slot just before it runs, so one more can start meanwhile.
    #expect(peak.withLock { $0 } <= 7)
  }

  struct Stop: Error {}

  @Test func aThrowingConsumerStopsTheRun() {
    let started = Mutex(0)
    #expect(throws: Stop.self) {
      try OrderedParallelMap(workers: 2, window: 4).run(Array(0..<10_000)) { value in
        started.withLock { $0 += 1 }
        return value
      } consume: { index, _ in
        if index == 10 { throw Stop() }
      }
    }
    #expect(started.withLock { $0 } < 100)
  }
}

import Foundation
import Synchronization

/// Deliberate crashes for the crash-safety tests.
///
/// With `DANCE_FAULT=<point>:<n>` in the environment, the process kills itself with SIGKILL (no
/// cleanup, like `kill -9`) the n-th time it reaches the named point. Points: `score` (a sample
/// scored), `sample` (a sample written into an open shard), `shard-renamed` (a shard renamed into
/// place, before its index and catalog rows), `catalog-write` (inside the transaction that records
/// a shard). Without the variable every call is a no-op.
enum FaultInjection {
  private static let setting: (point: String, count: Int)? = {
    guard let value = ProcessInfo.processInfo.environment["DANCE_FAULT"] else { return nil }
    let parts = value.split(separator: ":")
    guard parts.count == 2, let count = Int(parts[1]), count > 0 else { return nil }
    return (String(parts[0]), count)
  }()

  private static let reached = Mutex(0)

  /// Counts one arrival at `point` and kills the process when the configured arrival is reached.
  static func reach(_ point: String) {
    guard let setting, setting.point == point else { return }
    let count = reached.withLock { value in
      value += 1
      return value
    }
    if count == setting.count { kill(getpid(), SIGKILL) }
  }
}

#if DANCE_FAULT_INJECTION
  import Foundation
  import Synchronization
#endif

/// Deliberate crashes for the crash-safety tests, compiled into debug builds only.
///
/// With `DANCE_FAULT=<point>:<n>` in the environment, a debug build kills itself with SIGKILL (no
/// cleanup, like `kill -9`) the n-th time it reaches the named point. Points: `score` (a sample
/// scored), `sample` (a sample written into an open shard), `shard-renamed` (a shard renamed into
/// place, before its index and catalog rows), `catalog-write` (inside the transaction that records
/// a shard). Without the variable every call is a no-op. `DANCE_FAULT_INJECTION` is defined for the
/// debug configuration only (Package.swift), so a release build ignores the variable.
enum FaultInjection {
  #if DANCE_FAULT_INJECTION
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
  #else
    /// Does nothing: release builds carry no fault injection.
    @inline(__always) static func reach(_ point: String) {}
  #endif
}

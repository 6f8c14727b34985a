public import Catalog
import DanceCore
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive claim on an output directory for the length of a run: `flock` on a lock file in it.
///
/// A whole-output run holds `.dance.lock` exclusively. A partition (`--partition i/N`) holds it
/// shared, since partitions of one output run side by side, and holds its own
/// `.dance.partIofN.lock` exclusively. A refused writer names the holder's PID, found in
/// `/proc/locks` by the lock file's inode (so the files stay empty and two runs leave identical
/// trees). The kernel drops the lock when the process ends, however it ends; the files stay, since
/// removing a lock file races with a process that has just opened it.
public final class OutputLock {
  /// The name of the lock file of a whole output directory.
  public static let fileName = ".dance.lock"

  private var descriptors: [Int32] = []

  /// Takes the lock (creating the directory), or throws at once (never waits) naming the holder's PID.
  /// - Throws: ``OutputStoreError/refused(path:reason:)`` when another process holds it.
  public init(directory: String, partition: OutputPartition?) throws(OutputStoreError) {
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw .io(path: directory, reason: "cannot create the output directory: \(FileSystemFailure.reason(of: error))")
    }
    if let partition {
      try take(directory + "/" + Self.fileName, exclusive: false, directory: directory)
      try take(directory + "/.dance.\(partition.name).lock", exclusive: true, directory: directory)
    } else {
      try take(directory + "/" + Self.fileName, exclusive: true, directory: directory)
    }
  }

  deinit { release() }

  /// Drops the lock (also done when the object goes away or the process ends).
  public func release() {
    for descriptor in descriptors { close(descriptor) }
    descriptors = []
  }

  /// Whether `name` (a path relative to the output directory) is one of the lock files.
  public static func isLockFile(_ name: String) -> Bool {
    name == fileName || (name.hasPrefix(".dance.") && name.hasSuffix(".lock") && !name.contains("/"))
  }

  private func take(_ path: String, exclusive: Bool, directory: String) throws(OutputStoreError) {
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw .io(path: path, reason: "cannot create the lock file: \(String(cString: strerror(errno)))")
    }
    guard flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
      let holders = Self.holders(descriptor)
      close(descriptor)
      let named = holders.isEmpty ? "" : " (PID " + holders.map(String.init).joined(separator: ", ") + ")"
      throw .refused(
        path: directory,
        reason: "another dance process\(named) is writing this output directory (it holds \(path)); "
          + "wait for it to finish or choose another --out")
    }
    descriptors.append(descriptor)
  }

  /// The PIDs holding a lock on the file behind `descriptor`, from `/proc/locks` (Linux), sorted.
  static func holders(_ descriptor: Int32) -> [Int] {
    var info = stat()
    guard fstat(descriptor, &info) == 0,
      let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8)
    else { return [] }
    // "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234567 0 EOF": the inode ends the sixth field.
    let inode = ":\(info.st_ino)"
    let pids = table.split(separator: "\n").compactMap { line -> Int? in
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count >= 6, fields[1] == "FLOCK", fields[5].hasSuffix(inode) else { return nil }
      return Int(fields[4])
    }
    return Array(Set(pids)).sorted()
  }
}

import ArgumentParser
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The `dance` executable, the reference script and the package root.
struct Tools {
  var dance: String
  var reference: String
  var packageRoot: String

  static func locate() throws -> Tools {
    let executable = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
    let binDirectory = executable.deletingLastPathComponent().path
    let dance = binDirectory + "/dance"
    guard FileManager.default.isExecutableFile(atPath: dance) else {
      throw ValidationError("\(dance) not found: build it next to dance-bench (swift build -c release --product dance)")
    }
    var directory = URL(fileURLWithPath: binDirectory)
    var packageRoot = FileManager.default.currentDirectoryPath
    while directory.path != "/" {
      if FileManager.default.fileExists(atPath: directory.path + "/Package.swift") {
        packageRoot = directory.path
        break
      }
      directory.deleteLastPathComponent()
    }
    return Tools(dance: dance, reference: packageRoot + "/bench/slim_reference.py", packageRoot: packageRoot)
  }
}

/// The reference's Python: a venv with opencv-python-headless and numpy, created on first use.
enum Reference {
  enum Outcome { case success(String), failure(String) }

  static func prepare(tools: Tools) -> Outcome {
    guard FileManager.default.fileExists(atPath: tools.reference) else { return .failure("\(tools.reference) not found") }
    let venv = ProcessInfo.processInfo.environment["DANCE_BENCH_VENV"] ?? tools.packageRoot + "/.build/bench-venv"
    let python = venv + "/bin/python"
    let log = NSTemporaryDirectory() + "dance-bench-venv-\(getpid()).log"
    defer { try? FileManager.default.removeItem(atPath: log) }
    func works() -> Bool { (try? Child.run(python, ["-c", "import cv2, numpy"], log: log))?.status == 0 }
    if works() { return .success(python) }
    print("installing the reference's Python packages into \(venv) (python3 -m venv; pip install opencv-python-headless numpy) …")
    if !FileManager.default.isExecutableFile(atPath: python) {
      guard let created = try? Child.run("/usr/bin/env", ["python3", "-m", "venv", venv], log: log), created.status == 0 else {
        return .failure("python3 -m venv \(venv) failed: " + ((try? String(contentsOfFile: log, encoding: .utf8)) ?? ""))
      }
    }
    guard let pip = try? Child.run(python, ["-m", "pip", "install", "-q", "opencv-python-headless", "numpy"], log: log),
      pip.status == 0, works()
    else {
      return .failure("pip install opencv-python-headless numpy failed: " + String(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").suffix(500)))
    }
    return .success(python)
  }
}

/// One child process: wall-clock seconds from spawn to exit, exit status, CPU time and its own peak RSS.
struct Child {
  var command: String
  var status: Int32
  var seconds: Double
  /// The peak resident memory of the child's own address space, in kilobytes: its `VmHWM`
  /// (`/proc/PID/status`), read every 5 ms until it exits. Not `ru_maxrss`: Linux starts that at
  /// the spawning process's own peak (carried over the exec of a vfork'd child), so every child
  /// would seem at least as large as dance-bench. Where `/proc` is missing, `ru_maxrss`.
  var maxRSSKilobytes: Int
  /// User plus system CPU seconds of the child and the descendants it waited for (`wait4`'s
  /// `rusage`): less disturbed than wall time by other work on a shared machine.
  var cpuSeconds: Double
  var log: String

  var maxRSSMegabytes: Double { Double(maxRSSKilobytes) / 1024 }

  /// Spawns `path` with `arguments`, stdout and stderr to `log`, and waits for it.
  static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil, log: String) throws -> Child {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    let env = environment ?? ProcessInfo.processInfo.environment
    let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    var pid: pid_t = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
    guard spawned == 0 else {
      throw ValidationError("cannot run \(path): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    var usage = rusage()
    var highWaterMark = 0
    while true {
      let waited = wait4(pid, &status, WNOHANG, &usage)
      if waited == pid || (waited == -1 && errno != EINTR) { break }
      if let kilobytes = Self.highWaterMarkKilobytes(of: pid) { highWaterMark = max(highWaterMark, kilobytes) }
      usleep(5000)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return Child(
      command: ([path] + arguments).joined(separator: " "), status: exit, seconds: seconds,
      maxRSSKilobytes: highWaterMark > 0 ? highWaterMark : Int(usage.ru_maxrss),
      cpuSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6,
      log: log)
  }

  /// `VmHWM` of a running process, in kilobytes, or `nil`.
  static func highWaterMarkKilobytes(of pid: pid_t) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return nil }
    return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
  }

  func check(_ what: String) throws {
    guard status == 0 else {
      print(tail(lines: 20, indent: "   | "))
      throw ValidationError("\(what) failed with exit status \(status): \(command) (log: \(log))")
    }
  }

  func tail(lines: Int, indent: String) -> String {
    let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    return text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).map { indent + $0 }.joined(separator: "\n")
  }

  func lastJSONLine() -> [String: Any]? {
    let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else { return nil }
    return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
  }
}

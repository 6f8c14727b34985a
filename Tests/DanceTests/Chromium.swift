import Foundation
import Testing

/// Debian's Chromium, if installed (`scripts/install-deps.sh` tries to install it), or the browser
/// named by `DANCE_CHROMIUM`.
let chromiumPath: String? = (ProcessInfo.processInfo.environment["DANCE_CHROMIUM"].map { [$0] }
  ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"]).first { FileManager.default.isExecutableFile(atPath: $0) }

/// A headless Chromium process whose standard output is read to the end.
struct Chromium {
  let process: Process
  let output: LockedData

  /// Renders `page` headless in a window of `width × height`: its screenshot, written to
  /// `directory/<name>.png`, and the DOM Chromium built from it (both at once, each with its own profile).
  /// With `scripted`, the page may read other local files (`--allow-file-access-from-files`, for a
  /// test page that drives another in an iframe) and runs until its pictures have loaded and its
  /// timers fired (`--virtual-time-budget`).
  static func render(_ page: String, in directory: String, name: String, width: Int, height: Int, scripted: Bool = false) throws
    -> (dom: String, screenshot: String)
  {
    let screenshot = directory + "/\(name).png"
    let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=\(width),\(height)"]
      + (scripted ? ["--allow-file-access-from-files", "--virtual-time-budget=10000"] : [])
    let shot = try start(common + ["--user-data-dir=\(directory)/profile-\(name)-1", "--screenshot=\(screenshot)", "file://" + page])
    let dump = try start(common + ["--user-data-dir=\(directory)/profile-\(name)-2", "--dump-dom", "file://" + page])
    let dom = String(decoding: try dump.finish(), as: UTF8.self)
    _ = try shot.finish()
    return (dom, screenshot)
  }

  static func start(_ arguments: [String]) throws -> Chromium {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: chromiumPath ?? "/usr/bin/chromium")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    let output = LockedData()
    try process.run()
    Thread { output.set(pipe.fileHandleForReading.readDataToEndOfFile()) }.start()
    return Chromium(process: process, output: output)
  }

  /// Waits at most a minute for the process to exit (then kills it) and returns its output.
  func finish() throws -> Data {
    let deadline = Date().addingTimeInterval(60)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
      process.terminate()
      Issue.record("chromium did not finish within a minute")
    }
    process.waitUntilExit()
    while !output.isSet { usleep(1000) }
    #expect(process.terminationStatus == 0, "chromium \(process.arguments ?? [])")
    return output.value
  }
}

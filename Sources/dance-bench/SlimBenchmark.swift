import ArgumentParser
import Datasets
import Foundation
import Pipeline

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `dance-bench slim`: samples/s of the `dance` executable's `slim` command against a Python +
/// OpenCV script doing the same work on the same cores (`bench/slim_reference.py`), and the peak
/// resident memory of `dance slim` at two dataset sizes.
///
/// Every measured command is a child process (`posix_spawn`), timed by wall clock from spawn to
/// `wait4`; its peak RSS is `ru_maxrss` of the `rusage` that `wait4` returns for that one child.
/// Data generation is not timed.
struct SlimBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "slim",
    abstract: "dance slim versus a Python + OpenCV reference (samples/s), and dance slim's peak memory at two sizes.")

  @Option(help: "Training samples for the throughput comparison.")
  var samples = 96

  @Option(help: "Comma-separated dataset sizes for the peak-memory runs; \"\" skips them. The 2,000-sample run takes about 2 minutes on 2 cores.")
  var memorySizes = "500,2000"

  @Option(help: "Frame size, WxH in pixels.")
  var size = "2048x1024"

  @Option(help: "Worker threads of dance and processes of the reference. Default: all cores.")
  var workers: Int?

  @Option(help: ArgumentHelp(
    "Distinct frames to generate for the memory runs (0: every sample distinct).",
    discussion: "Larger memory runs reuse these frames as hard links under new sample names; dance scores and slims every name separately (the score cache is keyed by sample)."))
  var distinct = 500

  @Option(help: "Keep the generated data and outputs in this directory (reused if it already holds the data).")
  var keep: String?

  @Flag(help: "Skip the Python reference.")
  var noReference = false

  func run() throws {
    guard let imageSize = SyntheticDatasetConfiguration.ImageSize(parsing: size) else {
      throw ValidationError("--size must look like 2048x1024")
    }
    let memoryCounts = try memorySizes.split(separator: ",").map { text -> Int in
      guard let count = Int(text.trimmingCharacters(in: .whitespaces)), count > 1 else {
        throw ValidationError("--memory-sizes must be a comma-separated list of counts > 1")
      }
      return count
    }
    guard samples > 1 else { throw ValidationError("--samples must be at least 2") }
    let threads = workers ?? ProcessInfo.processInfo.activeProcessorCount
    let tools = try Tools.locate()
    let directory = keep ?? (NSTemporaryDirectory() + "dance-bench-slim-" + UUID().uuidString)
    defer { if keep == nil { try? FileManager.default.removeItem(atPath: directory) } }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

    // Data: one generated root with the largest count; smaller roots are hard links to its first samples.
    let largest = ([samples] + memoryCounts).max() ?? samples
    let generated = distinct > 0 ? max(samples, min(distinct, largest)) : largest
    let data = directory + "/data-\(imageSize)"
    let generation = try generate(count: generated, size: imageSize, into: data, threads: threads)
    print(generation)
    if generated < largest {
      print("memory runs above \(generated) samples reuse the \(generated) generated frames as hard links under new sample names")
    }
    func root(_ count: Int) throws -> String {
      if count == generated { return data }
      return try linkedSubset(of: data, available: generated, count: count, into: directory + "/data-\(imageSize)-\(count)")
    }

    print("cores: \(ProcessInfo.processInfo.activeProcessorCount); dance --workers \(threads); reference processes: \(threads)")
    print("load average before the measurements: \(loadAverage()) (other work on the machine skews every figure)")
    print("dance: \(tools.dance)")

    // Throughput: dance end to end (scan + score + slim on a fresh catalog), dance slim alone (scores cached), reference.
    let throughputRoot = try root(samples)
    let run = directory + "/throughput"
    try? FileManager.default.removeItem(atPath: run)
    try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
    let slimArguments = [
      "slim", throughputRoot, "--out", run + "/dance-out", "--catalog", run + "/catalog.sqlite", "--policy", "quantile",
      "--workers", "\(threads)",
    ]
    print("\n-- throughput on \(samples) samples of \(imageSize)")
    let endToEnd = try Child.run(tools.dance, slimArguments, log: run + "/dance-1.log")
    try endToEnd.check("dance slim (fresh catalog)")
    print(endToEnd.tail(lines: 6, indent: "   | "))
    let slimOnly = try Child.run(tools.dance, slimArguments + ["--overwrite"], log: run + "/dance-2.log")
    try slimOnly.check("dance slim --overwrite (scores cached)")
    let endToEndRate = Double(samples) / endToEnd.seconds
    let slimOnlyRate = Double(samples) / slimOnly.seconds
    print(String(format: "dance slim, fresh catalog (scan + score + slim): %7.2f samples/s (%.2f s, peak RSS %.0f MB)",
                 endToEndRate, endToEnd.seconds, endToEnd.maxRSSMegabytes))
    print(String(format: "dance slim again, --overwrite (scores cached):  %7.2f samples/s (%.2f s, peak RSS %.0f MB)",
                 slimOnlyRate, slimOnly.seconds, slimOnly.maxRSSMegabytes))

    if noReference {
      print("reference SKIPPED: --no-reference")
    } else {
      switch Reference.prepare(tools: tools) {
      case .failure(let reason):
        print("reference SKIPPED: \(reason)")
      case .success(let python):
        var environment = ProcessInfo.processInfo.environment
        let unset = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"].filter { environment[$0] != nil }
        for name in unset { environment[name] = nil }
        print(unset.isEmpty
              ? "reference environment: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE not set, nothing unset"
              : "reference environment: unset \(unset.joined(separator: ", ")) for the reference command only (dance ran with them)")
        // The reference as written (OpenCV's default strategy at level 3), then with dance's
        // default PNG strategy (Z_RLE), so the share of the encoder setting in the ratio shows.
        var referenceRate = 0.0
        for strategy in ["default", "rle"] {
          let reference = try Child.run(
            python,
            [tools.reference, throughputRoot, run + "/reference-out-\(strategy)", "--workers", "\(threads)", "--png-strategy", strategy],
            environment: environment, log: run + "/reference-\(strategy).log")
          try reference.check("reference")
          let rate = Double(samples) / reference.seconds
          if strategy == "default" { referenceRate = rate }
          let inner = reference.lastJSONLine()
          print(String(format: "reference (Python + OpenCV, %d processes, PNG level 3, %@ strategy): %7.2f samples/s (%.2f s wall incl. "
                       + "interpreter start; inside the script: score %.2f s, slim %.2f s; kept %d; output %.1f MB)",
                       threads, strategy == "rle" ? "Z_RLE" : "OpenCV's default", rate, reference.seconds,
                       inner?["score_seconds"] as? Double ?? .nan, inner?["slim_seconds"] as? Double ?? .nan,
                       inner?["kept"] as? Int ?? -1, megabytes(under: run + "/reference-out-\(strategy)")))
          print(String(format: "  ratio dance / this reference: end to end %.2f×, slim alone %.2f×", endToEndRate / rate, slimOnlyRate / rate))
        }
        print(String(format: "ratio dance / reference as written: end to end %.2f× (target ≥ 1.5×)", endToEndRate / referenceRate))
        print(String(format: "dance output %.1f MB (PNG level 3, Z_RLE; images kept at scale 1 copied as stored)",
                     megabytes(under: run + "/dance-out")))
      }
    }

    // Peak memory: dance slim on a fresh catalog at each size.
    if !memoryCounts.isEmpty {
      print("\n-- peak resident memory of dance slim (fresh catalog; ru_maxrss of the child from wait4)")
      var rows: [(Int, Double, Double)] = []
      for count in memoryCounts {
        let countRoot = try root(count)
        let memory = directory + "/memory-\(count)"
        try? FileManager.default.removeItem(atPath: memory)
        try FileManager.default.createDirectory(atPath: memory, withIntermediateDirectories: true)
        let child = try Child.run(
          tools.dance,
          ["slim", countRoot, "--out", memory + "/out", "--catalog", memory + "/catalog.sqlite", "--policy", "quantile",
           "--workers", "\(threads)"],
          log: memory + "/dance.log")
        try child.check("dance slim on \(count) samples")
        rows.append((count, child.maxRSSMegabytes, Double(count) / child.seconds))
        print(String(format: "%6d samples: peak RSS %6.1f MB, %.2f s (%.2f samples/s)", count, child.maxRSSMegabytes,
                     child.seconds, Double(count) / child.seconds))
        if keep == nil { try? FileManager.default.removeItem(atPath: memory + "/out") }
      }
      if let low = rows.min(by: { $0.0 < $1.0 }), let high = rows.max(by: { $0.0 < $1.0 }), low.0 != high.0 {
        print(String(format: "peak RSS at %d vs %d samples: %.1f MB vs %.1f MB (ratio %.2f); target: independent of size and < 400 MB",
                     high.0, low.0, high.1, low.1, high.1 / low.1))
      }
    }
  }

  /// The bytes of the regular files under `directory`, in MB (10⁶ bytes).
  func megabytes(under directory: String) -> Double {
    let enumerator = FileManager.default.enumerator(atPath: directory)
    var total = 0
    while let name = enumerator?.nextObject() as? String {
      let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
      if attributes?[.type] as? FileAttributeType == .typeRegular { total += (attributes?[.size] as? Int) ?? 0 }
    }
    return Double(total) / 1e6
  }

  func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "unknown").split(separator: " ").prefix(3).joined(separator: " ")
  }

  /// Generates `count` Cityscapes training samples (image + `_gtFine_labelIds.png` only) on all
  /// threads, or reuses `root` when it already holds them. Not timed as part of any comparison.
  func generate(count: Int, size: SyntheticDatasetConfiguration.ImageSize, into root: String, threads: Int) throws -> String {
    let marker = root + "/.complete-\(count)"
    if FileManager.default.fileExists(atPath: marker) { return "reusing \(count) generated samples of \(size) in \(root)" }
    try? FileManager.default.removeItem(atPath: root)
    let writer = SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
      format: .cityscapes, outputDirectory: root, trainCount: count, valCount: 0, imageSize: size, seed: 31, style: .classic))
    print("generating \(count) synthetic Cityscapes samples of \(size) on \(threads) threads (not timed) …")
    let start = Date()
    var failure: String?
    var done = 0
    OrderedParallelMap(workers: threads).run(Array(0..<count)) { index -> String? in
      var sample = writer.render(split: .train, index: index)
      sample.instanceIDs = nil  // dance and the reference read only the image and the label ids
      sample.color = nil
      do {
        for file in try writer.encode(sample) {
          let path = root + "/" + file.relativePath
          try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
          guard FileManager.default.createFile(atPath: path, contents: Data(file.bytes)) else { return "cannot write \(path)" }
        }
        return nil
      } catch {
        return "\(error)"
      }
    } consume: { _, error in
      if let error, failure == nil { failure = error }
      done += 1
      if done % 250 == 0 { print("  \(done)/\(count) (\(Int(Date().timeIntervalSince(start))) s)") }
    }
    if let failure { throw ValidationError("generation failed: \(failure)") }
    FileManager.default.createFile(atPath: marker, contents: nil)
    return "generated \(count) samples of \(size) in " + String(format: "%.0f s", Date().timeIntervalSince(start))
  }

  /// A root of `count` training samples whose files are hard links (symbolic links if that fails)
  /// to the samples of `full` in sorted path order, cycling through them under new frame numbers
  /// when `count` exceeds what `full` holds.
  func linkedSubset(of full: String, available: Int, count: Int, into root: String) throws -> String {
    let marker = root + "/.complete-\(count)"
    if FileManager.default.fileExists(atPath: marker) { return root }
    try? FileManager.default.removeItem(atPath: root)
    let images = (FileManager.default.enumerator(atPath: full + "/leftImg8bit")?.allObjects as? [String] ?? [])
      .filter { $0.hasSuffix("_leftImg8bit.png") }.sorted()
    guard images.count == available else { throw ValidationError("\(full) holds \(images.count) images, \(available) expected") }
    for index in 0..<count {
      let image = images[index % available]
      let label = image.replacingOccurrences(of: "_leftImg8bit.png", with: "_gtFine_labelIds.png")
      // Copy k of a frame: frame number 000019 + 1000 k (CITY_SEQ_FRAME stays a valid Cityscapes name).
      let frame = "_" + String(format: "%06d", 19 + 1000 * (index / available)) + "_"
      for relative in ["leftImg8bit/" + image, "gtFine/" + label] {
        let target = root + "/" + relative.replacingOccurrences(of: "_000019_", with: frame)
        try FileManager.default.createDirectory(
          atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if link(full + "/" + relative, target) != 0 {
          try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: full + "/" + relative)
        }
      }
    }
    FileManager.default.createFile(atPath: marker, contents: nil)
    return root
  }
}

/// The `dance` executable, the reference script and the package root.
private struct Tools {
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
private enum Reference {
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

/// One child process: wall-clock seconds from spawn to exit, exit status, and its own peak RSS.
private struct Child {
  var command: String
  var status: Int32
  var seconds: Double
  /// `ru_maxrss` from `wait4` for this child alone (kilobytes on Linux).
  var maxRSSKilobytes: Int
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
    while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return Child(
      command: ([path] + arguments).joined(separator: " "), status: exit, seconds: seconds,
      maxRSSKilobytes: Int(usage.ru_maxrss), log: log)
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

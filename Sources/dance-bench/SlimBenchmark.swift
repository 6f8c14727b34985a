import ArgumentParser
import DanceCore
import Datasets
import Foundation
import Pipeline
import Synthetic

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `dance-bench slim`: samples/s of the `dance` executable's `slim` command against a Python +
/// OpenCV script doing the same work on the same cores (`bench/slim_reference.py`) and against
/// OpenCV decoding alone, on each kind of frame; and the peak resident memory of `dance scan`,
/// `score`, `slim`, `verify` and `audit` at two dataset sizes.
///
/// Every measured command is a child process (`posix_spawn`), timed by wall clock from spawn to
/// `wait4`; its CPU time and peak RSS come from the `rusage` that `wait4` returns for that one child
/// (CPU time includes the descendants it waited for, the reference's worker processes). The
/// throughput commands run in alternating rounds and medians are reported. Data generation is not
/// timed.
struct SlimBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "slim",
    abstract: "dance slim versus a Python + OpenCV reference and OpenCV decode-only (samples/s), and every command's peak memory at two sizes.")

  @Option(help: "Training samples for the throughput comparison.")
  var samples = 96

  @Option(help: "Rounds of alternating throughput runs; medians are reported.")
  var rounds = 3

  @Option(help: ArgumentHelp(
    "Comma-separated kinds of generated frame to measure: \(FrameKind.allCases.map(\.rawValue).joined(separator: ", ")).",
    discussion: FrameKind.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n")))
  var frames = FrameKind.allCases.map(\.rawValue).joined(separator: ",")

  @Option(help: "Also measure the throughput on the training samples of this Cityscapes-format root (e.g. real data).")
  var root: String?

  @Option(help: ArgumentHelp(
    "CamVid (SegNet's release: train/, val/, test/ and their *annot/ folders) to build two Cityscapes-format roots of real photographs from and measure on. Default: $DANCE_PHOTOS; skipped without either.",
    discussion: "One root holds every CamVid frame as it is (image PNG bytes as stored, labels as Cityscapes label ids); the other --photo-frames 2048x1024 frames tiled 2x2 from CamVid frames. Built in the bench's directory, not timed."))
  var photos: String?

  @Option(help: "2048x1024 frames to tile from the --photos frames.")
  var photoFrames = 48

  @Option(help: "Comma-separated dataset sizes for the peak-memory runs; \"\" skips them. The 2,000-sample runs take several minutes on 2 cores.")
  var memorySizes = "500,2000"

  @Option(help: "The kind of generated frame of the memory runs. Default: the last of --frames.")
  var memoryFrames: FrameKind?

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

  @Flag(help: "Skip the Python reference and the decode-only bound.")
  var noReference = false

  func validate() throws {
    _ = try parsedSettings()
    guard samples > 1 else { throw ValidationError("--samples must be at least 2") }
    guard rounds > 0 else { throw ValidationError("--rounds must be at least 1") }
  }

  /// `--size`, `--memory-sizes` and `--frames`, parsed.
  private func parsedSettings() throws -> (imageSize: SyntheticDatasetConfiguration.ImageSize, memoryCounts: [Int], kinds: [FrameKind]) {
    guard let imageSize = SyntheticDatasetConfiguration.ImageSize(parsing: size) else {
      throw ValidationError("--size must look like 2048x1024")
    }
    let memoryCounts = try memorySizes.split(separator: ",").map { text -> Int in
      guard let count = Int(text.trimmingCharacters(in: .whitespaces)), count > 1 else {
        throw ValidationError("--memory-sizes must be a comma-separated list of counts > 1")
      }
      return count
    }
    let kinds = try frames.split(separator: ",").map { text -> FrameKind in
      guard let kind = FrameKind(rawValue: text.trimmingCharacters(in: .whitespaces)) else {
        throw ValidationError("--frames: unknown kind '\(text)'; use \(FrameKind.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      return kind
    }
    return (imageSize, memoryCounts, kinds)
  }

  func run() throws {
    let (imageSize, memoryCounts, kinds) = try parsedSettings()
    let threads = workers ?? ProcessInfo.processInfo.activeProcessorCount
    let tools = try Tools.locate()
    let directory = keep ?? (NSTemporaryDirectory() + "dance-bench-slim-" + UUID().uuidString)
    defer { if keep == nil { try? FileManager.default.removeItem(atPath: directory) } }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

    print("cores: \(ProcessInfo.processInfo.activeProcessorCount); dance --workers \(threads); reference processes: \(threads)")
    print("dance: \(tools.dance)")
    let throughput = Throughput(tools: tools, python: referencePython(tools), threads: threads, rounds: rounds)
    let memoryKind = memoryFrames ?? kinds.last
    let roots = try GeneratedRoots(
      kinds: kinds, samples: samples, memoryKind: memoryCounts.isEmpty ? nil : memoryKind, memoryCounts: memoryCounts,
      distinct: distinct, size: imageSize, directory: directory, threads: threads)
    for kind in kinds {
      try throughput.measure(
        root: try roots.root(kind, samples), title: "\(samples) samples of \(kind.rawValue) frames, \(imageSize)",
        run: directory + "/throughput-\(kind.rawValue)")
    }
    try measurePhotos(throughput, directory: directory, threads: threads)
    if let root {
      let count = (FileManager.default.enumerator(atPath: root + "/leftImg8bit/train")?.allObjects as? [String] ?? [])
        .filter { $0.hasSuffix("_leftImg8bit.png") }.count
      try throughput.measure(root: root, title: "the \(count) training samples of \(root)", run: directory + "/throughput-root")
    }
    guard let memoryKind, !memoryCounts.isEmpty else { return }
    try measureMemory(roots, kind: memoryKind, counts: memoryCounts, tools: tools, directory: directory, threads: threads)
  }

  /// The Python with OpenCV for the reference and the decode-only bound, or nil (and why, printed).
  private func referencePython(_ tools: Tools) -> String? {
    if noReference {
      print("reference and decode-only bound SKIPPED: --no-reference")
      return nil
    }
    switch Reference.prepare(tools: tools) {
    case .failure(let reason):
      print("reference and decode-only bound SKIPPED: \(reason)")
      return nil
    case .success(let path):
      return path
    }
  }

  /// Peak memory of every command at each size, on a fresh catalog per size, and each command's
  /// ratio between the largest and the smallest size.
  private func measureMemory(
    _ roots: GeneratedRoots, kind: FrameKind, counts: [Int], tools: Tools, directory: String, threads: Int
  ) throws {
    print("\n-- peak resident memory of each command on \(kind.rawValue) frames (fresh catalog per size; VmHWM of each child)")
    if let generated = roots.generated(kind), generated < (counts.max() ?? 0) {
      print("memory runs above \(generated) samples reuse the generated frames as hard links under new sample names")
    }
    var peaks: [String: [Int: Double]] = [:]
    for count in counts {
      let countRoot = try roots.root(kind, count)
      let memory = directory + "/memory-\(count)"
      try? FileManager.default.removeItem(atPath: memory)
      try FileManager.default.createDirectory(atPath: memory, withIntermediateDirectories: true)
      let catalog = ["--catalog", memory + "/catalog.sqlite"]
      let steps: [(String, [String])] = [
        ("scan", ["scan", countRoot] + catalog + ["--workers", "\(threads)"]),
        ("score", ["score", countRoot] + catalog + ["--workers", "\(threads)"]),
        ("slim", ["slim", countRoot, "--out", memory + "/out", "--policy", "quantile", "--workers", "\(threads)"] + catalog),
        ("verify", ["verify", memory + "/out", "--workers", "\(threads)"] + catalog),
        ("audit", ["audit", "--html", memory + "/audit.html"] + catalog),
      ]
      var line = String(format: "%6d samples:", count)
      for (name, arguments) in steps {
        let child = try Child.run(tools.dance, arguments, log: memory + "/\(name).log")
        try child.check("dance \(name) on \(count) samples")
        peaks[name, default: [:]][count] = child.maxRSSMegabytes
        line += String(format: "  %@ %.1f MB (%.1f s)", name, child.maxRSSMegabytes, child.seconds)
      }
      print(line)
      if keep == nil { try? FileManager.default.removeItem(atPath: memory + "/out") }
    }
    guard let low = counts.min(), let high = counts.max(), low != high else { return }
    for name in ["scan", "score", "slim", "verify", "audit"] {
      guard let small = peaks[name]?[low], let large = peaks[name]?[high] else { continue }
      print(name.padding(toLength: 7, withPad: " ", startingAt: 0)
        + String(format: "peak RSS at %d vs %d samples: %6.1f MB vs %6.1f MB (ratio %.2f)", high, low, large, small, large / small))
    }
    print("targets: every command's peak RSS independent of the dataset size (ratio about 1) and under 150 MB")
  }

  /// The throughput on the two roots built from `--photos` (or `$DANCE_PHOTOS`), or why not.
  func measurePhotos(_ throughput: Throughput, directory: String, threads: Int) throws {
    guard let camvid = photos ?? ProcessInfo.processInfo.environment["DANCE_PHOTOS"] else {
      print("\nreal-photo roots SKIPPED: no --photos or DANCE_PHOTOS (CamVid as SegNet released it, e.g. /path/to/CamVid)")
      return
    }
    guard photoFrames > 0 else { throw ValidationError("--photo-frames must be positive") }
    for (index, built) in try PhotoRoots.build(camvid: camvid, tiled: photoFrames, into: directory, threads: threads).enumerated() {
      try throughput.measure(root: built.root, title: built.title, run: directory + "/throughput-photos-\(index)")
    }
  }

  /// Generates `count` Cityscapes training samples (image + `_gtFine_labelIds.png` only) on all
  /// threads, or reuses `root` when it already holds them. Not timed as part of any comparison.
  static func generate(kind: FrameKind, count: Int, size: SyntheticDatasetConfiguration.ImageSize, into root: String, threads: Int) throws
    -> String
  {
    let marker = root + "/.complete-\(count)"
    if FileManager.default.fileExists(atPath: marker) { return "reusing \(count) generated \(kind.rawValue) samples of \(size) in \(root)" }
    try? FileManager.default.removeItem(atPath: root)
    let writer = SyntheticDatasetWriter(configuration: kind.configuration(root: root, count: count, size: size))
    print("generating \(count) \(kind.rawValue) Cityscapes samples of \(size) on \(threads) threads (not timed) …")
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
    _ = FileManager.default.createFile(atPath: marker, contents: nil)
    return "generated \(count) \(kind.rawValue) samples of \(size) in " + String(format: "%.0f s", Date().timeIntervalSince(start))
  }

  /// A root of `count` training samples whose files are hard links (symbolic links if that fails)
  /// to the samples of `full` in sorted path order, cycling through them under new frame numbers
  /// when `count` exceeds what `full` holds.
  static func linkedSubset(of full: String, available: Int, count: Int, into root: String) throws -> String {
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
    _ = FileManager.default.createFile(atPath: marker, contents: nil)
    return root
  }
}

/// The generated roots of a slim benchmark: one per kind of frame, with as many samples as the
/// largest count it is needed for (throughput, or the memory runs' largest size, capped by
/// `--distinct`); a smaller or larger count is a root of hard links to its samples.
struct GeneratedRoots {
  private var roots: [FrameKind: (root: String, generated: Int)] = [:]

  /// Generates (or reuses, in a kept directory) the roots of `kinds` and of `memoryKind`.
  init(
    kinds: [FrameKind], samples: Int, memoryKind: FrameKind?, memoryCounts: [Int], distinct: Int,
    size: SyntheticDatasetConfiguration.ImageSize, directory: String, threads: Int
  ) throws {
    let needed = kinds + [memoryKind].compactMap { $0 }
    for kind in FrameKind.allCases where needed.contains(kind) {
      let largest = ([kinds.contains(kind) ? samples : 0] + (kind == memoryKind ? memoryCounts : [])).max() ?? samples
      let generated = distinct > 0 ? max(kinds.contains(kind) ? samples : 0, min(distinct, largest)) : largest
      let data = directory + "/data-\(kind.rawValue)-\(size)"
      print(try SlimBenchmark.generate(kind: kind, count: generated, size: size, into: data, threads: threads))
      roots[kind] = (data, generated)
    }
  }

  /// How many samples were generated for `kind`.
  func generated(_ kind: FrameKind) -> Int? { roots[kind]?.generated }

  /// A root of `count` samples of `kind`.
  func root(_ kind: FrameKind, _ count: Int) throws -> String {
    guard let (data, generated) = roots[kind] else { throw ValidationError("no data generated for \(kind.rawValue)") }
    if count == generated { return data }
    return try SlimBenchmark.linkedSubset(of: data, available: generated, count: count, into: data + "-\(count)")
  }
}

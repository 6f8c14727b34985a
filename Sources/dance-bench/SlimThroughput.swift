import ArgumentParser
import DanceCore
import Datasets
import Foundation
import Synthetic

/// The kinds of generated frame `dance-bench slim` measures on.
enum FrameKind: String, CaseIterable, ExpressibleByArgument {
  /// `dance synth`'s classic frames (`--style classic`).
  case synthetic
  /// `dance synth --style photographic` frames, written as real datasets are.
  case photographic

  /// What `--help` says about the kind.
  var summary: String {
    switch self {
    case .synthetic: "dance synth's classic frames: flat class colours with noise, image PNGs with the sub filter"
    case .photographic: "dance synth --style photographic: textures, shading, blur and sensor noise, image PNGs with libpng's adaptive filters"
    }
  }

  /// The generator's settings for `count` Cityscapes training samples (seed 31).
  func configuration(root: String, count: Int, size: SyntheticDatasetConfiguration.ImageSize) -> SyntheticDatasetConfiguration {
    SyntheticDatasetConfiguration(
      format: .cityscapes, outputDirectory: root, trainCount: count, valCount: 0, imageSize: size, seed: 31,
      style: self == .photographic ? .photographic : .classic)
  }
}

/// The throughput comparison on one dataset root: `dance slim` on a fresh catalog (the whole job:
/// scan + score + slim), `dance slim` again with the scores cached, the Python + OpenCV reference
/// (as written, with the run-length strategy of dance's zlib deflater, and lean: images kept at
/// scale 1 copied as stored, as dance does) and OpenCV decoding every image and label once (the
/// decode-only bound), in alternating rounds; medians of wall time and of CPU time, and each
/// output's size.
struct Throughput {
  var tools: Tools
  /// The reference's Python, or `nil` to measure dance alone.
  var python: String?
  var threads: Int
  var rounds: Int

  /// One measured command: its samples and its runs.
  struct Series {
    var name: String
    var samples: Int
    var runs: [Child] = []

    var wallRate: Double { Double(samples) / median(runs.map(\.seconds)) }
    var cpuRate: Double { Double(samples) / median(runs.map(\.cpuSeconds)) }
    var wallSeconds: Double { median(runs.map(\.seconds)) }
    var peakMegabytes: Double { runs.map(\.maxRSSMegabytes).max() ?? 0 }

    func median(_ values: [Double]) -> Double {
      let sorted = values.sorted()
      return sorted.isEmpty ? .nan : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
  }

  /// A variant of the reference: what the report calls it, its output folder's suffix, its arguments.
  static let variants: [(name: String, folder: String, arguments: [String])] = [
    ("reference as written (PNG level 3, OpenCV's default strategy)", "default", ["--png-strategy", "default"]),
    ("reference with Z_RLE (the strategy of dance's --png-deflater zlib)", "rle", ["--png-strategy", "rle"]),
    ("lean reference (images kept at scale 1 copied as stored)", "lean", ["--lean"]),
  ]

  /// Every series of one root: dance's two, each reference variant's (in ``variants`` order) and
  /// the decode-only bound's.
  struct Measured {
    var wholeJob: Series
    var cached: Series
    var references: [Series]
    var decodeOnly: Series
  }

  func measure(root: String, title: String, run: String) throws {
    let samples = (FileManager.default.enumerator(atPath: root + "/leftImg8bit/train")?.allObjects as? [String] ?? [])
      .filter { $0.hasSuffix("_leftImg8bit.png") }.count
    guard samples > 1 else { throw ValidationError("\(root) holds \(samples) Cityscapes training samples, at least 2 needed") }
    try? FileManager.default.removeItem(atPath: run)
    try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
    print("\n-- throughput on \(title): \(rounds) alternating rounds, medians")
    print("load average before: \(loadAverage()) (other work on the machine skews wall times; CPU times less)")
    let measured = try runRounds(root: root, run: run, samples: samples)
    report(measured, run: run, samples: samples)
  }

  /// Runs every command once per round, alternating, and returns the series.
  func runRounds(root: String, run: String, samples: Int) throws -> Measured {
    let slim = [
      "slim", root, "--out", run + "/dance-out", "--catalog", run + "/catalog.sqlite", "--policy", "quantile",
      "--workers", "\(threads)",
    ]
    var environment = ProcessInfo.processInfo.environment
    for name in ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] { environment[name] = nil }
    var measured = Measured(
      wholeJob: Series(name: "dance slim, fresh catalog (scan + score + slim)", samples: samples),
      cached: Series(name: "dance slim --overwrite (scores cached)", samples: samples),
      references: Self.variants.map { Series(name: $0.name, samples: samples) },
      decodeOnly: Series(name: "OpenCV decode-only (every image + label once)", samples: samples))
    for round in 0..<rounds {
      try? FileManager.default.removeItem(atPath: run + "/catalog.sqlite")
      try? FileManager.default.removeItem(atPath: run + "/dance-out")
      let fresh = try Child.run(tools.dance, slim, log: run + "/dance-fresh-\(round).log")
      try fresh.check("dance slim (fresh catalog)")
      measured.wholeJob.runs.append(fresh)
      let again = try Child.run(tools.dance, slim + ["--overwrite"], log: run + "/dance-cached-\(round).log")
      try again.check("dance slim --overwrite (scores cached)")
      measured.cached.runs.append(again)
      guard let python else { continue }
      for (index, variant) in Self.variants.enumerated() {
        let out = run + "/reference-out-\(variant.folder)"
        try? FileManager.default.removeItem(atPath: out)
        let child = try Child.run(
          python, [tools.reference, root, out, "--workers", "\(threads)"] + variant.arguments,
          environment: environment, log: run + "/reference-\(variant.folder)-\(round).log")
        try child.check(variant.name)
        measured.references[index].runs.append(child)
      }
      let decode = try Child.run(
        python, [tools.reference, root, run + "/decode-only", "--workers", "\(threads)", "--decode-only"],
        environment: environment, log: run + "/decode-only-\(round).log")
      try decode.check("decode-only reference")
      measured.decodeOnly.runs.append(decode)
    }
    if let last = measured.cached.runs.last { print(last.tail(lines: 4, indent: "   | ")) }
    return measured
  }

  /// Prints each series' rates, the output sizes and the ratios against each reference.
  func report(_ measured: Measured, run: String, samples: Int) {
    let all = [measured.wholeJob, measured.cached] + (python == nil ? [] : measured.references + [measured.decodeOnly])
    for series in all {
      // The reference's peak is its main process only (its workers are other processes).
      let peak = series.name.hasPrefix("dance") ? String(format: "; peak RSS %.0f MB", series.peakMegabytes) : ""
      print(series.name.padding(toLength: 70, withPad: " ", startingAt: 0)
        + String(format: " %7.2f samples/s wall (%6.2f s), %7.2f per CPU-second", series.wallRate, series.wallSeconds, series.cpuRate) + peak)
    }
    print("(the Python commands ran without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE)")
    let danceBytes = megabytes(under: run + "/dance-out")
    print(String(format: "dance output %.1f MB (images kept at scale 1 copied as stored)", danceBytes))
    guard python != nil else { return }
    for (variant, series) in zip(Self.variants, measured.references) {
      let bytes = megabytes(under: run + "/reference-out-\(variant.folder)")
      print(String(format: "%@ output %.1f MB: dance %+.1f %%", variant.name, bytes, 100 * (danceBytes / bytes - 1))
        + (variant.folder == "lean" ? " (goal ≤ +5 %)" : ""))
      print(String(format: "  ratio dance whole job / it: %.2f× wall, %.2f× CPU; dance slim (scores cached) / it: %.2f× wall",
                   measured.wholeJob.wallRate / series.wallRate, measured.wholeJob.cpuRate / series.cpuRate,
                   measured.cached.wallRate / series.wallRate)
        + (variant.folder == "lean" ? " (whole job: goal ≥ 2×, floor 1.6×)" : ""))
    }
    // The decode-only script's own time, without the interpreter's start and the pool's creation.
    let decodeOnly = measured.decodeOnly, cached = measured.cached, whole = measured.wholeJob
    let inner = decodeOnly.median(decodeOnly.runs.compactMap { $0.lastJSONLine()?["seconds"] as? Double })
    print(String(format: "ratio dance slim (scores cached) / decode-only: %.2f× wall, %.2f× CPU (goal ≥ 1.2×); "
                 + "%.2f× against the script's own decode time (%.2f s, no interpreter start)",
                 cached.wallRate / decodeOnly.wallRate, cached.cpuRate / decodeOnly.cpuRate,
                 cached.wallRate / (Double(samples) / inner), inner))
    print(String(format: "ratio dance whole job / decode-only: %.2f× wall, %.2f× CPU",
                 whole.wallRate / decodeOnly.wallRate, whole.cpuRate / decodeOnly.cpuRate))
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
}

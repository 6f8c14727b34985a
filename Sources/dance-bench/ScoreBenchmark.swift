import ArgumentParser
import Catalog
import Complexity
import Datasets
import Foundation
import ImageCodecs
import Pipeline

/// `dance-bench score`: images/s of `dance score` against decode-only throughput of the same files
/// on the same cores.
struct ScoreBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "score",
    abstract: "Scoring throughput versus decode-only throughput on synthetic Cityscapes frames.")

  @Option(help: "Training samples to generate.")
  var samples = 24

  @Option(help: "Frame size, WxH in pixels.")
  var size = "2048x1024"

  @Option(help: "Worker threads for both measurements. Default: all cores.")
  var workers: Int?

  @Option(help: "Comma-separated indicators, 'default' or 'all'.")
  var indicators = "default"

  func run() throws {
    guard let imageSize = SyntheticDatasetConfiguration.ImageSize(parsing: size) else {
      throw ValidationError("--size must look like 2048x1024")
    }
    let chosen: [Indicator] =
      indicators == "all" ? Indicator.allCases
      : indicators == "default" ? Indicator.defaultSet : indicators.split(separator: ",").compactMap { Indicator(rawValue: String($0)) }
    let threads = workers ?? ProcessInfo.processInfo.activeProcessorCount
    let directory = NSTemporaryDirectory() + "dance-bench-score-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: directory) }
    print("generating \(samples) synthetic Cityscapes samples of \(imageSize) …")
    _ = try SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
      format: .cityscapes, outputDirectory: directory + "/data", trainCount: samples, valCount: 0, imageSize: imageSize,
      seed: 21)).write()
    let catalogPath = directory + "/catalog.sqlite"
    let scan = try DatasetScanner.scan(ScanConfiguration(
      root: directory + "/data", catalogPath: catalogPath, workers: threads, progress: .silent))
    print(String(format: "scan (headers + label decode, not part of the comparison): %.2f s", scan.seconds))

    // Decode-only: the image and the label of every sample, nothing computed.
    let records = try Catalog(path: catalogPath).samples()
    let root = scan.root
    let decoder = ImageDecoder()
    let decodeStart = Date()
    OrderedParallelMap(workers: threads).run(records) { record in
      let image = try? decoder.decode(contentsOf: root + "/" + record.imagePath)
      let label = try? decoder.decodeLabel(contentsOf: root + "/" + (record.labelPath ?? ""))
      return (image?.image.width ?? 0) + (label?.image.width ?? 0)
    } consume: { _, _ in }
    let decodeSeconds = Date().timeIntervalSince(decodeStart)

    let report = try ScoreJob.run(ScoreConfiguration(
      root: nil, catalogPath: catalogPath, indicators: chosen, workers: threads, progress: .silent))
    let decodeRate = Double(records.count) / decodeSeconds
    let scoreRate = Double(report.computed) / report.seconds
    print("threads: \(threads); indicators: \(chosen.map(\.rawValue).joined(separator: ","))")
    print(String(format: "decode only (image + label): %6.2f images/s (%.2f s for %d)", decodeRate, decodeSeconds, records.count))
    print(String(format: "dance score (decode + indicators + catalog): %6.2f images/s (%.2f s for %d)", scoreRate, report.seconds, report.computed))
    print(String(format: "ratio score / decode-only: %.3f", scoreRate / decodeRate))
    let rerun = try ScoreJob.run(ScoreConfiguration(
      root: nil, catalogPath: catalogPath, indicators: chosen, workers: threads, progress: .silent))
    print(String(format: "rerun: %d decoded, %d cached, %.3f s", rerun.decodedImages + rerun.decodedLabels, rerun.cached, rerun.seconds))
  }
}

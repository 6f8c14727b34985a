import ArgumentParser
import Catalog
import Complexity
import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Pipeline
import Runner
import Synthetic

/// `dance-bench score`: images/s of `dance score` against decode-only throughput of the same files
/// on the same cores.
struct ScoreBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "score",
    abstract: "Scoring throughput versus decode-only throughput on synthetic Cityscapes frames.")

  @Option(help: "Training samples to generate.")
  var samples = 64

  @Option(help: "Frame size, WxH in pixels.")
  var size = "2048x1024"

  @Option(help: "Worker threads for both measurements. Default: all cores.")
  var workers: Int?

  @Option(help: "Comma-separated indicators, 'default' or 'all'.")
  var indicators = "default"

  @Option(help: "Rounds; each measures decode-only and scoring (on a fresh copy of the catalog) back to back, in alternating order. The median of the per-round ratios is reported.")
  var rounds = 5

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
      seed: 21, style: .classic)).write()
    let catalogPath = directory + "/catalog.sqlite"
    let context = StageContext(workers: threads, progress: .silent)
    let scan = try PipelineRunner.scan(root: directory + "/data", catalogPath: catalogPath, context: context)
    print(String(format: "scan (headers + label decode, not part of the comparison): %.2f s", scan.seconds))

    // Decode-only: the image and the label of every sample, nothing computed.
    let records = try Catalog(path: catalogPath).samples()
    let root = scan.root
    let decoder = ImageDecoder()
    func decodeOnly() -> Double {
      let start = Date()
      OrderedParallelMap(workers: threads).run(records) { record in
        let image = try? decoder.decode(contentsOf: root + "/" + record.imagePath)
        let label = try? decoder.decodeLabel(contentsOf: root + "/" + (record.labelPath ?? ""))
        return (image?.image.width ?? 0) + (label?.image.width ?? 0)
      } consume: { _, _ in }
      return Double(records.count) / Date().timeIntervalSince(start)
    }
    // Scoring from the state after the scan (no scores), every round.
    let pristine = directory + "/catalog-scanned.sqlite"
    try FileManager.default.copyItem(atPath: catalogPath, toPath: pristine)
    func score() throws -> Double {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: catalogPath + suffix) }
      try FileManager.default.copyItem(atPath: pristine, toPath: catalogPath)
      let report = try PipelineRunner.score(root: nil, catalogPath: catalogPath, options: ScoreOptions(indicators: chosen), context: context)
      return Double(report.computed) / report.seconds
    }

    print("threads: \(threads); indicators: \(chosen.map(\.rawValue).joined(separator: ","))")
    print("round  decode only (image + label)  dance score (decode + indicators + catalog)  ratio")
    var ratios: [Double] = []
    for round in 1...max(1, rounds) {
      // Alternate which goes first, so neither always runs on a warmer (or busier) machine.
      let decodeFirst = round % 2 == 1
      let firstRate = decodeFirst ? decodeOnly() : try score()
      let secondRate = decodeFirst ? try score() : decodeOnly()
      let (decodeRate, scoreRate) = decodeFirst ? (firstRate, secondRate) : (secondRate, firstRate)
      ratios.append(scoreRate / decodeRate)
      print(String(format: "%5d  %20.2f images/s  %35.2f images/s  %6.3f", round, decodeRate, scoreRate, scoreRate / decodeRate))
    }
    let median = ratios.sorted()[ratios.count / 2]
    try printBreakdown(records: records, root: root, indicators: chosen)
    print(String(format: "ratio score / decode-only: %.3f (median of %d rounds on %d images; target ≥ 0.85)", median, ratios.count, records.count))
    let rerun = try PipelineRunner.score(root: nil, catalogPath: catalogPath, options: ScoreOptions(indicators: chosen), context: context)
    print(String(format: "rerun: %d decoded, %d cached, %.3f s", rerun.decodedImages + rerun.decodedLabels, rerun.cached, rerun.seconds))
  }

  /// Where scoring spends its time beyond decoding: each step timed on one thread over every sample,
  /// as a median per image.
  func printBreakdown(records: [SampleRecord], root: String, indicators: [Indicator]) throws {
    struct Discard: ImageRowConsumer {
      var rows = 0
      mutating func begin(width: Int, height: Int, channels: Int) {}
      mutating func consume(row: UnsafeBufferPointer<UInt8>) { rows += 1 }
    }
    let decoder = ImageDecoder()
    let imageScorer = ComplexityScorer(indicators: indicators.filter(\.needsImage))
    let labelScorer = ComplexityScorer(indicators: indicators.filter(\.needsLabel))
    /// Median milliseconds per image of each step, the steps timed one after the other on each
    /// sample (so a change in the machine's load affects them alike), three passes.
    func medians(_ steps: [(SampleRecord) throws -> Void]) throws -> [Double] {
      var times = [[Double]](repeating: [], count: steps.count)
      for _ in 0..<3 {
        for record in records {
          for (index, step) in steps.enumerated() {
            let start = DispatchTime.now().uptimeNanoseconds
            try step(record)
            times[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
          }
        }
      }
      return times.map { $0.sorted()[$0.count / 2] }
    }
    let label = { (record: SampleRecord) in root + "/" + (record.labelPath ?? "") }
    let times = try medians([
      { record in
        var discard = Discard()
        _ = try decoder.decodeRows(contentsOf: root + "/" + record.imagePath, into: &discard)
      },
      { record in _ = try imageScorer.scoreImage(contentsOf: root + "/" + record.imagePath, decoder: decoder) },
      { record in _ = try decoder.decodeLabel(contentsOf: label(record)) },
      { record in _ = try LabelFiles.convert(contentsOf: label(record), labels: DatasetLabels(format: .cityscapes), decoder: decoder) },
      { record in
        let labels = try LabelFiles.convert(contentsOf: label(record), labels: DatasetLabels(format: .cityscapes), decoder: decoder)
        _ = labelScorer.score(image: nil, trainIds: labels.labels.image)
      },
    ])
    let (rowsOnly, imageScored, labelOnly, labelConverted, labelScored) = (times[0], times[1], times[2], times[3], times[4])
    print("one thread, median ms per image:")
    print(String(format: "  image rows decoded and discarded %6.2f; decoded into the image indicators %6.2f (+%.2f)",
                 rowsOnly, imageScored, imageScored - rowsOnly))
    print(String(format: "  label decoded %6.2f; converted to train ids %6.2f (+%.2f); label indicators %6.2f (+%.2f)",
                 labelOnly, labelConverted, labelConverted - labelOnly, labelScored, labelScored - labelConverted))
  }
}

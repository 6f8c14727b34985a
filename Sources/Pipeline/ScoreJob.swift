public import Catalog
import Complexity
import DanceCore
import Datasets
import Foundation
import ImageCodecs

/// The outcome of a scoring run.
public struct ScoreReport: Sendable, Codable {
  /// Valid samples considered.
  public var samples: Int
  /// Samples whose scores were (re)computed.
  public var computed: Int
  /// Samples whose every requested score was cached for unchanged files.
  public var cached: Int
  /// Samples that failed; each is in the catalog's `scoreFailure` table with its reason.
  public var failures: [String]
  /// Samples the scan found invalid and scoring left out, as `key: reason` (set by
  /// ``PipelineRunner``; a run with any exits 3).
  public var leftOut: [String] = []
  /// Images decoded in this run.
  public var decodedImages: Int
  /// Label files decoded in this run.
  public var decodedLabels: Int
  /// The indicators requested.
  public var indicators: [String]
  /// Wall time in seconds.
  public var seconds: Double

  enum CodingKeys: String, CodingKey {
    case samples, computed, cached, failures, indicators, seconds
    case leftOut = "left_out"
    case decodedImages = "decoded_images"
    case decodedLabels = "decoded_labels"
  }
}

/// Streams every valid sample through decode → indicators on all cores with a fixed number of
/// samples in flight, and caches the values in the catalog keyed by file identity and indicator
/// variant, so a rerun over unchanged files decodes nothing.
public enum ScoreJob {
  /// Scores the samples of `datasetRoot` (already scanned; `nil`: every dataset in the open
  /// `catalog`) with every request's indicators on its splits, in one pass over the samples: each
  /// sample is decoded once for the union of what the requests give its split and lack in the cache.
  public static func run(
    _ requests: [ScoreOptions], datasetRoot: String? = nil, context: StageContext = StageContext(), catalog: Catalog
  ) throws(PipelineError) -> ScoreReport {
    let start = Date()
    StageInvocations.record(.score, catalogPath: catalog.path)
    let indicators = requests.flatMap(\.indicators).reduce(into: [Indicator]()) { all, indicator in
      if !all.contains(indicator) { all.append(indicator) }
    }
    do {
      let (work, considered) = try pendingWork(requests, indicators: indicators, datasetRoot: datasetRoot, catalog: catalog)
      var report = ScoreReport(
        samples: considered, computed: 0, cached: considered - work.count, failures: [], decodedImages: 0, decodedLabels: 0,
        indicators: indicators.map(\.rawValue), seconds: 0)
      try score(work, failFast: requests.contains(where: \.failFast), context: context, catalog: catalog, report: &report)
      report.seconds = Date().timeIntervalSince(start)
      return report
    } catch let error as PipelineError {
      throw error
    } catch let error as CatalogError {
      throw .catalog(error)
    } catch let error as DatasetError {
      throw .dataset(error)
    } catch {
      throw .output(path: FileSystemFailure.path(of: error) ?? catalog.path, reason: FileSystemFailure.reason(of: error))
    }
  }

  /// Every sample of the datasets (the one at `datasetRoot`, or all) that some request covers,
  /// with the indicators it lacks in the cache (by file identity and variant); samples lacking
  /// none count as considered only.
  static func pendingWork(_ requests: [ScoreOptions], indicators: [Indicator], datasetRoot: String?, catalog: Catalog) throws
    -> (work: [ScoreWorkItem], considered: Int)
  {
    let datasets = try catalog.datasets().filter { datasetRoot == nil || $0.root == datasetRoot }
    if datasets.isEmpty {
      throw PipelineError.nothingToDo(
        reason: "\(catalog.path): " + (datasetRoot.map { "\($0) is not in the catalog; scan it first" }
          ?? "no dataset in the catalog; run `dance scan ROOT` or give ROOT"))
    }
    var work: [ScoreWorkItem] = []
    var considered = 0
    for dataset in datasets {
      // Only this dataset's cached scores of the requested indicators (not every indicator of every dataset).
      let cache = Dictionary(grouping: try catalog.scores(of: indicators, datasetId: dataset.id), by: \.sampleKey)
      let labels = try DatasetLabels.cataloged(
        format: dataset.format, root: dataset.root, camvidOverrides: dataset.camvidGrouping, labelSpace: dataset.labelSpace)
      for sample in try catalog.samples(datasetId: dataset.id, status: .ok) {
        let wanted = indicators.filter { indicator in requests.contains { $0.covers(sample.split) && $0.indicators.contains(indicator) } }
        if wanted.isEmpty { continue }
        considered += 1
        var item = ScoreWorkItem(
          sample: sample, root: dataset.root, labels: labels,
          image: fileIdentity(dataset.root + "/" + sample.imagePath),
          label: sample.labelPath.flatMap { fileIdentity(dataset.root + "/" + $0) },
          missing: [])
        let cached = cache[sample.key] ?? []
        item.missing = wanted.filter { indicator in
          let file = indicator.needsImage ? item.image : item.label
          return !cached.contains { $0.indicator == indicator && $0.variant == indicator.variant && $0.file == file }
        }
        if !item.missing.isEmpty { work.append(item) }
      }
    }
    return (work, considered)
  }

  /// Scores `work` on `context.workers` threads, recording the scores and failures in batches of
  /// 64 samples (and what was computed before a stop).
  static func score(
    _ work: [ScoreWorkItem], failFast: Bool, context: StageContext, catalog: Catalog, report: inout ScoreReport
  ) throws {
    let progress = ProgressReporter(label: "score", total: work.count, unit: "images", style: context.progress)
    let decoder = ImageDecoder(options: context.decodeOptions)
    var batch: [ScoreRecord] = []
    var failed: [ScoreFailureRecord] = []
    var succeeded: [SampleKey] = []
    func flush() throws(CatalogError) {
      try catalog.recordScores(batch, failures: failed, succeeded: succeeded)
      batch.removeAll(keepingCapacity: true)
      failed.removeAll()
      succeeded.removeAll()
    }
    do {
      try OrderedParallelMap(workers: context.workers).run(work) { item in
        item.score(decoder: decoder)
      } consume: { _, outcome in
        report.decodedImages += outcome.decodedImage ? 1 : 0
        report.decodedLabels += outcome.decodedLabel ? 1 : 0
        switch outcome.result {
        case .success(let scores):
          batch += scores
          succeeded.append(outcome.sampleKey)
          report.computed += 1
        case .failure(let failure):
          let reason = failure.reason
          if failFast { throw PipelineError.sampleFailed(sample: outcome.sampleKey, reason: reason) }
          failed.append(ScoreFailureRecord(sampleKey: outcome.sampleKey, reason: reason))
          report.failures.append("\(outcome.sampleKey): \(reason)")
        }
        progress.advance()
        FaultInjection.reach("score")
        if succeeded.count + failed.count >= 64 { try flush() }
      }
      try flush()
    } catch {
      try? flush()  // keep what was computed before the stop
      throw error
    }
    if !work.isEmpty { progress.finish() }
  }
}

/// One sample to score and the indicators it lacks.
struct ScoreWorkItem: Sendable {
  var sample: SampleRecord
  var root: String
  var labels: DatasetLabels
  var image: FileIdentity?
  var label: FileIdentity?
  var missing: [Indicator]

  /// Why a sample could not be scored: `"<path>: <reason>"`.
  struct Failure: Error, Sendable {
    var reason: String
  }

  struct Outcome: Sendable {
    var sampleKey: SampleKey
    var result: Result<[ScoreRecord], Failure>
    var decodedImage = false
    var decodedLabel = false
  }

  /// Decodes what the missing indicators need (nothing else) and computes them.
  func score(decoder: ImageDecoder) -> Outcome {
    var outcome = Outcome(sampleKey: sample.key, result: .success([]))
    guard let imageIdentity = image else {
      outcome.result = .failure(Failure(reason: "\(root)/\(sample.imagePath): the image disappeared since the scan"))
      return outcome
    }
    let scorer = ComplexityScorer(indicators: missing)
    var values: [Indicator: Double] = [:]
    var imageSize: (width: Int, height: Int)?
    if missing.contains(where: \.needsImage) {
      do throws(ImageCodecError) {
        let image = try scorer.scoreImage(contentsOf: root + "/" + sample.imagePath, decoder: decoder)
        outcome.decodedImage = true
        values = image.scores
        imageSize = (image.width, image.height)
      } catch {
        outcome.result = .failure(Failure(reason: error.description))
        return outcome
      }
    }
    var trainIds: Image8?
    if missing.contains(where: \.needsLabel) {
      guard let labelPath = sample.labelPath, label != nil else {
        outcome.result = .failure(Failure(reason: "\(root)/\(sample.imagePath): the label disappeared since the scan"))
        return outcome
      }
      do throws(DatasetError) {
        trainIds = try LabelFiles.convert(contentsOf: root + "/" + labelPath, labels: labels, decoder: decoder).labels.image
        outcome.decodedLabel = true
      } catch {
        outcome.result = .failure(Failure(reason: error.description))
        return outcome
      }
    }
    if let imageSize, let trainIds, imageSize.width != trainIds.width || imageSize.height != trainIds.height {
      outcome.result = .failure(Failure(reason: "\(root)/\(sample.labelPath ?? ""): label size differs from the image (changed since the scan)"))
      return outcome
    }
    values.merge(scorer.score(image: nil, trainIds: trainIds)) { image, _ in image }
    outcome.result = .success(missing.compactMap { indicator in
      guard let value = values[indicator], let file = indicator.needsImage ? imageIdentity : label else { return nil }
      return ScoreRecord(sampleKey: sample.key, indicator: indicator, variant: indicator.variant, value: value, file: file)
    })
    return outcome
  }
}

public import Catalog
import DanceCore
public import Datasets
import Foundation
import ImageCodecs

/// The outcome of a scan, as printed by `dance scan` and recorded in the catalog.
public struct ScanReport: Sendable, Codable {
  /// Counts of one split.
  public struct SplitCount: Sendable, Codable, Equatable {
    /// The split name.
    public var split: String
    /// Usable samples.
    public var ok: Int
    /// Samples with problems.
    public var bad: Int

    /// Creates a count.
    public init(split: String, ok: Int, bad: Int) {
      self.split = split
      self.ok = ok
      self.bad = bad
    }
  }

  /// The detected or given format.
  public var format: String
  /// The dataset root as cataloged.
  public var root: String
  /// The catalog file (absolute).
  public var catalog: String
  /// Per split, in train/val/test order.
  public var splits: [SplitCount]
  /// Every problem: layout problems and the reasons of bad samples.
  public var problems: [LayoutProblem]
  /// What changed in the catalog.
  public var changes: ScanChanges
  /// Samples whose files were read in this run.
  public var validated: Int
  /// Samples whose files were unchanged since the last scan, taken from the catalog without reading.
  public var reused: Int
  /// Wall time in seconds.
  public var seconds: Double

  /// Number of samples with problems.
  public var badSamples: Int { splits.map(\.bad).reduce(0, +) }
}

/// Discovers a dataset's samples, validates them on all cores and records them in the catalog.
///
/// A sample whose image and label files have the same paths, sizes and modification times as when
/// it was last cataloged is not read again, so a rescan of an unchanged dataset reads no image and
/// changes no row.
public enum DatasetScanner {
  /// Scans `root` into the open `catalog`: discovers the samples (with `discovery`'s format,
  /// grouping and name), validates the new and changed ones on `context.workers` threads and
  /// records them with the layout's problems in one transaction.
  public static func scan(
    root: String, discovery options: DiscoveryOptions = DiscoveryOptions(), options scanOptions: ScanOptions = ScanOptions(),
    context: StageContext = StageContext(), catalog: Catalog
  ) throws(PipelineError) -> ScanReport {
    let start = Date()
    StageInvocations.record(.scan, catalogPath: catalog.path)
    var discovery = try discover(root, options: options)
    let registered: DatasetRecord?
    do throws(CatalogError) {
      registered = try catalog.dataset(root: discovery.root)
    } catch {
      throw .catalog(error)
    }
    // Without --name, a registered root keeps the name its keys were made with.
    if options.name == nil, let registered, registered.name != discovery.name, let name = DatasetName(registered.name) {
      var named = options
      named.name = name
      discovery = try discover(root, options: named)
    }
    do throws(CatalogError) {
      var scan = try ScanState.reusing(discovery, registered: registered, options: scanOptions, context: context, catalog: catalog)
      scan.validate(discovery, options: scanOptions, context: context)
      let encoding = discovery.samples.first?.labelEncoding
      let datasetRecord = DatasetRecord(
        root: discovery.root, format: discovery.format,
        labelEncoding: encoding?.id ?? "none", labelSpace: encoding == nil ? "none" : discovery.labels.space.id,
        camvidGrouping: options.camvidGrouping.overrides, name: discovery.name)
      // The dataset row is written with the samples, in one transaction (``Catalog/recordScan(of:samples:problems:)``).
      let allRecords = scan.records.compactMap { $0 }
      let layoutProblems = discovery.problems.map { problemRecord($0, datasetId: scan.datasetId) }
      let (_, changes) = try catalog.recordScan(
        of: datasetRecord, samples: allRecords, problems: layoutProblems + scan.sampleProblems.flatMap { $0 })
      try scan.forgetReplacedWarnings(discovery, catalog: catalog)
      return ScanReport(
        format: discovery.format.rawValue, root: discovery.root, catalog: URL(fileURLWithPath: catalog.path).standardizedFileURL.path,
        splits: splitCounts(allRecords), problems: reportedProblems(layoutProblems + scan.sampleProblems.flatMap { $0 }),
        changes: changes, validated: scan.toValidate.count, reused: discovery.samples.count - scan.toValidate.count,
        seconds: Date().timeIntervalSince(start))
    } catch {
      throw .catalog(error)
    }
  }

  /// The samples per split, valid and bad, in split order.
  static func splitCounts(_ records: [SampleRecord]) -> [ScanReport.SplitCount] {
    var counts: [String: ScanReport.SplitCount] = [:]
    for record in records {
      counts[record.split.rawValue, default: .init(split: record.split.rawValue, ok: 0, bad: 0)].ok += record.status == .ok ? 1 : 0
      counts[record.split.rawValue, default: .init(split: record.split.rawValue, ok: 0, bad: 0)].bad += record.status == .bad ? 1 : 0
    }
    return DatasetSplit.allCases.compactMap { counts[$0.rawValue] }
  }

  /// The problems as the report lists them, in the catalog's order.
  static func reportedProblems(_ records: [ProblemRecord]) -> [LayoutProblem] {
    // Every kind is typed: a problem row of a kind this Dance does not know was refused when read.
    records.sorted(by: Catalog.problemOrder).map { record in
      LayoutProblem(record.kind, path: record.path, sampleKey: record.sampleKey, detail: record.detail)
    }
  }

  static func discover(_ root: String, options: DiscoveryOptions) throws(PipelineError) -> Discovery {
    do throws(DatasetError) {
      return try DatasetLayout.discover(root: root, options: options)
    } catch {
      throw .dataset(error)
    }
  }

  static func problemRecord(_ problem: LayoutProblem, datasetId: Int64) -> ProblemRecord {
    ProblemRecord(
      datasetId: datasetId, kind: problem.kind, path: problem.path, sampleKey: problem.sampleKey,
      detail: problem.detail)
  }
}

/// One scan's samples as they are decided: reused from the catalog or read again.
struct ScanState {
  /// The dataset's id (0 for a dataset not cataloged yet).
  var datasetId: Int64
  /// Per discovered sample, its row.
  var records: [SampleRecord?]
  /// Per discovered sample, its problems.
  var sampleProblems: [[ProblemRecord]]
  /// The discovered samples read again (indices).
  var toValidate: [Int] = []
  /// Files a lenient run accepted with warnings (empty for a lenient scan).
  var warned: Set<String>

  /// Decides per sample: reuse the cataloged validation when its files are unchanged (and the
  /// verdict was reached with this strictness), or read the files again.
  static func reusing(
    _ discovery: Discovery, registered: DatasetRecord?, options: ScanOptions, context: StageContext, catalog: Catalog
  ) throws(CatalogError) -> ScanState {
    let datasetId = registered?.id ?? 0
    let previousSamples = try registered == nil ? [] : catalog.samples(datasetId: datasetId)
    let previous = Dictionary(uniqueKeysWithValues: previousSamples.map { ($0.key, $0) })
    let problemsBefore = try registered == nil ? [] : catalog.problems(datasetId: datasetId)
    let previousProblems = Dictionary(grouping: problemsBefore.filter { $0.sampleKey != nil }) { $0.sampleKey! }
    // A verdict depends on the strictness it was reached with: a lenient scan reads the samples a
    // strict one found bad again, a strict scan those a lenient run accepted with warnings.
    let lenient = context.decodeOptions.strictness == .lenient
    let warned = lenient ? [] : Set(try catalog.decodeWarnings().map(\.path))
    func reusable(_ old: SampleRecord, _ sample: DiscoveredSample) -> Bool {
      if lenient { return old.status == .ok }
      return !warned.contains(discovery.root + "/" + sample.imagePath)
        && !(sample.labelPath.map { warned.contains(discovery.root + "/" + $0) } ?? false)
    }
    var state = ScanState(
      datasetId: datasetId, records: .init(repeating: nil, count: discovery.samples.count),
      sampleProblems: .init(repeating: [], count: discovery.samples.count), warned: warned)
    for (index, sample) in discovery.samples.enumerated() {
      let image = fileIdentity(discovery.root + "/" + sample.imagePath)
      let label = sample.labelPath.flatMap { fileIdentity(discovery.root + "/" + $0) }
      if !options.verifyImages, let old = previous[sample.key], old.imagePath == sample.imagePath,
        old.labelPath == sample.labelPath, old.imageIdentity == image, old.labelIdentity == label, reusable(old, sample)
      {
        state.records[index] = old
        state.sampleProblems[index] = previousProblems[sample.key] ?? []
      } else {
        state.toValidate.append(index)
        state.records[index] = SampleRecord(
          key: sample.key, datasetId: datasetId, split: sample.split, imagePath: sample.imagePath,
          labelPath: sample.labelPath, width: nil, height: nil, image: image, label: label, status: .ok, error: nil)
      }
    }
    return state
  }

  /// Reads the samples to validate on `context.workers` threads and records each verdict.
  mutating func validate(_ discovery: Discovery, options: ScanOptions, context: StageContext) {
    let validator = SampleValidator(decoder: ImageDecoder(options: context.decodeOptions), verifiesImages: options.verifyImages)
    let progress = ProgressReporter(label: "scan", total: toValidate.count, style: context.progress)
    let samples = discovery.samples
    let root = discovery.root
    let toValidate = toValidate
    let datasetId = datasetId
    var records = records, sampleProblems = sampleProblems
    OrderedParallelMap(workers: context.workers).run(toValidate) { index in
      validator.validate(samples[index], root: root)
    } consume: { position, validation in
      let index = toValidate[position]
      records[index]?.width = validation.width
      records[index]?.height = validation.height
      records[index]?.status = validation.isValid ? .ok : .bad
      records[index]?.error = validation.isValid ? nil : validation.problems.map(\.detail).joined(separator: "; ")
      sampleProblems[index] = validation.problems.map { DatasetScanner.problemRecord($0, datasetId: datasetId) }
      progress.advance()
    }
    if !toValidate.isEmpty { progress.finish() }
    self.records = records
    self.sampleProblems = sampleProblems
  }

  /// Read again strictly: the strict verdict replaces the lenient warnings of the files read.
  func forgetReplacedWarnings(_ discovery: Discovery, catalog: Catalog) throws(CatalogError) {
    guard !warned.isEmpty else { return }
    let validated = toValidate.flatMap { index in
      [discovery.samples[index].imagePath] + (discovery.samples[index].labelPath.map { [$0] } ?? [])
    }.map { discovery.root + "/" + $0 }
    try catalog.forgetDecodeWarnings(paths: validated.filter(warned.contains))
  }
}

/// Size and modification time of a file (following symlinks), or `nil` when it cannot be stat'ed.
func fileIdentity(_ path: String) -> FileIdentity? {
  var info = stat()
  guard stat(path, &info) == 0 else { return nil }
  return FileIdentity(
    bytes: Int64(info.st_size),
    modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
}

import DanceCore
import ArgumentParser
import Catalog
import Datasets
import Foundation
import Pipeline
import Runner

extension Dance {
  /// `dance scan ROOT`: discover, validate and catalog a dataset's samples.
  struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Discover and validate a dataset's samples and record them in the catalog.",
      discussion: """
        Checks every sample: missing partner file, image/label size mismatch, undecodable files, \
        label values outside the label space (counted per value), duplicate keys, stray files, \
        symbolic-link loops and unreadable entries. Images are checked from their headers unless \
        --verify-images is given; labels are always decoded. Unchanged files (same size and \
        modification time) are not read again on a rescan. Exits with 3 when some samples are bad. \
        A generic dataset (images/<split>/…, masks/<split>/… and classes.yaml at the root) is read \
        through its classes.yaml: each class's id, name and colour, and the ignore value; masks are \
        index PNGs (ids) or colour PNGs (colours), chosen per file.
        """
    )

    @Argument(help: "The dataset root (Cityscapes, CamVid, ADE20K, Pascal VOC or generic layout).")
    var root: String

    @OptionGroup var catalog: CatalogOptions<WritesCatalog>
    @OptionGroup var layout: LayoutOptions
    @OptionGroup var strictness: StrictnessOptions

    @Flag(help: "Decode every image fully (slower; catches corrupt pixel data, not only bad headers).")
    var verifyImages = false

    @Option(parsing: .unconditional, help: "Worker threads, \(Settings.workers.helpRange). Default: all cores.")
    var workers: Int?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(parsing: .unconditional, help: "Problems listed in the text report at most (all are in the catalog and in --json).")
    var maxProblems = 40

    func validate() throws {
      try Settings.workers.check(workers)
      try Settings.maxProblems.check(maxProblems)
    }

    func run() throws {
      let warnings = DecodeWarningLog()
      var options = ScanOptions()
      options.verifyImages = verifyImages
      let discovery = try layout.discoveryOptions()
      let context = StageContext(workers: workers, progress: json ? .silent : .automatic, decodeOptions: strictness.decodeOptions(log: warnings))
      let report = try PipelineRunner.scan(root: root, catalogPath: catalog.path, discovery: discovery, options: options, context: context)
      warnings.record(inCatalog: catalog.path, command: "scan")
      if json {
        try printJSON(report)
      } else {
        print(ScanReportText(report: report, maxProblems: maxProblems).text)
      }
      if report.badSamples > 0 { throw ExitCode(ExitStatus.partialFailure) }
    }
  }
}

/// The text form of a scan report.
struct ScanReportText {
  var report: ScanReport
  var maxProblems: Int

  var text: String {
    var lines = ["\(report.format) dataset at \(report.root.escapingControlCharacters)", ""]
    lines.append(formatTable([["split", "ok", "bad"]] + report.splits.map { [$0.split, "\($0.ok)", "\($0.bad)"] }))
    if !report.problems.isEmpty {
      lines.append("")
      let byKind = Dictionary(grouping: report.problems, by: \.kind).sorted { $0.key.rawValue < $1.key.rawValue }
      lines.append("problems: " + byKind.map { "\($0.value.count) \($0.key.rawValue)" }.joined(separator: ", "))
      for problem in report.problems.prefix(maxProblems) {
        lines.append("  \(problem.kind.rawValue): \(problem.path.escapingControlCharacters): \(problem.detail.escapingControlCharacters)")
      }
      if report.problems.count > maxProblems {
        lines.append("  … and \(report.problems.count - maxProblems) more (all are in the catalog; see --json)")
      }
    }
    let changes = report.changes
    lines.append("")
    lines.append(
      "catalog \(report.catalog.escapingControlCharacters): \(changes.inserted) new, \(changes.updated) changed, \(changes.deleted) removed, "
        + "\(changes.unchanged) unchanged; \(counted(report.validated, "sample")) read, \(counted(report.reused, "unchanged file")) skipped; "
        + String(format: "%.2f s", report.seconds))
    return lines.joined(separator: "\n")
  }
}

import ArgumentParser
import Complexity
import DanceCore
import Foundation
import ImageCodecs
import Pipeline
import Runner

extension Dance {
  /// `dance score [ROOT]`: compute complexity indicators for every valid sample, cached in the catalog.
  struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Score every valid sample's spatial complexity (streaming, all cores, cached in the catalog).",
      discussion: """
        With ROOT the dataset is scanned first (unchanged files are not read again); without it every \
        dataset already in the catalog is scored. Values are cached by file identity (size and \
        modification time) and indicator variant, so a rerun over unchanged files decodes nothing. \
        A sample that fails is recorded in the catalog with its reason and the run goes on (exit \
        code 3) unless --fail-fast; samples the scan found invalid are left out, counted with their \
        reasons on standard error, and also end the run with 3.
        Indicators: \(Indicator.allCases.map(\.rawValue).joined(separator: ", ")). The default set \
        leaves out the slower edge-density and jpeg-bpp; --indicators all computes everything.
        """
    )

    @Argument(help: "The dataset root (optional: without it, every dataset in the catalog).")
    var root: String?

    @OptionGroup var catalog: CatalogOptions<WritesCatalog>
    @OptionGroup var layout: LayoutOptions
    @OptionGroup var strictness: StrictnessOptions

    @Option(help: ArgumentHelp(
      "Comma-separated indicator ids, 'default' or 'all'. (default: \(Indicator.defaultSet.map(\.rawValue).joined(separator: ",")))",
      valueName: "list"))
    var indicators: String?

    @Option(help: "Comma-separated splits to score (train, val, test). Default: all.")
    var splits: String?

    @Option(parsing: .unconditional, help: "Worker threads, \(Settings.workers.helpRange). Default: all cores.")
    var workers: Int?

    @Flag(help: "Stop at the first sample that fails (exit 1) instead of recording it and going on.")
    var failFast = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    /// The settings the flags give.
    func makeOptions() throws -> ScoreOptions {
      ScoreOptions(
        indicators: try indicators.map(Indicator.parseList) ?? Indicator.defaultSet, splits: try splits.map { try parseSplits($0, option: "--splits") },
        failFast: failFast)
    }

    func validate() throws {
      try Settings.workers.check(workers)
      _ = try makeOptions()
    }

    func run() throws {
      let warnings = DecodeWarningLog()
      let options = try makeOptions(), discovery = try layout.discoveryOptions()
      let context = StageContext(workers: workers, progress: json ? .silent : .automatic, decodeOptions: strictness.decodeOptions(log: warnings))
      let report = try PipelineRunner.score(root: root, catalogPath: catalog.path, discovery: discovery, options: options, context: context)
      warnings.record(inCatalog: catalog.path, command: "score")
      if json {
        try printJSON(report)
      } else {
        for failure in report.failures.prefix(20) { printError(failure) }
        print(
          "\(counted(report.samples, "sample")): \(report.computed) scored, \(report.cached) already cached, "
            + "\(report.failures.count) failed; decoded \(counted(report.decodedImages, "image")) and \(counted(report.decodedLabels, "label")); "
            + String(format: "%.2f s", report.seconds))
        print("indicators: " + report.indicators.joined(separator: ", "))
      }
      printLeftOut(report.leftOut)
      if !report.failures.isEmpty || !report.leftOut.isEmpty { throw ExitCode(ExitStatus.partialFailure) }
    }
  }
}

extension Indicator {
  /// Parses `default`, `all` or a comma-separated list of ids.
  static func parseList(_ text: String) throws -> [Indicator] {
    switch text {
    case "default": return Indicator.defaultSet
    case "all": return Indicator.allCases
    default:
      return try text.split(separator: ",").map { try parse(String($0).trimmingCharacters(in: .whitespaces)) }
    }
  }

  /// Parses one indicator id; an unknown one is a usage error that lists the known ids.
  static func parse(_ id: String) throws -> Indicator {
    guard let indicator = Indicator(rawValue: id) else {
      throw ValidationError("unknown indicator '\(id)'; known: \(Indicator.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return indicator
  }
}

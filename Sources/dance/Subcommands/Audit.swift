import ArgumentParser
import Audit
import Catalog
import Complexity
import DanceCore
import Foundation
import Pipeline

extension Dance {
  /// `dance audit`: the complexity distribution of the cataloged datasets.
  struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Report the complexity distribution: one self-contained HTML page, or JSON / CSV.",
      discussion: """
        Reads the scores of `dance score` from the catalog: per split and indicator the histogram \
        (with the default quantile policy's cut-offs on the ranking indicator), the CDF and \
        quantiles, the correlation between indicators, each split's pixel share per class (read \
        from at most 256 label files per split), and the least and most complex training images \
        beside their label's colour overlay and a legend of the class colours, and a sample browser: \
        every training sample in a table sortable by any column and filterable by key and decision, \
        its image and label overlay shown on a click (read from the dataset's files on this machine). \
        The HTML needs no network access.
        """
    )

    @OptionGroup var catalog: CatalogOptions<ReadsCatalog>

    @Option(help: ArgumentHelp("Write the HTML report to this file.", valueName: "file"))
    var html: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Print one CSV row per sample (key, split, one column per indicator).")
    var csv = false

    @Option(help: "The indicator that ranks the least and most complex images.")
    var rankBy = AuditData.defaultRanking.rawValue

    @Option(parsing: .unconditional, help: "How many least and how many most complex training images to show, \(Settings.extremes.helpRange).")
    var extremes = AuditData.defaultExtremes

    func validate() throws {
      if [html != nil, json, csv].filter({ $0 }).count != 1 { throw ValidationError("give exactly one of --html FILE, --json, --csv") }
      _ = try Indicator.parse(rankBy)
      try Settings.extremes.check(extremes)
    }

    func run() throws {
      let data = try AuditData.gather(
        catalog: try Catalog(path: catalog.path, access: .readOnly), ranking: try Indicator.parse(rankBy), extremes: extremes)
      if data.table.isEmpty {
        printError("\(catalog.path): no scores yet; run `dance score ROOT` first")
        throw ExitCode(ExitStatus.failure)
      }
      if let html {
        do {
          try Data(AuditHTML.render(data).utf8).write(to: URL(fileURLWithPath: html))
        } catch {
          printError("\(html): cannot write the report: \(FileSystemFailure.reason(of: error))")
          throw ExitCode(ExitStatus.failure)
        }
        print("audit of \(counted(data.table.count, "sample")) written to \(html.escapingControlCharacters)")
      } else if json {
        try printJSON(data)
      } else {
        print(data.csv, terminator: "")
      }
    }
  }
}

import DanceCore
import ArgumentParser
import Foundation
import Pipeline
import OutputStore

extension Dance {
  /// `dance verify DIR`: check a slimmed dataset's shards against the catalog.
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Re-read every shard of an output directory and check it against its manifest.",
      discussion: """
        Checks each shard's size, SHA-256 and sample count against OUT/manifest.json (so it works on \
        a copied or moved output, without a catalog), that every member decodes (image, 8-bit \
        one-channel label, Dance's sample metadata), that each sample's members agree (the json \
        member names the sample's key and split, gives its image's size, a positive loss weight and a \
        scale in (0, 1]; the label map has the image's size), and that shardindex.json and the DALI .idx files describe the \
        shards. It also checks that the manifest's configuration and dataset blocks still match their \
        SHA-256, that every path it names stays in its split folder (otherwise the manifest is refused), \
        and that each shard is a regular file, not a link. With --catalog (or $DANCE_CATALOG) it also \
        cross-checks the catalog's shard rows and every member's offset and size; the catalog is opened \
        read-only, never created or changed. Prints one line per mismatch and exits with 1 if there is any.
        """
    )

    @Argument(help: "The output directory of `dance slim`.")
    var directory: String

    @OptionGroup var catalog: CatalogOptions<ReadsCatalog>

    @Option(parsing: .unconditional, help: "Worker threads, \(Settings.workers.helpRange). Default: all cores.")
    var workers: Int?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws { try Settings.workers.check(workers) }

    func run() throws {
      let report = try ShardVerifier.verify(
        output: directory, catalogPath: catalogToCrossCheck(), workers: workers, progress: json ? .silent : .automatic)
      if json {
        try printJSON(report)
      } else {
        print(VerifyReportText.render(report))
      }
      if !report.problems.isEmpty { throw ExitCode(ExitStatus.failure) }
    }

    /// The catalog given with --catalog or $DANCE_CATALOG; for an output without a manifest
    /// (written before manifests existed), the default catalog when it exists.
    private func catalogToCrossCheck() -> String? {
      if let given = catalog.explicitPath ?? ProcessInfo.processInfo.environment["DANCE_CATALOG"] { return given }
      let hasManifest = !((try? OutputManifest.all(in: directory)) ?? []).isEmpty
      return !hasManifest && FileManager.default.fileExists(atPath: catalog.path) ? catalog.path : nil
    }
  }
}

/// A verify report for people: one line per problem, then the counts (`dance verify` and the
/// verify stage of `dance run`).
enum VerifyReportText {
  static func render(_ report: VerifyReport) -> String {
    let problems = report.problems.map { "\($0.path): \($0.reason)".escapingControlCharacters }
    let summary = "\(counted(report.shards, "shard")), \(counted(report.samples, "sample")), \(counted(report.members, "member")) checked: "
      + (report.problems.isEmpty ? "all consistent" : counted(report.problems.count, "problem"))
    return (problems + [summary]).joined(separator: "\n")
  }
}

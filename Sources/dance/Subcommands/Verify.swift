import ArgumentParser
import Foundation
import Pipeline

extension Dance {
  /// `dance verify DIR`: check a slimmed dataset's shards against the catalog.
  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Re-read every shard of an output directory and check it against the catalog.",
      discussion: """
        Checks each shard's size and SHA-256, every member's offset and size, that every member \
        decodes (image, 8-bit one-channel label, JSON), and that shardindex.json and the DALI .idx \
        files describe the shards. Prints one line per mismatch and exits with 1 if there is any.
        """
    )

    @Argument(help: "The output directory of `dance slim`.")
    var directory: String

    @OptionGroup var catalog: CatalogOptions

    @Option(parsing: .unconditional, help: "Worker threads, \(Settings.workers.helpRange). Default: all cores.")
    var workers: Int?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws { try Settings.workers.check(workers) }

    func run() async throws {
      let report = try runJob { () throws(PipelineError) in try ShardVerifier.verify(output: directory, catalogPath: catalog.path, workers: workers) }
      if json {
        try printJSON(report)
      } else {
        for problem in report.problems { print("\(problem.path): \(problem.reason)".escapingControlCharacters) }
        print(
          "\(report.shards) shards, \(report.samples) samples, \(report.members) members checked: "
            + (report.problems.isEmpty ? "all consistent" : "\(report.problems.count) problems"))
      }
      if !report.problems.isEmpty { throw ExitCode(ExitStatus.failure) }
    }
  }
}

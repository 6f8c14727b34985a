import DanceCore
import ArgumentParser
import Catalog
import Foundation
import Pipeline

/// `dance catalog …`: operations on catalog files.
struct CatalogCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "catalog",
    abstract: "Operations on catalog files.",
    subcommands: [Merge.self]
  )

  /// `dance catalog merge PARTS… -o OUT`.
  struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Join partition catalogs (from `dance slim --partition i/N`) into one.",
      discussion: """
        Samples, scores and plans must agree where parts overlap and shards must not overlap; \
        otherwise nothing is written and the offending part is named. Rewrites each output's \
        shardindex.json to list every partition's shards. The parts are opened read-only; the merged \
        catalog may not be one of them, and parts lying outside the output they record (a copied \
        output) are refused (exit 2), since that output's index is not theirs to rewrite.
        """
    )

    @Argument(help: "The partition catalogs (OUT/catalog.partIofN.sqlite).")
    var parts: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("The merged catalog (created if missing).", valueName: "catalog"))
    var output: String

    func run() throws {
      let report = try CatalogMerger.merge(parts: parts, into: output)
      print("merged \(counted(report.parts, "catalog")) into \(output): \(counted(report.samples, "sample")), \(counted(report.shards, "shard"))"
        .escapingControlCharacters)
      for merged in report.outputs {
        let missing = merged.missing.map(\.description).joined(separator: ", ")
        print(("  \(merged.output): " + (missing.isEmpty ? "all partitions present" : "missing partitions \(missing)")).escapingControlCharacters)
      }
    }
  }
}

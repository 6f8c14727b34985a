import ArgumentParser
import Catalog
import DanceCore
import Foundation
import Pipeline

/// `dance catalog …`: operations on catalog files.
struct CatalogCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "catalog",
    abstract: "Operations on catalog files: list what one holds, forget an output, compact it, merge partitions.",
    subcommands: [List.self, Forget.self, Vacuum.self, Merge.self]
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

  /// `dance catalog list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show the datasets (with their valid samples per split, bad samples and scores) and the outputs (with their plans, shards and failures) a catalog records.",
      discussion: "The catalog is opened read-only and never created.")

    @OptionGroup var catalog: CatalogOptions<ReadsCatalog>

    @Flag(help: "Print JSON: path, bytes, datasets (name, format, root, label_space, valid, bad, scores), outputs.")
    var json = false

    func run() throws {
      let summary = try Catalog(path: catalog.path, access: .readOnly).summary()
      if json { return try printJSON(summary) }
      print("catalog \(summary.path): \(formatBytes(summary.bytes)), \(counted(summary.datasets.count, "dataset")), \(counted(summary.outputs.count, "output"))")
      let splits = DatasetSplit.allCases.map(\.rawValue)
      print(formatTable([["dataset", "format", "label space"] + splits + ["bad", "scores", "root"]] + summary.datasets.map { dataset in
        [dataset.name, dataset.format.rawValue, dataset.labelSpace] + splits.map { "\(dataset.valid[$0] ?? 0)" }
          + ["\(dataset.bad)", "\(dataset.scores)", dataset.root]
      }))
      guard !summary.outputs.isEmpty else { return print("no outputs") }
      print(formatTable([["output", "part", "complete", "plans", "kept", "shards", "samples", "size", "failures"]] + summary.outputs.map { output in
        [output.directory + (output.dryRun ? " (dry run)" : ""), output.partition ?? "-", output.complete ? "yes" : "no", "\(output.plans)",
         "\(output.kept)", "\(output.shards)", "\(output.shardSamples)", formatBytes(output.bytes), "\(output.failures)"]
      }))
    }
  }

  /// `dance catalog forget OUTPUT`.
  struct Forget: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Remove an output's rows from the catalog: never a file.",
      discussion: """
        Removes the output's record with its plans, decisions, shards, members and failures, for the \
        whole directory, each of its partitions and its dry run. The output's files (shards, manifest, \
        sidecars) stay as they are; `dance verify OUT` still checks them against OUT/manifest.json, and \
        `dance train OUT` reads them without the catalog. A catalog that records no such output exits with 2.
        """)

    @Argument(help: "The output directory, as `dance catalog list` shows it (a relative path is taken from here).")
    var output: String

    @OptionGroup var catalog: CatalogOptions<ChangesCatalog>

    func run() throws {
      let directory = absolutePath(output)
      let forgotten = try Catalog(path: catalog.path, access: .existing).forgetOutputs(directory: directory)
      guard !forgotten.outputs.isEmpty else {
        throw ValidationError("\(catalog.path) records no output \(directory); dance catalog list shows the outputs")
      }
      let counts = [
        counted(forgotten.plans, "plan"), counted(forgotten.decisions, "decision"), counted(forgotten.shards, "shard"),
        counted(forgotten.members, "member"), counted(forgotten.failures, "failure"),
      ]
      print(("forgot \(forgotten.outputs.map(\.description).joined(separator: ", ")): \(counts.joined(separator: ", ")); "
        + "no file was touched").escapingControlCharacters)
    }
  }

  /// `dance catalog vacuum`.
  struct Vacuum: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Compact the catalog file (SQLite's VACUUM, then the write-ahead log checkpointed and truncated).",
      discussion: "Worth running after forgetting outputs or rescanning datasets; no other process may use the catalog meanwhile.")

    @OptionGroup var catalog: CatalogOptions<ChangesCatalog>

    func run() throws {
      let (before, after) = try Catalog(path: catalog.path, access: .existing).vacuum()
      print("vacuumed \(catalog.path.escapingControlCharacters): \(formatBytes(before)) → \(formatBytes(after))")
    }
  }
}

/// `812 kB`, `3.4 MB`: bytes in powers of 1000.
func formatBytes(_ bytes: Int) -> String {
  if bytes < 1000 { return "\(bytes) B" }
  if bytes < 1_000_000 { return String(format: "%.0f kB", Double(bytes) / 1e3) }
  return String(format: "%.1f MB", Double(bytes) / 1e6)
}

import ArgumentParser
import Foundation
import Pipeline

/// `dance export …`: a slimmed output in the formats other trainers read.
struct ExportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a slimmed output in a format other trainers read.",
    subcommands: [MDS.self]
  )

  /// `dance export mds OUT --to DIR`.
  struct MDS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "mds",
      abstract: "MosaicML Streaming (MDS) datasets, one per split in DIR/<split>/.",
      discussion: """
        Columns: image (png or jpeg, the stored file's bytes), key (str), mask (png, 8-bit train \
        ids, 255 = ignore), scale and weight (float32, from each sample's json member). Every \
        shard is checked against OUT/manifest.json first. Read it with \
        StreamingDataset(local="DIR", split="train"). DIR must be new or empty.
        """
    )

    @Argument(help: "The output directory of `dance slim`.")
    var output: String

    @Option(help: ArgumentHelp("The destination directory (new or empty).", valueName: "dir"))
    var to: String

    @Option(help: ArgumentHelp("Roll over to a new .mds file before one would exceed this many bytes (1 to 4294967295).", valueName: "bytes"))
    var shardSize = 1 << 26

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
      if !(1..<(1 << 32)).contains(shardSize) { throw ValidationError("--shard-size must be 1 to 4294967295 bytes") }
    }

    func run() async throws {
      let report = try runJob { () throws(PipelineError) in try MDSExport.run(output: output, to: to, sizeLimit: shardSize) }
      if json {
        try printJSON(report)
      } else {
        for split in report.splits {
          print("\(split.split): \(split.samples) samples in \(split.shards) shards (image: \(split.imageEncoding)) → \(report.destination)/\(split.split)")
        }
      }
    }
  }
}

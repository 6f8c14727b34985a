import ArgumentParser
import DanceCore
import Foundation
import Datasets
import Pipeline
import OutputStore
import Shards

/// `dance export …`: a slimmed output in the formats other trainers read.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a slimmed output in a format other trainers read.",
    subcommands: [Folder.self, MDS.self]
  )

  /// `dance export folder OUT --to DIR [--layout F]`.
  struct Folder: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The slimmed samples in their dataset's own folder layout, at their stored size.",
      discussion: """
        Cityscapes: leftImg8bit/<split>/<city>/*_leftImg8bit.png and gtFine/…/*_gtFine_labelTrainIds.png \
        (train ids, 255 = ignore). CamVid: the SegNet layout <split>/*.png and <split>annot/*.png (11 = \
        void). ADE20K: images/<training|validation>/ and annotations/… (0 = other). Pascal VOC: \
        JPEGImages/, SegmentationClass/ (255 = void) and ImageSets/Segmentation/<split>.txt. Generic: \
        images/<split>/ and masks/<split>/ holding train ids, with a classes.yaml whose ids are those train \
        ids (ignore 255). DIR/weights.csv \
        lists key, split, image, label, scale and loss weight per sample. `dance scan DIR` reads it \
        back; MMSegmentation's dataset classes read the layout as it is. DIR must be a new or empty \
        directory. Every file is written under a temporary name and renamed, and DIR/.dance-export.json \
        says the export is complete only once weights.csv is in place: scan and train refuse an unfinished \
        export, a failed one removes what it wrote, and a rerun replaces what an unfinished one left.
        """
    )

    @Argument(help: "The output directory of `dance slim`.")
    var output: String

    @Option(help: ArgumentHelp("The destination directory (new or empty).", valueName: "dir"))
    var to: String

    @Option(help: "The layout: cityscapes, camvid, ade20k, voc or generic. Default: the one the output was made from (the only one its labels fit).")
    var layout: DatasetFormat?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
      let report = try FolderExport.run(output: output, layout: layout, to: to, progress: json ? .silent : .automatic)
      if json {
        try printJSON(report)
      } else {
        let counts = report.splits.map { "\($0.split) \(counted($0.samples, "sample"))" }.joined(separator: ", ")
        print("\(report.layout) layout in \(report.destination): \(counts); weights in \(report.destination)/weights.csv")
      }
    }
  }

  /// `dance export mds OUT --to DIR`.
  struct MDS: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "mds",
      abstract: "MosaicML Streaming (MDS) datasets, one per split in DIR/<split>/.",
      discussion: """
        Columns: image (png or jpeg, the stored file's bytes), key (str), mask (png, 8-bit train \
        ids, 255 = ignore), scale and weight (float32, from each sample's json member). Every \
        shard is checked against OUT/manifest.json first. Read it with \
        StreamingDataset(local="DIR", split="train"). DIR must be a new or empty directory; a failed \
        export removes what it wrote, and a rerun replaces what an unfinished one left.
        """
    )

    @Argument(help: "The output directory of `dance slim`.")
    var output: String

    @Option(help: ArgumentHelp("The destination directory (new or empty).", valueName: "dir"))
    var to: String

    @Option(parsing: .unconditional, help: ArgumentHelp(
      "Roll over to a new .mds file before one would exceed this size: bytes, or with a unit (64MiB, 1GiB), "
        + "\(Settings.mdsShardSize.helpRange). (default: \(ByteSize.format(MDSWriter.defaultSizeLimit)))",
      discussion: "No shard exceeds it: a sample too large for a shard of its own is refused (exit 2).",
      valueName: "size"))
    var shardSize: ByteCount?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws { try Settings.mdsShardSize.check(shardSize?.bytes) }

    func run() throws {
      let report = try MDSExport.run(
        output: output, to: to, sizeLimit: shardSize?.bytes ?? MDSWriter.defaultSizeLimit, progress: json ? .silent : .automatic)
      if json {
        try printJSON(report)
      } else {
        for split in report.splits {
          print("\(split.split): \(counted(split.samples, "sample")) in \(counted(split.shards, "shard")) (image: \(split.imageEncoding)) → \(report.destination)/\(split.split)")
        }
      }
    }
  }
}

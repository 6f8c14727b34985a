import ArgumentParser
import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Pipeline

extension Dance {
  /// `dance label`: convert label files to train ids.
  struct Label: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Convert label files to the training label space (8-bit gray PNG, 255 = ignore).",
      usage: """
        dance label FILE --format F -o OUT.png
        dance label --all ROOT [--format F]
        """,
      discussion: """
        Cityscapes label ids go through the id → trainId table (an existing _labelTrainIds.png is \
        kept as it is; --all never replaces one), CamVid SegNet void (11) becomes 255, CamVid 32-colour labels are grouped \
        into the 11 SegNet classes, ADE20K is reduced (0 → 255, 1…150 → 0…149), Pascal VOC keeps its \
        indices (255 = void), a generic dataset's masks go through its classes.yaml (for FILE, the nearest \
        one in the file's folder or above; ids or colours to train ids). Values outside the \
        label space become 255 and are reported. With FILE, -o must be a new file: it is never the \
        input and never replaces an existing file (exit 2).
        """
    )

    @Argument(help: "The label file to convert (omit with --all).")
    var file: String?

    @Option(name: .shortAndLong, help: "Where to write the train-id PNG (with FILE).")
    var output: String?

    @Option(
      help: ArgumentHelp(
        "Convert every label of the dataset at this root, writing <label>_labelTrainIds.png next to each.",
        valueName: "root"))
    var all: String?

    @OptionGroup var layout: LayoutOptions

    @Option(parsing: .unconditional, help: "Worker threads for --all, \(Settings.workers.helpRange). Default: all cores.")
    var workers: Int?

    func validate() throws {
      if all == nil && (file == nil || output == nil) { throw ValidationError("give FILE with -o OUT.png, or --all ROOT") }
      if all != nil && (file != nil || output != nil) { throw ValidationError("--all takes no FILE and no -o") }
      if all == nil && layout.format == nil { throw ValidationError("--format is required with FILE") }
      try Settings.workers.check(workers)
    }

    func run() throws {
      if let root = all {
        let options = try layout.discoveryOptions()
        let report = try LabelExporter.run(root: root, options: options, workers: workers)
        for failure in report.failures { printError(failure) }
        for path in report.withUnknownValues { printError("\(path): values outside the label space were set to 255") }
        print("\(counted(report.written, "train-id label file")) written, \(report.skipped) already in train ids, "
          + "\(report.kept) kept (their _labelTrainIds.png already existed), \(report.failures.count) failed")
        if !report.failures.isEmpty { throw ExitCode(ExitStatus.partialFailure) }
        return
      }
      guard let file, let output, let format = layout.format else { return }
      try checkNewFile(output, input: file)
      do {
        let datasetLabels = try DatasetLabels.forLabelFile(
          at: file, format: format, camvidGrouping: try layout.discoveryOptions().camvidGrouping)
        let (labels, encoding) = try LabelFiles.convert(contentsOf: file, labels: datasetLabels)
        try Data(try LabelFiles.encode(labels.image)).write(to: URL(fileURLWithPath: output), options: .withoutOverwriting)
        if !labels.unknownValues.isEmpty {
          let values = labels.unknownValues.keys.sorted().map(String.init).joined(separator: ", ")
          printError("\(file): values outside \(encoding.id) set to 255: \(values)")
        }
        print("\(file) (\(encoding.id)) → \(output): \(labels.image.width)×\(labels.image.height), \(encoding.space.id)".escapingControlCharacters)
      } catch let error as DatasetError {
        throw RunFailure(underlying: error)
      } catch where FileSystemFailure.isFileSystemError(error) {
        printError("\(output): cannot write the file: \(FileSystemFailure.reason(of: error))")
        throw ExitCode(ExitStatus.failure)
      }
    }

    /// Refuses (exit 2) an output that is the input or an existing file: `dance label` writes only
    /// new files, so it never destroys a label it did not write.
    private func checkNewFile(_ output: String, input: String) throws {
      if OutputGuard.relation(of: output, to: input) == "is" {
        throw ValidationError("-o \(output) is the input file itself; write the train ids to a new file")
      }
      if OutputGuard.pathExists(output) {
        throw ValidationError("-o \(output) already exists; dance label never replaces a file: remove it or choose another name")
      }
    }
  }
}

import ArgumentParser
import DanceCore
import Datasets
import Experiment
import Foundation
import NN
import Synthetic
import Trainer

/// `dance experiment`: does DANCE save training and inference cost at equal accuracy, and does it
/// beat simpler ways of saving the same cost?
struct ExperimentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "experiment",
    abstract: "Train baseline, DANCE and its controls on one dataset and compare cost and accuracy.",
    discussion: """
      Runs, each with --seeds seeds (1 with --quick, which runs baseline and dance only): baseline (full data, full \
      network); dance (budget-policy data with loss weights, the head matched to the data and progressively \
      slimmed); data-only (dance's data, full network); net-only (full data, dance's network treatment); uniform \
      (every sample downsampled by √budget, no weights); random (dance's scales in random order, no weights); short \
      (full data for the epochs that cost dance's training FLOPs); and an indicator ablation (dance's data ranked by \
      si-mean, si, edge-density, jpeg-bpp and fidelity@0.5; full network; one seed). Every run validates on DATA's \
      val split at full resolution. Each run lives in DIR/<name>-seed<k>/; a rerun skips finished runs and resumes \
      an interrupted one. Writes DIR/experiment.json and DIR/experiment.html (the table and learning curves).
      """)

  @Argument(help: ArgumentHelp("A dataset root (Cityscapes, CamVid or ADE20K layout). Default: synthesise one in DIR/data.", valueName: "data"))
  var data: String?

  @Option(help: ArgumentHelp("The experiment directory.", valueName: "dir"))
  var out: String

  @Option(parsing: .unconditional, help: "The pixel budget of the slimmed data: the fraction of the training pixels kept, in (0, 1).")
  var budget = 0.5

  @Option(parsing: .unconditional, help: "Training epochs of each run (short: fewer). (default: 30, 12 with --quick)")
  var epochs: Int?

  @Option(parsing: .unconditional, help: "Seeds per run (the ablation uses one).")
  var seeds = 3

  @Option(parsing: .unconditional, help: "The fraction of the head's and decoder's channels each pruning of a slimmed network removes, in [0, 1).")
  var pruneFraction = 0.3

  @Flag(help: "Baseline and dance only, one seed: a few minutes on 2 cores.")
  var quick = false

  @Flag(help: "Print DIR/experiment.json instead of the table.")
  var json = false

  @Option(parsing: .unconditional, help: "Width multiplier of the network. (default: 0.5)")
  var width: Double?

  @Option(parsing: .unconditional, help: "Threads of the compute engine. (default: all cores)")
  var threads: Int?

  func validate() throws {
    if let problem = makeOptions().problem { throw ValidationError(problem) }
  }

  private func makeOptions() -> ExperimentOptions {
    var options = ExperimentOptions()
    options.budget = budget
    options.epochs = epochs ?? (quick ? 12 : 30)
    options.seeds = seeds
    options.quick = quick
    options.pruneFraction = pruneFraction
    if let width { options.training.model.widthMultiplier = width }
    options.training.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
    return options
  }

  func run() throws {
    let directory = URL(fileURLWithPath: out).standardizedFileURL.path
    let options = makeOptions()
    let root = try data ?? synthesise(into: directory + "/data", quick: quick)
    let runner = ExperimentRunner(directory: directory, dataRoot: root, options: options, log: { printNow($0) })
    let results: [ExperimentRunResult]
    do throws(ExperimentError) { results = try runner.run() } catch {
      throw error
    }
    let summary = ExperimentSummary(results, options: options)
    let report = try prettyJSON(summary)
    try report.write(to: URL(fileURLWithPath: directory + "/experiment.json"), options: .atomic)
    try Data(summary.html.utf8).write(to: URL(fileURLWithPath: directory + "/experiment.html"), options: .atomic)
    if json {
      print(String(decoding: report, as: UTF8.self))
    } else {
      print(formatTable(summary.tableRows))
      print("→ \(directory)/experiment.json, \(directory)/experiment.html")
    }
  }

  /// The default synthetic Cityscapes dataset (300 train, 60 val; 48 and 12 with --quick) at
  /// 512×256, written once.
  private func synthesise(into root: String, quick: Bool) throws -> String {
    if FileManager.default.fileExists(atPath: root + "/gtFine") { return root }
    printNow("synthesising the default dataset in \(root)")
    let configuration = SyntheticDatasetConfiguration(
      format: .cityscapes, outputDirectory: root, trainCount: quick ? 48 : 300, valCount: quick ? 12 : 60, testCount: nil,
      imageSize: .init(width: 512, height: 256), seed: 0, pngCompressionLevel: 3, jpegQuality: 90)
    do { _ = try SyntheticDatasetWriter(configuration: configuration).write() } catch {
      printError("\(error)")
      throw ExitCode(ExitStatus.failure)
    }
    return root
  }
}

import ArgumentParser
import DanceCore
import Datasets
import Experiment
import Foundation
import NN
import Pipeline
import Slimming
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
      network); dance (budget-policy data, the head matched to the data and progressively slimmed); data-only \
      (dance's data, full network); net-only (full data, dance's network treatment); uniform (every sample \
      downsampled by √budget); random (dance's scales and weights handed out in random order); short (full data for \
      the epochs that cost dance's training FLOPs, the learning-rate schedule compressed to them); and an indicator \
      ablation (dance's data ranked by each --ablation indicator; full network; one seed). Every slimmed variant \
      carries the same --weights, so each control differs from dance's data in one thing. With several --budgets \
      every run but the baseline is trained at each (named <run>-b<budget>): the frontier. \
      Every run validates on DATA's val split at full resolution (the baseline after every epoch, for its \
      convergence curve); each finished network is then evaluated on the test split when DATA has a labelled one, \
      and on val and test at each --input-scales. Settings are chosen on val; test is reported. \
      Each run lives in DIR/<name>-seed<k>/ with its report.json and experiment-run.json; a rerun reads finished \
      runs back from experiment-run.json (checkpoints are not needed) and resumes an interrupted one. Writes \
      DIR/experiment.json and DIR/experiment.html (the table, the convergence curve, the frontier and the learning \
      curves). Before the first run trains, DIR is checked (not the dataset nor inside it; its catalog.sqlite a Dance \
      catalog; experiment.json and .html new or written by dance) and every data variant is made, so a bad setting \
      fails in seconds with 2.
      """)

  @Argument(help: ArgumentHelp("A dataset root (Cityscapes, CamVid or ADE20K layout). Default: synthesise one in DIR/data.", valueName: "data"))
  var data: String?

  @Option(help: ArgumentHelp("The experiment directory.", valueName: "dir"))
  var out: String

  /// The defaults every help text below prints: the one definition is ``ExperimentOptions``.
  private static let defaults = ExperimentOptions()

  @Option(name: .customLong("budgets"), help: ArgumentHelp("""
    Pixel budgets of the slimmed data, comma-separated: fractions of the training pixels kept, each in \(Settings.budget.helpRange). \
    (default: \(list(defaults.budgets)))
    """, valueName: "list"))
  var budgetList: String?

  @Option(parsing: .unconditional, help: "The same as --budgets with one budget, in \(Settings.budget.helpRange).")
  var budget: Double?

  @Option(parsing: .unconditional, help: """
    Training epochs of each run (short: fewer), \(ExperimentSettings.epochs.helpRange). \
    (default: \(defaults.epochs), \(ExperimentOptions.quickEpochs) with --quick)
    """)
  var epochs: Int?

  @Option(parsing: .unconditional, help: "Seeds per run (the ablation uses one). (default: \(defaults.seeds))")
  var seeds: Int?

  @Option(help: ArgumentHelp("""
    Only these kinds of run, comma-separated: baseline, dance, data-only, net-only, uniform, random, short, ablation. \
    short brings baseline and dance. (default: all)
    """, valueName: "list"))
  var runs: String?

  @Option(help: "The indicator that ranks dance's data. (default: \(defaults.indicator.rawValue))")
  var indicator: String?

  @Option(help: ArgumentHelp("Which end of the ranking keeps its size: complex-first (DANCE) or simple-first. (default: \(defaults.rankOrder.rawValue))",
                             valueName: "order"))
  var rankOrder: RankOrder?

  @Option(help: ArgumentHelp("Rank within the whole split or within each sequence or city (see dance slim --help). (default: \(defaults.rankGroups.rawValue))",
                             valueName: "split|sequence"))
  var rankWithin: RankGroups?

  @Option(help: ArgumentHelp("""
    The scales the budget policy may choose, comma-separated, each in \(Settings.scale.helpRange). \
    (default: \(list(SlimmingPolicy.defaultBudgetScales)))
    """,
                             valueName: "list"))
  var scales: String?

  @Flag(help: "The budget policy never drops a sample; it downsamples only.")
  var downsampleOnly = false

  @Option(help: "Loss weights of every slimmed variant: linear (by rank) or none. (default: \(defaults.weights.rawValue))")
  var weights: WeightsName?

  @Option(help: ArgumentHelp("The range of linear weights before renormalisation to mean 1. (default: \(weightRangeDefault))", valueName: "min,max"))
  var weightRange: String?

  @Option(parsing: .unconditional, help: """
    The fraction of the head's and decoder's channels each pruning of a slimmed network removes, \
    \(TrainingSettings.pruneFraction.helpRange). (default: \(list([defaults.pruneFraction])))
    """)
  var pruneFraction: Double?

  @Option(help: ArgumentHelp("""
    When a slimmed network is pruned, as fractions of the epochs, comma-separated, each in \(ExperimentSettings.pruneAt.helpRange); \
    'none' keeps the matched head alone, unpruned. (default: \(list(defaults.pruneAt)))
    """, valueName: "list"))
  var pruneAt: String?

  @Option(help: ArgumentHelp("""
    Also evaluate every finished network with its input downsampled by each of these scales, comma-separated, each in \
    \(ExperimentSettings.inputScales.helpRange): about 1 − s² fewer inference FLOPs, scored at full label resolution.
    """, valueName: "list"))
  var inputScales: String?

  @Option(help: ArgumentHelp("The indicators of the ablation, comma-separated. (default: \(defaults.ablation.map(\.rawValue).joined(separator: ",")))",
                             valueName: "list"))
  var ablation: String?

  @Flag(help: "Do not evaluate on the test split (for scans that choose settings on val).")
  var noTest = false

  @Flag(help: "Baseline and dance only, one seed: a few minutes on 2 cores.")
  var quick = false

  @Flag(help: "Print DIR/experiment.json instead of the table.")
  var json = false

  @Option(parsing: .unconditional, help: "Width multiplier of the network. (default: \(list([defaults.training.model.widthMultiplier])))")
  var width: Double?

  @Option(help: ArgumentHelp("Base training crop in pixels (see dance train --help). (default: \(defaults.training.crop))", valueName: "WxH"))
  var crop: String?

  @Option(parsing: .unconditional, help: "Samples per batch. (default: \(defaults.training.batchSize))")
  var batch: Int?

  @Option(parsing: .unconditional, help: "SGD learning rate at step 0. (default: \(list([defaults.training.learningRate])))")
  var lr: Double?

  @Option(parsing: .unconditional, help: "Validate every run but the baseline every this many epochs. (default: a twentieth of the epochs)")
  var evalEvery: Int?

  @Option(parsing: .unconditional, help: "Threads of the compute engine. (default: all cores)")
  var threads: Int?

  func validate() throws {
    if let problem = try makeOptions().problem { throw ValidationError(problem.message(.commandLine)) }
  }

  private func makeOptions() throws -> ExperimentOptions {
    var options = ExperimentOptions()
    if budgetList != nil && budget != nil { throw ValidationError("give --budget or --budgets, not both") }
    if let budgetList { options.budgets = try parseNumbers(budgetList, option: "--budgets", setting: Settings.budget) }
    if let budget { options.budgets = [budget] }
    options.epochs = epochs ?? (quick ? ExperimentOptions.quickEpochs : options.epochs)
    if let seeds { options.seeds = seeds }
    options.quick = quick
    if let runs { options.kinds = try Set(parseList(runs, option: "--runs", as: ExperimentRunKind.self)) }
    if let indicator { options.indicator = try Indicator.parse(indicator) }
    if let rankWithin { options.rankGroups = rankWithin }
    if let rankOrder { options.rankOrder = rankOrder }
    if let scales { options.budgetScales = try parseScales(scales, option: "--scales") }
    options.budgetMayDrop = !downsampleOnly
    if let weights { options.weights = weights }
    if let weightRange { options.weightRange = try parseWeightRange(weightRange) }
    if let pruneFraction { options.pruneFraction = pruneFraction }
    if let pruneAt {
      options.pruneAt = pruneAt == "none" ? [] : try parseNumbers(pruneAt, option: "--prune-at", setting: ExperimentSettings.pruneAt)
    }
    if let inputScales { options.inputScales = try parseNumbers(inputScales, option: "--input-scales", setting: ExperimentSettings.inputScales) }
    if let ablation { options.ablation = try ablation.split(separator: ",").map { try Indicator.parse(String($0)) } }
    options.evaluateTest = !noTest
    options.evaluateEvery = evalEvery
    if let width { options.training.model.widthMultiplier = width }
    if let crop {
      guard let size = PixelSize(parsing: crop) else { throw ValidationError("--crop must be WxH with positive integers, got \(crop)") }
      options.training.crop = size
    }
    if let batch { options.training.batchSize = batch }
    if let lr { options.training.learningRate = lr }
    options.training.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
    return options
  }

  func run() throws {
    let directory = URL(fileURLWithPath: out).standardizedFileURL.path
    let options = try makeOptions()
    let written = try ExperimentFiles.prepare(directory: directory, dataRoot: data)
    let root = try data ?? synthesise(into: directory + "/data", quick: quick)
    let runner = ExperimentRunner(directory: directory, dataRoot: root, options: options, log: { printNow($0) })
    let summary = ExperimentSummary(try runner.run(), options: options)
    let report = try prettyJSON(summary)
    try ExperimentFiles.write(summary: report, page: summary.html, through: written)
    if json {
      print(String(decoding: report, as: UTF8.self))
    } else {
      print(formatTable(summary.tableRows))
      for convergence in summary.convergence {
        print(String(format: "baseline: the last quarter of %d epochs gains %+.2f mIoU points (%@)", convergence.epochs,
                     convergence.gain * 100, convergence.converged ? "converged" : "not converged"))
      }
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
    // Its error goes to Dance.main like every command's (a refused directory exit 2, a failed write 1).
    _ = try SyntheticDatasetWriter(configuration: configuration).write()
    return root
  }
}

/// The values of a comma-separated list of names (`baseline,dance`); an unknown name is refused
/// (exit 2), naming the option and the known names.
func parseList<Value: RawRepresentable & CaseIterable>(_ text: String, option: String, as _: Value.Type) throws -> [Value]
where Value.RawValue == String {
  try text.split(separator: ",").map { part in
    let name = part.trimmingCharacters(in: .whitespaces)
    guard let value = Value(rawValue: name) else {
      throw ValidationError("\(option): unknown value '\(name)' (known: \(Value.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    return value
  }
}

/// `0.5,0.75`: numbers as the user would type them.
private func list(_ values: [Double]) -> String { values.map(NumericSetting.format).joined(separator: ",") }

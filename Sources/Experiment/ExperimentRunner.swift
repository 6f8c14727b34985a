import DanceCore
import Datasets
import Foundation
import NN
import Pipeline
import OutputStore
import Runner
import Slimming
import Trainer

/// Runs an experiment in its directory: prepares each data variant once (slimmed outputs of the
/// dataset, sharing one catalog), trains every run in `DIR/<name>-seed<k>/` (a finished run is
/// read back from its `experiment-run.json`, an interrupted one resumed), evaluates each finished
/// network on the test split and at the reduced input scales, and collects the results.
public struct ExperimentRunner {
  /// The experiment directory.
  public var directory: String
  /// The dataset root every variant is made from (and validated on, at full resolution).
  public var dataRoot: String
  /// The settings.
  public var options: ExperimentOptions
  /// Receives one line per stage and per finished epoch.
  public var log: @Sendable (String) -> Void

  /// Creates a runner.
  public init(directory: String, dataRoot: String, options: ExperimentOptions, log: @escaping @Sendable (String) -> Void) {
    self.directory = directory
    self.dataRoot = dataRoot
    self.options = options
    self.log = log
  }

  /// The file in each run directory that holds its result.
  public static let resultFile = "experiment-run.json"

  private var catalogPath: String { directory + "/catalog.sqlite" }

  /// The splits a finished run is evaluated on: validation, and test when the dataset has a labelled one.
  struct EvaluationData {
    var validation: TrainingData
    var test: TrainingData?
  }

  /// Trains every run and returns what each reached. The options are those whose
  /// ``ExperimentOptions/problem`` is nil (the command line checks them when it makes them).
  public func run() throws(ExperimentError) -> [ExperimentRunResult] {
    let evaluation = try openEvaluationData()
    var results: [ExperimentRunResult] = []
    var variants = VariantCache(runner: self)
    try prepareVariants(&variants)
    for run in options.runs {
      var training = options.training
      training.seed = UInt64(run.seed)
      // A dataset root's samples all weigh 1, so for full data the setting changes nothing; it stays
      // on there, as `dance train` has it, so that a baseline trained by hand can be adopted.
      training.sampleWeights = run.data == .full || options.weights == .linear
      if let epochs = run.epochs { training.epochs = epochs } else { training.epochs = try shortEpochs(run, results: results) }
      training.evaluateEvery = options.evaluationInterval(for: run, epochs: training.epochs)
      if run.slimmedNetwork {
        let pruneEpochs = ExperimentOptions.pruneEpochs(options.pruneAt, epochs: training.epochs)
        var slimming = NetworkSlimming(pruneEpochs: pruneEpochs)
        slimming.pruneFraction = options.pruneFraction
        training.slimming = pruneEpochs.isEmpty ? nil : slimming
      }
      var result: ExperimentRunResult
      if let recorded = try readBack(run, wanted: training) { result = recorded } else {
        result = try train(run, options: training, variants: &variants, evaluation: evaluation)
      }
      try evaluate(&result, run: run, on: evaluation)
      try save(result, run: run)
      results.append(result)
    }
    return results
  }

  /// Makes (or verifies) every data variant a run still to train reads, before the first run
  /// trains: a variant that cannot be made, or that keeps too few samples to train on (a tiny
  /// --budget), fails in seconds instead of after the baseline's hours.
  private func prepareVariants(_ variants: inout VariantCache) throws(ExperimentError) {
    for run in options.runs where !FileManager.default.fileExists(atPath: directory + "/" + run.directoryName + "/" + Self.resultFile) {
      guard let budget = run.budget else { continue }
      if run.data != .full { _ = try variants.open(run.data, indicator: run.indicator, budget: budget, seed: run.seed) }
      if run.slimmedNetwork { _ = try variants.open(.dance, indicator: run.indicator, budget: budget, seed: run.seed) }
    }
  }

  private func openEvaluationData() throws(ExperimentError) -> EvaluationData {
    let validation: TrainingData
    do throws(TrainerError) { validation = try TrainingData.open(dataRoot, split: .val) } catch {
      throw .data(variant: "validation", reason: error.description)
    }
    guard options.evaluateTest else { return EvaluationData(validation: validation) }
    do throws(TrainerError) {
      return EvaluationData(validation: validation, test: try TrainingData.open(dataRoot, split: .test))
    } catch {
      log("no labelled test split (\(error.description)); evaluating on val only")
      return EvaluationData(validation: validation)
    }
  }

  /// `short`: the epochs whose full-data training FLOPs equal dance's at the same budget, from this
  /// seed's baseline and dance runs.
  private func shortEpochs(_ run: ExperimentRun, results: [ExperimentRunResult]) throws(ExperimentError) -> Int {
    guard let baseline = results.first(where: { $0.kind == .baseline && $0.seed == run.seed }),
          let dance = results.first(where: { $0.kind == .dance && $0.seed == run.seed && $0.budget == run.budget }),
          baseline.trainFlops > 0
    else { throw .invalidOptions("short needs the baseline and dance runs of seed \(run.seed) first") }
    return max(1, Int((Double(options.epochs) * dance.trainFlops / baseline.trainFlops).rounded()))
  }

  /// The settings in which a recorded run differs from the one wanted: those that determine its
  /// result (``TrainingOptions/Setting/determinesResult``), but not the network itself, which
  /// slimming prunes and whose classes come from the data.
  static func differences(recorded: TrainingOptions, wanted: TrainingOptions) -> [TrainingOptions.Difference] {
    wanted.differences(from: recorded, in: TrainingOptions.Setting.allCases.filter(\.determinesResult))
  }

  /// A finished run's recorded result, if its directory holds one; refused when it was trained
  /// with other settings.
  private func readBack(_ run: ExperimentRun, wanted: TrainingOptions) throws(ExperimentError) -> ExperimentRunResult? {
    let path = directory + "/" + run.directoryName + "/" + Self.resultFile
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    var result: ExperimentRunResult
    do { result = try TrainerJSON.decoder().decode(ExperimentRunResult.self, from: Data(contentsOf: URL(fileURLWithPath: path))) } catch {
      throw .io(path: path, reason: "unreadable run result: \(error)")
    }
    try check(recorded: result.training, wanted: wanted, path: directory + "/" + run.directoryName)
    guard result.kind == run.kind, result.seed == run.seed, result.budget == run.budget else {
      throw .invalidOptions("\(path) holds the result of a \(result.kind.rawValue) run of seed \(result.seed)"
        + (result.budget.map { " at budget \($0)" } ?? "") + ", not of \(run.directoryName)")
    }
    // A run copied from an experiment with another set of budgets keeps its result under this name.
    result.name = run.name
    return result
  }

  private func check(recorded: TrainingOptions, wanted: TrainingOptions, path: String) throws(ExperimentError) {
    let differences = Self.differences(recorded: recorded, wanted: wanted)
    guard differences.isEmpty else {
      throw .invalidOptions(
        "\(path): trained with other settings (\(differences.map(\.description).joined(separator: ", "))); give another --out or the same options")
    }
  }

  /// Starts or resumes one run and trains it to the end.
  private func train(_ run: ExperimentRun, options training: TrainingOptions, variants: inout VariantCache, evaluation: EvaluationData)
    throws(ExperimentError) -> ExperimentRunResult
  {
    let path = directory + "/" + run.directoryName
    var training = training
    let session: TrainingRun
    if FileManager.default.fileExists(atPath: path + "/" + RunFiles.resume) {
      session = try trainer(run) { () throws(TrainerError) in try TrainingRun.resume(directory: path, threads: training.threads) }
      try check(recorded: session.options, wanted: training, path: path)
    } else {
      let data = try variants.open(run.data, indicator: run.indicator, budget: run.budget, seed: run.seed)
      training.model.classes = data.labelSpace.classes.count
      if run.slimmedNetwork, let budget = run.budget {
        // Matched to the slimmed data, for net-only as well as for dance.
        let matchedTo = run.data == .full ? try variants.open(.dance, indicator: run.indicator, budget: budget, seed: run.seed) : data
        training.model = matchedTo.matchedHead(training.model, crop: training.crop).configuration
      }
      log("training \(run.directoryName): \(training.epochs) epochs, \(training.model.description)")
      let options = training
      session = try trainer(run) { () throws(TrainerError) in
        try TrainingRun.start(
          options: options, data: data, dataSource: DataSource(path: data.identity.path, split: .train),
          validation: evaluation.validation, validationSource: DataSource(path: dataRoot, split: .val), directory: path)
      }
    }
    _ = try trainer(run) { () throws(TrainerError) in
      try session.run(events: { event in
        switch event {
        case .epochFinished(let record, let epochs, _) where record.epoch == epochs || record.miou != nil:
          log(String(format: "  %@ epoch %d/%d loss %.4f", run.directoryName, record.epoch, epochs, record.loss)
              + (record.miou.map { String(format: " mIoU %.1f %%", $0 * 100) } ?? ""))
        case .pruned(let epoch, let pruning):
          log("  \(run.directoryName) pruned after epoch \(epoch): \(pruning.parametersBefore) → \(pruning.parametersAfter) parameters")
        default: break
        }
      })
    }
    return ExperimentRunResult(run, report: session.report(status: "finished"))
  }

  /// `body`'s value; its error as the experiment's (a configuration error stays one).
  private func trainer<Value>(_ run: ExperimentRun, _ body: () throws(TrainerError) -> Value) throws(ExperimentError) -> Value {
    do throws(TrainerError) { return try body() } catch {
      throw error.isConfigurationError ? .invalidOptions(error.description) : .training(run: run.directoryName, reason: error.description)
    }
  }

  /// Adds the evaluations `result` lacks (test at full resolution, val and test at each reduced
  /// input scale) from the run's `last.safetensors`.
  private func evaluate(_ result: inout ExperimentRunResult, run: ExperimentRun, on data: EvaluationData) throws(ExperimentError) {
    var wanted: [(split: DatasetSplit, data: TrainingData, scale: Double)] = []
    for scale in [1] + options.inputScales {
      if scale < 1 { wanted.append((.val, data.validation, scale)) }
      if let test = data.test { wanted.append((.test, test, scale)) }
    }
    wanted.removeAll { result.evaluation($0.split, inputScale: $0.scale) != nil }
    guard !wanted.isEmpty else { return }
    let path = directory + "/" + run.directoryName
    do throws(TrainerError) {
      let model = try TrainedModel.load(path)
      for (split, evaluated, scale) in wanted {
        let outcome = try Evaluator.evaluate(
          model.network, on: evaluated, normalization: model.normalization, threads: options.training.loaderThreads, inputScale: scale)
        result.evaluations.append(RunEvaluation(split: split, inputScale: scale, result: outcome.result))
        log(String(format: "  %@ %@ mIoU %.1f %% at input scale %@", run.directoryName, split.rawValue, outcome.result.miou * 100,
                   ExperimentSummary.format(scale)))
      }
    } catch {
      throw .training(run: run.directoryName, reason: "cannot evaluate the finished network: \(error.description)")
    }
  }

  private func save(_ result: ExperimentRunResult, run: ExperimentRun) throws(ExperimentError) {
    let path = directory + "/" + run.directoryName + "/" + Self.resultFile
    do {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      try encoder.encode(result).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw .io(path: path, reason: "cannot write the run result: \(error)")
    }
  }

  /// The data variants, each slimmed (or verified) and opened once however many runs read it.
  struct VariantCache {
    let runner: ExperimentRunner
    var opened: [String: TrainingData] = [:]

    /// Where a data variant lives: the dataset itself, or `DIR/data-<variant>[-<indicator>][-b<budget>][-seed<k>]`.
    func path(_ data: ExperimentData, indicator: Indicator, budget: Double?, seed: Int) -> String {
      guard data != .full, let budget else { return runner.dataRoot }
      var name = "data-\(data.rawValue)"
      if data == .dance && indicator != runner.options.indicator { name += "-\(indicator.rawValue)" }
      if runner.options.budgets.count > 1 { name += "-b\(ExperimentSummary.format(budget))" }
      if data == .random { name += "-seed\(seed)" }
      return runner.directory + "/" + name
    }

    /// The variant, slimmed on first use (a later experiment verifies and keeps it); the random
    /// control has one assignment per seed, so its spread over seeds includes the assignment's.
    mutating func open(_ data: ExperimentData, indicator: Indicator, budget: Double?, seed: Int) throws(ExperimentError) -> TrainingData {
      let output = path(data, indicator: indicator, budget: budget, seed: seed)
      if let variant = opened[output] { return variant }
      if data != .full, let budget {
        let slim = runner.options.slimOptions(for: data, indicator: indicator, budget: budget, seed: seed)
        let name = (output as NSString).lastPathComponent
        if !FileManager.default.fileExists(atPath: output + "/manifest.json") { runner.log("slimming \(name): \(slim.resolvedPolicy)") }
        do throws(PipelineError) {
          _ = try PipelineRunner.slim(
            root: runner.dataRoot, catalogPath: runner.catalogPath, outputDirectory: output, options: slim,
            context: StageContext(progress: .silent))
        } catch {
          throw .data(variant: name, reason: error.description)
        }
        let kept = (try? OutputManifest.read(output + "/" + OutputManifest.fileName(partition: nil)))?.splits[DatasetSplit.train.rawValue]?.samples ?? 0
        if kept < 2 {
          throw .invalidOptions(
            "data \(name): the budget \(ExperimentSummary.format(budget)) keeps \(kept) training samples, and training needs at least 2; "
              + "give a larger --budget")
        }
      }
      do throws(TrainerError) {
        let variant = try TrainingData.open(output, split: .train)
        opened[output] = variant
        return variant
      } catch {
        throw .data(variant: output, reason: error.description)
      }
    }
  }
}

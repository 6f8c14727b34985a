import Complexity
import DanceCore
import Datasets
import Foundation
import NN
import Pipeline
import Slimming
import Trainer

/// Runs an experiment in its directory: prepares each data variant once (slimmed outputs of the
/// dataset, sharing one catalog), trains every run in `DIR/<name>-seed<k>/` (a finished run is
/// read back, an interrupted one resumed), and collects the results.
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

  private var catalogPath: String { directory + "/catalog.sqlite" }

  /// Trains every run and returns what each reached.
  public func run() throws(ExperimentError) -> [ExperimentRunResult] {
    if let problem = options.problem { throw .invalidOptions(problem) }
    let validation: TrainingData
    do throws(TrainerError) { validation = try TrainingData.open(dataRoot, split: .val) } catch {
      throw .data(variant: "validation", reason: error.description)
    }
    var results: [ExperimentRunResult] = []
    // Each variant is slimmed (or verified) and opened once, however many runs read it.
    var variants: [String: TrainingData] = [:]
    func variant(_ data: ExperimentData, indicator: Indicator = .siMean, seed: Int = 1) throws(ExperimentError) -> TrainingData {
      if let opened = variants[variantPath(data, indicator: indicator, seed: seed)] { return opened }
      let path = try prepare(data: data, indicator: indicator, seed: seed)
      let opened = try opened(path, split: .train)
      variants[path] = opened
      return opened
    }
    for run in options.runs {
      let data = try variant(run.data, indicator: run.indicator, seed: run.seed)
      var training = options.training
      training.seed = UInt64(run.seed)
      training.sampleWeights = run.weights
      if let epochs = run.epochs { training.epochs = epochs } else { training.epochs = try shortEpochs(seed: run.seed, results: results) }
      training.evaluateEvery = max(1, training.epochs / 10)
      if run.slimmedNetwork {
        // Matched to the slimmed data's mean scale, for net-only as well as for dance.
        let matchedTo = run.data == .full ? try variant(.dance) : data
        training.model = matchedTo.matchedHead(training.model, crop: training.crop).configuration
        var slimming = NetworkSlimming(pruneEpochs: options.pruneEpochs.filter { $0 <= training.epochs })
        slimming.pruneFraction = options.pruneFraction
        training.slimming = slimming.pruneEpochs.isEmpty ? nil : slimming
      }
      results.append(try train(run, options: training, data: data, validation: validation))
    }
    return results
  }

  /// `short`: the epochs whose full-data training FLOPs equal dance's, from this seed's baseline and dance runs.
  private func shortEpochs(seed: Int, results: [ExperimentRunResult]) throws(ExperimentError) -> Int {
    guard let baseline = results.first(where: { $0.name == "baseline" && $0.seed == seed }),
          let dance = results.first(where: { $0.name == "dance" && $0.seed == seed }), baseline.trainFlops > 0
    else { throw .invalidOptions("short needs the baseline and dance runs of seed \(seed) first") }
    return max(1, Int((Double(options.epochs) * dance.trainFlops / baseline.trainFlops).rounded()))
  }

  private func opened(_ path: String, split: DatasetSplit) throws(ExperimentError) -> TrainingData {
    do throws(TrainerError) { return try TrainingData.open(path, split: split) } catch {
      throw .data(variant: path, reason: error.description)
    }
  }

  /// Where a data variant lives: the dataset itself, or `DIR/data-<variant>`.
  private func variantPath(_ data: ExperimentData, indicator: Indicator, seed: Int) -> String {
    switch data {
    case .full: dataRoot
    case .dance where indicator != .siMean: directory + "/data-dance-\(indicator.rawValue)"
    case .random: directory + "/data-random-seed\(seed)"
    default: directory + "/data-\(data.rawValue)"
    }
  }

  /// The directory of a data variant, slimmed on first use (a later experiment verifies and keeps
  /// it); the random control has one assignment per `seed`, so its spread over seeds includes the
  /// assignment's.
  private func prepare(data: ExperimentData, indicator: Indicator, seed: Int) throws(ExperimentError) -> String {
    if data == .full { return dataRoot }
    let output = variantPath(data, indicator: indicator, seed: seed), name = (output as NSString).lastPathComponent
    var slim = SlimOptions()
    slim.policy = .budget
    slim.budget = options.budget
    slim.indicator = indicator
    slim.weights = .linear
    switch data {
    case .full, .dance: break
    case .uniform:
      slim.policy = .fixed
      slim.budget = nil
      slim.scale = options.budget.squareRoot()
      slim.weights = WeightsName.none
    case .random:
      slim.randomAssignment = UInt64(seed)
      slim.weights = WeightsName.none
    }
    if FileManager.default.fileExists(atPath: output + "/manifest.json") == false { log("slimming \(name): \(slim.resolvedPolicy)") }
    do throws(PipelineError) {
      _ = try PipelineRunner.slim(
        root: dataRoot, catalogPath: catalogPath, outputDirectory: output, options: slim, context: StageContext(progress: .silent))
    } catch {
      throw .data(variant: name, reason: error.description)
    }
    return output
  }

  /// The settings in which a recorded run differs from the one wanted (the network itself may
  /// differ: slimming prunes it, and its classes come from the data).
  static func differences(recorded: TrainingOptions, wanted: TrainingOptions) -> [String] {
    var differences: [String] = []
    func compare<Value: Equatable>(_ name: String, _ value: (TrainingOptions) -> Value) {
      if value(recorded) != value(wanted) { differences.append("\(name) \(value(recorded)) instead of \(value(wanted))") }
    }
    compare("epochs", \.epochs)
    compare("batch", \.batchSize)
    compare("crop", { "\($0.crop)" })
    compare("learning rate", \.learningRate)
    compare("momentum", \.momentum)
    compare("weight decay", \.weightDecay)
    compare("loss weights", \.sampleWeights)
    compare("seed", \.seed)
    compare("width", \.model.widthMultiplier)
    compare("output stride", \.model.outputStride)
    compare("slimming", { $0.slimming.map { "\($0)" } ?? "none" })
    return differences
  }

  /// Starts, resumes or reads back one run.
  private func train(_ run: ExperimentRun, options training: TrainingOptions, data: TrainingData, validation: TrainingData)
    throws(ExperimentError) -> ExperimentRunResult
  {
    let path = directory + "/" + run.directoryName
    do throws(TrainerError) {
      let session: TrainingRun
      if FileManager.default.fileExists(atPath: path + "/" + RunFiles.resume) {
        session = try TrainingRun.resume(directory: path, threads: training.threads)
        let differences = Self.differences(recorded: session.options, wanted: training)
        guard differences.isEmpty else {
          throw TrainerError.invalidConfiguration(
            path: path, reason: "trained with other settings (\(differences.joined(separator: ", "))); give another --out or the same options")
        }
      } else {
        log("training \(run.directoryName): \(training.epochs) epochs, \(training.model.description)")
        session = try TrainingRun.start(
          options: training, data: data, dataSource: DataSource(path: data.identity.path, split: "train"), validation: validation,
          validationSource: DataSource(path: dataRoot, split: "val"), directory: path)
      }
      _ = try session.run(events: { event in
        switch event {
        case .epochFinished(let record, let epochs, _) where record.epoch == epochs || record.miou != nil:
          log(String(format: "  %@ epoch %d/%d loss %.4f", run.directoryName, record.epoch, epochs, record.loss)
              + (record.miou.map { String(format: " mIoU %.1f %%", $0 * 100) } ?? ""))
        case .pruned(let epoch, let pruning):
          log("  \(run.directoryName) pruned after epoch \(epoch): \(pruning.parametersBefore) → \(pruning.parametersAfter) parameters")
        default: break
        }
      })
      return ExperimentRunResult(run, report: session.report(status: "finished"))
    } catch {
      throw error.isConfigurationError ? .invalidOptions(error.description) : .training(run: run.directoryName, reason: error.description)
    }
  }
}

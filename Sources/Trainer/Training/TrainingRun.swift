import DanceCore
import Datasets
import Foundation
public import NN
import Tensors

/// What a training run reports while it works.
public enum TrainingEvent: Sendable {
  /// A step finished: its epoch (1-based) and batch (1-based) out of the totals, its loss, and the
  /// training throughput of the epoch so far.
  case step(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Float, samplesPerSecond: Double)
  /// Validation of an epoch begins.
  case evaluating(epoch: Int)
  /// An epoch finished; `remainingSeconds` estimates the rest of the run.
  case epochFinished(EpochRecord, epochs: Int, remainingSeconds: Double)
  /// Progressive slimming pruned the network after an epoch.
  case pruned(epoch: Int, PruningRecord)
  /// A sample could not be loaded and was left out.
  case sampleFailed(SampleFailure)
}

/// How a call to ``TrainingRun/run(events:shouldStop:)`` ended.
public enum TrainingOutcome: Sendable, Equatable {
  /// Every epoch is done.
  case finished
  /// `shouldStop` asked to stop; the resumable state is saved.
  case interrupted
}

/// One training run in a directory: the network, the optimizer, the data and where in the data it is.
///
/// A run is deterministic: the weights, the order of samples, their crops and flips and the dropout
/// masks are derived from the seed and the step, never from a clock or a thread. The state saved in
/// `RUN/resume.safetensors` (weights, batch-norm statistics, momentum buffers, epoch, batch and step)
/// is therefore enough to continue a run so that its per-step losses equal an uninterrupted run's
/// bit for bit (with the same thread count).
public final class TrainingRun {
  /// The run directory.
  public let directory: String
  /// The options; with slimming, ``TrainingOptions/model`` follows the pruned network.
  public private(set) var options: TrainingOptions
  /// The training split.
  public let data: TrainingData
  /// The validation split, if any.
  public let validation: TrainingData?
  /// The network being trained (replaced by a smaller one when slimming prunes).
  public private(set) var model: DeepLab
  /// What has happened so far.
  public private(set) var history: TrainingHistory
  let dataSource: DataSource
  let validationSource: DataSource?
  var optimizer: SGD
  var epoch: Int
  var batch: Int
  var step: Int
  private var flopsByShape: [[Int]: Int] = [:]

  init(directory: String, options: TrainingOptions, data: TrainingData, dataSource: DataSource, validation: TrainingData?,
       validationSource: DataSource?, model: DeepLab, history: TrainingHistory, epoch: Int, batch: Int, step: Int) {
    self.directory = directory
    self.options = options
    self.data = data
    self.dataSource = dataSource
    self.validation = validation
    self.validationSource = validationSource
    self.model = model
    self.history = history
    self.epoch = epoch
    self.batch = batch
    self.step = step
    optimizer = SGD(parameters: model.parameters, learningRate: Float(options.learningRate), momentum: Float(options.momentum),
                    weightDecay: Float(options.weightDecay))
  }

  /// Starts a new run in `directory`, which must not exist or be empty; the network's classes are
  /// the data's label space. Writes the initial resumable state.
  ///
  /// - Throws: ``TrainerError/invalidConfiguration(path:reason:)`` for bad options, a non-empty
  ///   directory or validation data in another label space.
  /// - Parameter initialWeights: the checkpoint to fine-tune (`--init`): the run then trains its
  ///   architecture with its normalization, starting from its tensors (``FineTuningStart``).
  public static func start(
    options: TrainingOptions, data: TrainingData, dataSource: DataSource, validation: TrainingData? = nil,
    validationSource: DataSource? = nil, initialWeights: FineTuningStart? = nil, directory: String
  ) throws(TrainerError) -> TrainingRun {
    var options = options
    if let initialWeights {
      options.model = initialWeights.configuration
      options.normalization = initialWeights.normalization
      options.initialization = initialWeights.record
    }
    options.model.classes = data.labelSpace.classes.count
    if options.slimming != nil { options.model.asppGates = true }
    if let problem = options.problem { throw .invalidConfiguration(path: directory, reason: problem.message(.commandLine)) }
    if let validation, validation.labelSpace.id != data.labelSpace.id {
      throw .invalidConfiguration(path: validation.identity.path,
                                  reason: "validation labels are \(validation.labelSpace.id), training labels \(data.labelSpace.id)")
    }
    do throws(OutputGuardError) { try OutputGuard.checkDirectory(directory, role: "the run directory") } catch {
      throw TrainerError(error)
    }
    let manager = FileManager.default
    if let existing = try? manager.contentsOfDirectory(atPath: directory), !existing.isEmpty {
      let hint = existing.contains(RunFiles.resume) ? "; continue it with --resume" : ""
      throw .invalidConfiguration(path: directory, reason: "the run directory is not empty\(hint)")
    }
    do { try manager.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
      throw .io(path: directory, reason: "cannot create the run directory: \((error as NSError).localizedDescription)")
    }
    var generator = SplitMix(seed: SplitMix.derive(options.seed, 0x1417))
    let model = DeepLab(options.model, generator: &generator)
    initialWeights?.apply(to: model)
    let run = TrainingRun(directory: directory, options: options, data: data, dataSource: dataSource, validation: validation,
                          validationSource: validationSource, model: model, history: TrainingHistory(), epoch: 0, batch: 0, step: 0)
    try run.saveState()
    try run.writeReport(status: "running")
    return run
  }

  /// The number of batches in every epoch.
  public var batchesPerEpoch: Int { EpochPlan.batchCount(for: data.entries, batchSize: options.batchSize) }

  /// Trains until every epoch is done or `shouldStop` returns true (checked after every step).
  ///
  /// After each epoch it validates (when there is validation data), writes
  /// `checkpoint-epoch-N.safetensors`, `last.safetensors`, the resumable state and `report.json`;
  /// with ``TrainingOptions/checkpointEvery`` it also saves the state every that many steps.
  public func run(events: (TrainingEvent) -> Void = { _ in }, shouldStop: () -> Bool = { false }) throws(TrainerError)
    -> TrainingOutcome
  {
    BLASThreads.set(options.threads)
    let batches = batchesPerEpoch
    guard batches > 0 else {
      throw .invalidData(
        path: data.identity.path,
        reason: "its \(counted(data.count, "usable \(data.identity.split) sample")) form no batch (batch norm needs two samples of one stored scale)"
          + (data.leftOut.isEmpty ? "" : "; \(counted(data.leftOut.count, "sample")) \(data.leftOut.count == 1 ? "was" : "were") left out as unreadable"))
    }
    let schedule = PolyLearningRate(base: Float(options.learningRate), totalSteps: options.epochs * batches, power: Float(options.poly))
    var loss = SoftmaxCrossEntropy(ignoreIndex: Int32(LabelSpace.ignoreValue))
    var reported = Set(history.failures.map(\.key))
    for failure in data.leftOut where !reported.contains(failure.key) {
      reported.insert(failure.key)
      history.failures.append(failure)
      events(.sampleFailed(failure))
    }
    while epoch < options.epochs {
      let plan = EpochPlan.batches(for: data.entries, batchSize: options.batchSize, crop: options.crop, seed: options.seed, epoch: epoch)
      let loader = DataLoader(data: data, plan: plan, startingAt: batch, threads: options.loaderThreads, prefetch: options.prefetch,
                              normalization: options.normalization)
      defer { loader.close() }
      if history.epochs.last?.epoch != epoch + 1 {
        history.epochs.append(EpochRecord(epoch: epoch + 1, steps: 0, samples: 0, loss: 0, samplesPerSecond: 0, seconds: 0, trainFlops: 0))
      }
      var started = Date()
      while let next = loader.next() {
        for failure in next.failures where !reported.contains(failure.key) {
          reported.insert(failure.key)
          history.failures.append(failure)
          events(.sampleFailed(failure))
        }
        var record = history.epochs[history.epochs.count - 1]
        // Batch norm needs two samples: a batch that bad samples left with one is skipped like an
        // empty one (its failures are reported above, and the run ends with them).
        if next.count > 1 {
          let position = epoch * batches + batch
          let learningRate = schedule.rate(at: position)
          let (value, flops) = trainStep(next, learningRate: learningRate, dropoutSeed: UInt64(position), loss: &loss)
          guard value.isFinite else {
            try writeReport(status: "diverged")
            throw .diverged(
              path: directory,
              reason: "the loss of step \(step + 1) (epoch \(epoch + 1), batch \(batch + 1)) is \(value); the training diverged "
                + "(a smaller --lr?). Nothing from this step was saved; the last checkpoint is the last good one")
          }
          history.stepLosses.append(value)
          history.stepFlops.append(flops)
          history.stepLearningRates.append(learningRate)
          record.loss = (record.loss * Double(record.steps) + Double(value)) / Double(record.steps + 1)
          record.steps += 1
          record.trainFlops += flops
          record.samples += next.count
          step += 1
        }
        batch += 1
        let now = Date()
        record.seconds += now.timeIntervalSince(started)
        history.trainSeconds += now.timeIntervalSince(started)
        started = now
        record.samplesPerSecond = record.seconds > 0 ? Double(record.samples) / record.seconds : 0
        history.epochs[history.epochs.count - 1] = record
        events(.step(epoch: epoch + 1, epochs: options.epochs, batch: batch, batches: batches,
                     loss: history.stepLosses.last ?? 0, samplesPerSecond: record.samplesPerSecond))
        if options.checkpointEvery > 0 && next.count > 1 && step % options.checkpointEvery == 0 && batch < plan.count {
          try saveState()
          try writeReport(status: "running")
        }
        if shouldStop() {
          try saveState()
          try writeReport(status: "interrupted")
          return .interrupted
        }
      }
      try finishEpoch(events: events)
    }
    try writeReport(status: "finished")
    return .finished
  }

  /// One forward, backward and update; returns the loss and the step's training FLOPs.
  private func trainStep(_ batch: Batch, learningRate: Float, dropoutSeed: UInt64, loss: inout SoftmaxCrossEntropy) -> (Float, Double) {
    model.isTraining = true
    model.reseedDropout(SplitMix.derive(options.seed, 0xD509, dropoutSeed))
    optimizer.zeroGrad()
    let logits = model.forward(batch.images)
    let value = loss.forward(logits: logits, labels: batch.labels, sampleWeights: options.sampleWeights ? batch.weights : nil)
    _ = model.backward(loss.backward())
    // The step's activations go before the next step allocates its own (see Layer.discardForwardCache).
    model.discardForwardCache()
    loss.discardForwardCache()
    options.slimming?.addPenalties(to: model)
    optimizer.learningRate = learningRate
    optimizer.step()
    let shape = batch.images.shape
    if flopsByShape[shape] == nil { flopsByShape[shape] = model.forwardFLOPs(inputShape: shape) }
    return (value, 3 * Double(flopsByShape[shape]!))
  }

  private func finishEpoch(events: (TrainingEvent) -> Void) throws(TrainerError) {
    let finished = epoch + 1
    var record = history.epochs[history.epochs.count - 1]
    if let validation, finished % options.evaluateEvery == 0 || finished == options.epochs {
      events(.evaluating(epoch: finished))
      let started = Date()
      let result = try Evaluator.evaluate(model, on: validation, normalization: options.normalization, threads: options.loaderThreads).result
      history.evaluationSeconds += Date().timeIntervalSince(started)
      history.validation = result
      record.miou = result.miou
      record.pixelAccuracy = result.pixelAccuracy
      history.epochs[history.epochs.count - 1] = record
    }
    if let slimming = options.slimming, slimming.pruneEpochs.contains(finished) {
      let pruning = prune(slimming)
      record.pruning = pruning
      history.epochs[history.epochs.count - 1] = record
      events(.pruned(epoch: finished, pruning))
    }
    epoch = finished
    batch = 0
    let checkpoint = model.trainedCheckpoint(labelSpace: data.labelSpace, normalization: options.normalization,
                                             extra: ["dance.epoch": String(finished)])
    try write(checkpoint, to: RunFiles.epochCheckpoint(finished))
    try write(checkpoint, to: RunFiles.last)
    try saveState()
    try writeReport(status: epoch == options.epochs ? "finished" : "running")
    let perEpoch = history.trainSeconds / Double(max(1, history.epochs.count))
    events(.epochFinished(record, epochs: options.epochs, remainingSeconds: perEpoch * Double(options.epochs - epoch)))
  }

  /// Replaces the network by its pruned copy and the optimizer by a fresh one over its parameters
  /// (momentum restarts, as after any change of the parameter set); returns what changed.
  private func prune(_ slimming: NetworkSlimming) -> PruningRecord {
    let crop = [options.batchSize, options.model.inputChannels, options.crop.height, options.crop.width]
    let before = (model.parameterCount, model.forwardFLOPs(inputShape: crop))
    let selection = slimming.selection(for: model)
    guard selection != ChannelSelection(keepingAllOf: model.configuration) else {
      return PruningRecord(parametersBefore: before.0, parametersAfter: before.0, flopsBefore: before.1, flopsAfter: before.1,
                           model: model.configuration.description)
    }
    model = model.pruned(keeping: selection)
    options.model = model.configuration
    optimizer = SGD(parameters: model.parameters, learningRate: optimizer.learningRate, momentum: Float(options.momentum),
                    weightDecay: Float(options.weightDecay))
    flopsByShape = [:]
    return PruningRecord(parametersBefore: before.0, parametersAfter: model.parameterCount, flopsBefore: before.1,
                         flopsAfter: model.forwardFLOPs(inputShape: crop), model: model.configuration.description)
  }

  func write(_ file: SafetensorsFile, to name: String) throws(TrainerError) {
    do throws(CheckpointError) { try file.write(to: directory + "/" + name) } catch {
      throw .checkpoint(path: directory + "/" + name, reason: error.description)
    }
  }
}

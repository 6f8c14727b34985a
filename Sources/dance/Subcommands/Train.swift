import ArgumentParser
import DanceCore
import Datasets
import Foundation
import Pipeline
import NN
import Trainer

extension Dance {
  /// `dance train DATA --out RUN`: train the bundled segmentation network on a slimmed output or a dataset root.
  struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Train the bundled DeepLabV3+-style network on a slimmed output or a dataset root.",
      discussion: """
        DATA is the output directory of `dance slim` (shards are read by member offsets: from --catalog when \
        given, else from each split's shardindex.json and the tar headers) or a Cityscapes, CamVid, ADE20K, Pascal VOC or generic \
        root (unslimmed, for baselines; labels become train ids as they load). Each shard's SHA-256 is checked \
        once per run, streamed, before it is first read, against OUT/manifest.json (or --catalog): a shard \
        changed after slim wrote it stops the run, as does an output whose slim run has not finished. A sample \
        that cannot be read is reported and left out, and the run ends with 3. Batches hold one stored scale; \
        a sample stored at scale s is cropped at s × --crop and its loss is multiplied by its DANCE weight. \
        Each epoch prints the mean loss, samples/s, the validation mIoU and an ETA, and writes \
        RUN/checkpoint-epoch-N.safetensors, RUN/last.safetensors, RUN/resume.safetensors and RUN/report.json. \
        Ctrl-C (SIGINT) or SIGTERM saves a resumable state after the current step and exits with 130; \
        `dance train --resume RUN` then continues exactly where it stopped (the same per-step losses as an \
        uninterrupted run, bit for bit, with the same --threads). A loss that is not a finite number (a \
        --lr far too large) stops the run with 1, keeping the last good checkpoint.

        --init CKPT fine-tunes: the run trains the checkpoint's network (its width, head, pruned channels \
        and input normalization) starting from its weights; when its classes are not the data's (another \
        count, or other names in train-id order) the classifier is initialised afresh from --seed, and the \
        note printed at the start says which. A run started from a checkpoint is as exact as any: its \
        first state holds the checkpoint's tensors bit for bit, and it resumes bit for bit.

        --resume RUN --epochs N extends a run, finished or not, to N epochs in total. The added epochs see \
        the data (order, crops, flips, dropout) of an N-epoch run and each of their steps takes the \
        learning rate it has in an N-epoch run. The result is not an N-epoch run's: the steps already taken \
        followed the shorter run's schedule, and DeepLab's poly schedule decays to 0 at a run's last step, \
        so no schedule can be lengthened without changing them (the first added step's rate jumps back up; \
        report.json lists every step's learning rate and the extension). For an exact N-epoch run, start it \
        with --epochs N and stop it early (Ctrl-C): --resume then continues it bit for bit.
        """
    )

    @Argument(help: "A slimmed output directory or a dataset root (not needed with --resume).")
    var data: String?

    @Option(help: ArgumentHelp("The run directory (created; must be empty).", valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp(
      "Continue the run in this directory from its resumable state (with --epochs N: extend it to N epochs).", valueName: "dir"))
    var resume: String?

    @Option(
      name: .customLong("init"),
      help: ArgumentHelp(
        "Fine-tune: start from this checkpoint's network and weights (a .safetensors of dance train, or a run directory).",
        valueName: "ckpt"))
    var initFrom: String?

    @Option(parsing: .unconditional, help: "Passes over the training split; with --resume, the epochs to extend the run to. (default: 10)")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Samples per batch. (default: 8)")
    var batch: Int?

    @Option(help: ArgumentHelp("Base crop in pixels, WxH; a sample stored at scale s is cropped at s × WxH (never larger than it). (default: 512x256)", valueName: "WxH"))
    var crop: String?

    @Option(parsing: .unconditional, help: "SGD learning rate at step 0, decayed by DeepLab's poly schedule (power 0.9) to 0. (default: 0.01)")
    var lr: Double?

    @Option(parsing: .unconditional, help: "SGD momentum. (default: 0.9)")
    var momentum: Double?

    @Option(parsing: .unconditional, help: "L2 weight decay, not on batch-norm parameters and biases. (default: 0.0001)")
    var weightDecay: Double?

    @Option(parsing: .unconditional, help: "Width multiplier of every channel count of the network. (default: 0.5)")
    var width: Double?

    @Option(parsing: .unconditional, help: "Backbone output stride, 8 or 16. (default: 16)")
    var outputStride: Int?

    @Flag(help: """
      Match the ASPP head to the training data (as dance model summary --matched-to shows): rates scaled by the mean \
      stored scale, branches wider than the crop's feature map removed.
      """)
    var matchedHead = false

    @Option(help: ArgumentHelp("""
      Progressive network slimming: after each of these epochs (comma-separated, 1-based, before the last) remove the ASPP branches \
      whose learnable gate is small and the head's and decoder's channels whose batch-norm scale is small; \
      L1 penalties push both down during training. The checkpoint is the smaller network.
      """, valueName: "epochs"))
    var pruneAt: String?

    @Option(parsing: .unconditional, help: "With --prune-at: L1 strength on the ASPP gates (default: 0.001) …")
    var gateL1: Double?

    @Option(parsing: .unconditional, help: "… and on the batch-norm scales of the head and the decoder. (default: 0.0001)")
    var scaleL1: Double?

    @Option(parsing: .unconditional, help: """
      With --prune-at: a branch or channel goes when its gate or scale is below this fraction of its unit's largest. (default: 0.1)
      """)
    var pruneThreshold: Double?

    @Option(parsing: .unconditional, help: """
      With --prune-at: at each pruning also remove the smallest-scale channels up to this fraction of each unit, in [0, 1). (default: 0)
      """)
    var pruneFraction: Double?

    @Flag(help: "With --prune-at: also prune the width inside the backbone's last block (layer4).")
    var pruneBackbone = false

    @Option(parsing: .unconditional, help: "Threads of the compute engine, \(Settings.threads.helpRange). (default: all cores)")
    var threads: Int?

    @Option(parsing: .unconditional, help: "Background threads decoding batches, 1…\(TrainingOptions.maximumLoaderThreads). (default: 2)")
    var loaderThreads: Int?

    @Option(parsing: .unconditional, help: "Seed of the weights, data order, crops, flips and dropout (unsigned 64-bit). (default: 0)")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Validation data: a slimmed output or dataset root whose val split is used. Default: DATA's val split when it has one.", valueName: "data"))
    var val: String?

    @Flag(help: "Do not validate.")
    var noVal = false

    @Option(parsing: .unconditional, help: "Validate every this many epochs (and after the last). (default: 1)")
    var evalEvery: Int?

    @Option(parsing: .unconditional, help: "Also save the resumable state every this many steps (0: at epoch ends only). (default: 0)")
    var checkpointEvery: Int?

    @Flag(help: "Ignore the DANCE loss weights (every sample weighs 1).")
    var noWeights = false

    @Option(help: ArgumentHelp("A catalog recording DATA's shards; its member offsets are used instead of the tar headers (never created).", valueName: "path"))
    var catalog: String?

    @OptionGroup var layout: LayoutOptions

    func validate() throws {
      if resume == nil && (data == nil || out == nil) { throw ValidationError("give DATA and --out RUN, or --resume RUN") }
      if resume != nil {
        let given: [Any?] = [data, out, batch, crop, lr, momentum, weightDecay, width, outputStride, loaderThreads, seed, val,
                             evalEvery, checkpointEvery, catalog, initFrom]
        let slimming: [Any?] = [pruneAt, gateL1, scaleL1, pruneThreshold, pruneFraction]
        if given.contains(where: { $0 != nil }) || slimming.contains(where: { $0 != nil }) || noVal || noWeights || matchedHead
          || pruneBackbone
        {
          throw ValidationError("--resume continues a run with its recorded options; only --threads and --epochs (to extend it) may be given")
        }
      }
      if initFrom != nil && (width != nil || outputStride != nil || matchedHead) {
        throw ValidationError("--init trains the checkpoint's network; --width, --output-stride and --matched-head do not apply")
      }
      if let crop, PixelSize(parsing: crop) == nil { throw ValidationError("--crop must be WxH with positive integers, got \(crop)") }
      if let pruneAt, pruneEpochs(pruneAt) == nil { throw ValidationError("--prune-at must be comma-separated epochs, got \(pruneAt)") }
      if pruneAt == nil && (gateL1 != nil || scaleL1 != nil || pruneThreshold != nil || pruneFraction != nil || pruneBackbone) {
        throw ValidationError("--gate-l1, --scale-l1, --prune-threshold, --prune-fraction and --prune-backbone need --prune-at")
      }
      try Settings.threads.check(threads)
      if let loaderThreads, !(1...TrainingOptions.maximumLoaderThreads).contains(loaderThreads) {
        throw ValidationError("--loader-threads must be 1…\(TrainingOptions.maximumLoaderThreads), got \(loaderThreads)")
      }
    }

    func run() throws {
      let run: TrainingRun
      do throws(TrainerError) {
        if let resume {
          run = try TrainingRun.resume(directory: resume, threads: threads, epochs: epochs)
          if let epochs, let added = run.history.extensions.last, added.toEpochs == epochs {
            printNow("extend: \(added.fromEpochs) → \(added.toEpochs) epochs; the added steps take the learning rates "
              + "of a \(added.toEpochs)-epoch run (see dance train --help)")
          }
        } else {
          run = try start()
        }
      } catch {
        throw error
      }
      printNow(describe(run))
      let stop = StopRequest.install()
      let outcome: TrainingOutcome
      do throws(TrainerError) {
        outcome = try run.run(events: TrainingProgress().handle, shouldStop: { stop.isRequested })
      } catch {
        throw RunFailure(underlying: error)
      }
      switch outcome {
      case .interrupted:
        printNow("interrupted: resumable state saved in \(run.directory)/\(RunFiles.resume); continue with dance train --resume \(run.directory)")
        throw ExitCode(130)
      case .finished:
        let report = run.report(status: "finished")
        printNow("finished: \(counted(report.epochsFinished, "epoch")), \(counted(report.steps, "step")), "
          + String(format: "%.1f TFLOPs of training, %.0f s; report %@/%@", report.trainFlops / 1e12, report.wallSeconds, run.directory, RunFiles.report))
        if !report.failures.isEmpty {
          printError("\(counted(report.failures.count, "sample")) could not be loaded and \(report.failures.count == 1 ? "was" : "were") left out (see report.json)")
          throw ExitCode(ExitStatus.partialFailure)
        }
      }
    }

    private func start() throws(TrainerError) -> TrainingRun {
      guard let data, let out else { throw .invalidConfiguration(path: "", reason: "DATA and --out are required") }
      var options = TrainingOptions()
      if let epochs { options.epochs = epochs }
      if let batch { options.batchSize = batch }
      if let crop, let size = PixelSize(parsing: crop) { options.crop = size }
      if let lr { options.learningRate = lr }
      if let momentum { options.momentum = momentum }
      if let weightDecay { options.weightDecay = weightDecay }
      if let width { options.model.widthMultiplier = width }
      if let outputStride { options.model.outputStride = outputStride }
      options.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
      if let loaderThreads { options.loaderThreads = loaderThreads }
      if let seed { options.seed = seed }
      if let evalEvery { options.evaluateEvery = evalEvery }
      if let checkpointEvery { options.checkpointEvery = checkpointEvery }
      options.sampleWeights = !noWeights
      if let pruneAt, let epochs = pruneEpochs(pruneAt) {
        var slimming = NetworkSlimming(pruneEpochs: epochs)
        if let gateL1 { slimming.gatePenalty = gateL1 }
        if let scaleL1 { slimming.scalePenalty = scaleL1 }
        if let pruneThreshold {
          slimming.gateThreshold = pruneThreshold
          slimming.channelThreshold = pruneThreshold
        }
        if let pruneFraction { slimming.pruneFraction = pruneFraction }
        slimming.prunesBackbone = pruneBackbone
        options.slimming = slimming
      }
      if let problem = options.problem { throw .invalidConfiguration(path: out, reason: problem) }
      let discovery: DiscoveryOptions
      do { discovery = try layout.discoveryOptions() } catch {
        throw .invalidConfiguration(path: data, reason: "\(error)")
      }
      let training = try TrainingData.open(data, split: .train, catalogPath: catalog, discovery: discovery)
      let initial = try initFrom.map { (path) throws(TrainerError) in
        try FineTuningStart.read(path, for: training.labelSpace, gated: options.slimming != nil)
      }
      if let initial { printNow(initial.note) }
      if matchedHead {
        let head = training.matchedHead(options.model, crop: options.crop)
        options.model = head.configuration
        for line in head.explanation { printNow("matched head: " + line) }
      }
      var validation: (TrainingData, DataSource)?
      if !noVal {
        let source = val ?? data
        do throws(TrainerError) {
          let opened = try TrainingData.open(source, split: .val, catalogPath: val == nil ? catalog : nil, discovery: discovery)
          validation = (opened, DataSource(path: source, split: .val, catalog: val == nil ? catalog : nil))
        } catch {
          // Only a missing val split falls back to no validation; damaged validation data stops the run.
          guard val == nil, case .missingSplit = error else { throw error }
          printError("no validation: \(error.description) (pass --val DATA, or --no-val)")
        }
      }
      return try TrainingRun.start(
        options: options, data: training, dataSource: DataSource(path: data, split: .train, catalog: catalog),
        validation: validation?.0, validationSource: validation?.1, initialWeights: initial, directory: out)
    }

    private func describe(_ run: TrainingRun) -> String {
      let o = run.options
      var text = "train: \(counted(run.data.count, "sample")) from \(run.data.identity.path) (\(run.data.identity.kind), \(run.data.labelSpace.id)), "
        + "\(counted(run.batchesPerEpoch, "batch", plural: "batches")) of up to \(o.batchSize) per epoch, crop \(o.crop) × scale"
      let alone = EpochPlan.unbatchable(run.data.entries, batchSize: o.batchSize)
      if !alone.isEmpty {
        text += "\nnote: \(counted(alone.count, "sample")) alone at \(alone.count == 1 ? "its" : "their") stored scale cannot form a batch and "
          + "\(alone.count == 1 ? "is" : "are") not trained on"
      }
      if let validation = run.validation { text += "\nval: \(counted(validation.count, "sample")) at full resolution" }
      text += "\nnetwork: \(o.model.description), \(counted(run.model.parameterCount, "parameter")); "
        + "\(counted(o.threads, "compute thread")), \(counted(o.loaderThreads, "loader thread")), seed \(o.seed)"
      return text
    }
  }
}

/// Prints the training progress: a line per epoch, and a live step line on a terminal.
struct TrainingProgress {
  private let live = isatty(STDERR_FILENO) == 1

  func handle(_ event: TrainingEvent) {
    switch event {
    case .step(let epoch, let epochs, let batch, let batches, let loss, let rate):
      guard live else { return }
      let line = String(format: "\r  epoch %d/%d  batch %d/%d  loss %.4f  %.1f samples/s ", epoch, epochs, batch, batches, loss, rate)
      FileHandle.standardError.write(Data(line.utf8))
    case .evaluating(let epoch):
      if live { FileHandle.standardError.write(Data("\r  epoch \(epoch): validating…\u{1B}[K".utf8)) }
    case .epochFinished(let record, let epochs, let remaining):
      if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
      var line = String(format: "epoch %d/%d  loss %.4f  %.1f samples/s  %.1f s", record.epoch, epochs, record.loss,
                        record.samplesPerSecond, record.seconds)
      if let miou = record.miou, let accuracy = record.pixelAccuracy {
        line += String(format: "  val mIoU %.1f %%  pixel acc %.1f %%", miou * 100, accuracy * 100)
      }
      line += "  ETA " + formatDuration(remaining)
      printNow(line)
    case .sampleFailed(let failure):
      printError("\(failure.path): \(failure.reason) (left out)")
    case .pruned(let epoch, let pruning) where pruning.parametersAfter == pruning.parametersBefore:
      printNow("pruning after epoch \(epoch): nothing to remove under --prune-threshold and --prune-fraction; the network stays as it is")
    case .pruned(let epoch, let pruning):
      printNow(String(format: "pruned after epoch %d: %d → %d parameters, %.2f → %.2f GFLOPs per training crop batch; now %@", epoch,
                      pruning.parametersBefore, pruning.parametersAfter, Double(pruning.flopsBefore) / 1e9, Double(pruning.flopsAfter) / 1e9,
                      pruning.model))
    }
  }
}

/// Writes a line to standard output unbuffered, so a log file or pipe sees it at once.
func printNow(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// `1h02m`, `3m05s` or `12s`.
func formatDuration(_ seconds: Double) -> String {
  let total = Int(seconds.rounded())
  if total >= 3600 { return String(format: "%dh%02dm", total / 3600, total % 3600 / 60) }
  if total >= 60 { return String(format: "%dm%02ds", total / 60, total % 60) }
  return "\(total)s"
}

/// A stop request from SIGINT or SIGTERM; a second signal ends the process at once.
final class StopRequest: @unchecked Sendable {
  private let lock = NSLock()
  private var requested = false
  private var sources: [any DispatchSourceSignal] = []

  /// Whether a signal arrived.
  var isRequested: Bool { lock.withLock { requested } }

  /// Routes SIGINT and SIGTERM to a new request.
  static func install() -> StopRequest {
    let request = StopRequest()
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { request.signalled() }
      source.resume()
      request.sources.append(source)
    }
    return request
  }

  private func signalled() {
    let again = lock.withLock { () -> Bool in
      defer { requested = true }
      return requested
    }
    if again { Foundation.exit(130) }
    printError("stopping after this step to save a resumable state (signal again to quit at once)")
  }
}

/// `10,20` → `[10, 20]`; nil unless every piece is a positive integer.
private func pruneEpochs(_ text: String) -> [Int]? {
  let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
  guard !values.isEmpty, let epochs = values as? [Int], epochs.allSatisfy({ $0 >= 1 }) else { return nil }
  return epochs
}

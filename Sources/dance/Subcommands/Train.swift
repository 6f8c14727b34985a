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

    /// The defaults every help text below prints: the one definition is ``TrainingOptions``.
    private static let defaults = TrainingOptions()
    /// The slimming defaults of `--gate-l1` and the other pruning settings.
    private static let slimmingDefaults = NetworkSlimming(pruneEpochs: [])

    @Option(parsing: .unconditional, help: """
      Passes over the training split; with --resume, the epochs to extend the run to. (default: \(defaults.epochs))
      """)
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Samples per batch, \(TrainingSettings.batch.helpRange). (default: \(defaults.batchSize))")
    var batch: Int?

    @Option(help: ArgumentHelp(
      "Base crop in pixels, WxH; a sample stored at scale s is cropped at s × WxH (never larger than it). (default: \(defaults.crop))",
      valueName: "WxH"))
    var crop: String?

    @Option(parsing: .unconditional, help: """
      SGD learning rate at step 0, decayed by DeepLab's poly schedule (power \(format(defaults.poly))) to 0. \
      (default: \(format(defaults.learningRate)))
      """)
    var lr: Double?

    @Option(parsing: .unconditional, help: "SGD momentum, \(TrainingSettings.momentum.helpRange). (default: \(format(defaults.momentum)))")
    var momentum: Double?

    @Option(parsing: .unconditional, help: """
      L2 weight decay, not on batch-norm parameters and biases. (default: \(format(defaults.weightDecay)))
      """)
    var weightDecay: Double?

    @Option(parsing: .unconditional, help: """
      Width multiplier of every channel count of the network. (default: \(format(defaults.model.widthMultiplier)))
      """)
    var width: Double?

    @Option(parsing: .unconditional, help: "Backbone output stride, 8 or 16. (default: \(defaults.model.outputStride))")
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

    @Option(parsing: .unconditional, help: """
      With --prune-at: L1 strength on the ASPP gates (default: \(format(slimmingDefaults.gatePenalty))) …
      """)
    var gateL1: Double?

    @Option(parsing: .unconditional, help: """
      … and on the batch-norm scales of the head and the decoder. (default: \(format(slimmingDefaults.scalePenalty)))
      """)
    var scaleL1: Double?

    @Option(parsing: .unconditional, help: """
      With --prune-at: a branch or channel goes when its gate or scale is below this fraction of its unit's largest, \
      \(TrainingSettings.pruneThreshold.helpRange). (default: \(format(slimmingDefaults.gateThreshold)))
      """)
    var pruneThreshold: Double?

    @Option(parsing: .unconditional, help: """
      With --prune-at: at each pruning also remove the smallest-scale channels up to this fraction of each unit, \
      \(TrainingSettings.pruneFraction.helpRange). (default: \(format(slimmingDefaults.pruneFraction)))
      """)
    var pruneFraction: Double?

    @Flag(help: "With --prune-at: also prune the width inside the backbone's last block (layer4).")
    var pruneBackbone = false

    @Option(parsing: .unconditional, help: "Threads of the compute engine, \(TrainingSettings.threads.helpRange). (default: all cores)")
    var threads: Int?

    @Option(parsing: .unconditional, help: """
      Background threads decoding batches, \(TrainingSettings.loaderThreads.helpRange). (default: \(defaults.loaderThreads))
      """)
    var loaderThreads: Int?

    @Option(parsing: .unconditional, help: """
      Seed of the weights, data order, crops, flips and dropout (unsigned 64-bit). (default: \(defaults.seed))
      """)
    var seed: UInt64?

    @Option(help: ArgumentHelp("Validation data: a slimmed output or dataset root whose val split is used. Default: DATA's val split when it has one.", valueName: "data"))
    var val: String?

    @Flag(help: "Do not validate.")
    var noVal = false

    @Option(parsing: .unconditional, help: "Validate every this many epochs (and after the last). (default: \(defaults.evaluateEvery))")
    var evalEvery: Int?

    @Option(parsing: .unconditional, help: """
      Also save the resumable state every this many steps (0: at epoch ends only). (default: \(defaults.checkpointEvery))
      """)
    var checkpointEvery: Int?

    @Flag(help: "Ignore the DANCE loss weights (every sample weighs 1).")
    var noWeights = false

    @Option(help: ArgumentHelp("A catalog recording DATA's shards; its member offsets are used instead of the tar headers (never created).", valueName: "path"))
    var catalog: String?

    @OptionGroup var layout: LayoutOptions

    func validate() throws {
      if resume == nil && (data == nil || out == nil) { throw ValidationError("give DATA and --out RUN, or --resume RUN") }
      if resume != nil {
        // A resumed run keeps its data, network and settings as recorded.
        let given = settings(over: TrainingOptions()).given.map(\.rawValue)
          + [data, out, val, catalog, initFrom].compactMap { $0 } + (noVal ? ["--no-val"] : []) + (matchedHead ? ["--matched-head"] : [])
        if !given.isEmpty { throw ValidationError(Self.resumeRule + " (given: \(given.joined(separator: ", ")))") }
      }
      if initFrom != nil && (width != nil || outputStride != nil || matchedHead) {
        throw ValidationError("--init trains the checkpoint's network; --width, --output-stride and --matched-head do not apply")
      }
      if let crop, PixelSize(parsing: crop) == nil { throw ValidationError("--crop must be WxH with positive integers, got \(crop)") }
      if let pruneAt, pruneEpochs(pruneAt) == nil { throw ValidationError("--prune-at must be comma-separated epochs, got \(pruneAt)") }
      if pruneAt == nil && (gateL1 != nil || scaleL1 != nil || pruneThreshold != nil || pruneFraction != nil || pruneBackbone) {
        throw ValidationError("--gate-l1, --scale-l1, --prune-threshold, --prune-fraction and --prune-backbone need --prune-at")
      }
      try TrainingSettings.threads.check(threads)
      if resume == nil, let problem = settings(over: TrainingOptions()).options.problem {
        throw ValidationError(problem.message(.commandLine))
      }
    }

    /// What `--resume` allows.
    private static let resumeRule = "--resume continues a run with its recorded options; only --threads and --epochs (to extend it) may be given"

    func run() throws {
      let run: TrainingRun
      if let resume {
        run = try TrainingRun.resume(directory: resume, threads: threads, epochs: epochs)
        if let epochs, let added = run.history.extensions.last, added.toEpochs == epochs {
          printNow("extend: \(added.fromEpochs) → \(added.toEpochs) epochs; the added steps take the learning rates "
            + "of a \(added.toEpochs)-epoch run (see dance train --help)")
        }
      } else {
        run = try start()
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

    /// `base` with the settings given on the command line but `--threads` and `--epochs`, and those
    /// settings; a new run also takes `--epochs` and `--threads` (all cores when not given).
    private func settings(over base: TrainingOptions) -> (options: TrainingOptions, given: [TrainingOptions.Setting]) {
      var options = base, given: [TrainingOptions.Setting] = []
      func set<Value>(_ value: Value?, _ setting: TrainingOptions.Setting, _ apply: (inout TrainingOptions, Value) -> Void) {
        guard let value else { return }
        apply(&options, value)
        if !given.contains(setting) { given.append(setting) }
      }
      if resume == nil {
        if let epochs { options.epochs = epochs }
        options.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
      }
      set(batch, .batch) { $0.batchSize = $1 }
      set(crop.flatMap(PixelSize.init(parsing:)), .crop) { $0.crop = $1 }
      set(lr, .lr) { $0.learningRate = $1 }
      set(momentum, .momentum) { $0.momentum = $1 }
      set(weightDecay, .weightDecay) { $0.weightDecay = $1 }
      set(width, .width) { $0.model.widthMultiplier = $1 }
      set(outputStride, .outputStride) { $0.model.outputStride = $1 }
      set(loaderThreads, .loaderThreads) { $0.loaderThreads = $1 }
      set(seed, .seed) { $0.seed = $1 }
      set(evalEvery, .evaluateEvery) { $0.evaluateEvery = $1 }
      set(checkpointEvery, .checkpointEvery) { $0.checkpointEvery = $1 }
      set(noWeights ? false : nil, .weights) { $0.sampleWeights = $1 }
      set(pruneAt.flatMap(pruneEpochs), .slimming) { options, epochs in
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
      return (options, given)
    }

    private func start() throws(TrainerError) -> TrainingRun {
      guard let data, let out else { throw .invalidConfiguration(path: "", reason: "DATA and --out are required") }
      var options = settings(over: TrainingOptions()).options
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
      let validation = try openValidation(data: data, discovery: discovery)
      return try TrainingRun.start(
        options: options, data: training, dataSource: DataSource(path: data, split: .train, catalog: catalog),
        validation: validation?.0, validationSource: validation?.1, initialWeights: initial, directory: out)
    }

    /// The validation data: --val's, else DATA's val split when it has one (a missing one is said, not an error).
    private func openValidation(data: String, discovery: DiscoveryOptions) throws(TrainerError) -> (TrainingData, DataSource)? {
      guard !noVal else { return nil }
      let source = val ?? data
      do throws(TrainerError) {
        let opened = try TrainingData.open(source, split: .val, catalogPath: val == nil ? catalog : nil, discovery: discovery)
        return (opened, DataSource(path: source, split: .val, catalog: val == nil ? catalog : nil))
      } catch {
        // Only a missing val split falls back to no validation; damaged validation data stops the run.
        guard val == nil, case .missingSplit = error else { throw error }
        printError("no validation: \(error.description) (pass --val DATA, or --no-val)")
        return nil
      }
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

/// `10,20` → `[10, 20]`; nil unless every piece is a positive integer.
private func pruneEpochs(_ text: String) -> [Int]? {
  let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
  guard !values.isEmpty, let epochs = values as? [Int], epochs.allSatisfy({ $0 >= 1 }) else { return nil }
  return epochs
}

/// `0.5`, `0.0001`, `0`: a default as the user would type it.
private func format(_ value: Double) -> String { NumericSetting.format(value) }

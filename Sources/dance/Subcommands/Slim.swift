import ArgumentParser
import Complexity
import DanceCore
import Foundation
import ImageCodecs
import OutputStore
import Pipeline
import Runner
import Slimming

extension Dance {
  /// `dance slim ROOT --out DIR`: the main job.
  struct Slim: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Slim a dataset: plan, resample, encode, and write WebDataset shards plus catalog rows.",
      discussion: """
        Scans and scores the dataset first (cached), plans the training split with the policy \
        (other splits are written at full resolution unless --splits names them), then streams \
        decode → resample (image: area, label: nearest) → encode → shards on all cores. Output: \
        OUT/<split>/<split>-000000.tar … with a DALI .idx per shard and a wids shardindex.json per \
        split; every plan, decision, shard and member offset goes to the catalog. Samples kept at \
        scale 1 whose codec is the output codec are copied byte for byte. Samples that fail, and samples \
        the scan found invalid (left out of the plan, counted with their reasons), end the run with 3.
        Policies: quantile (DANCE bands: drop the lowest --drop fraction, r < 0.4 → 0.5, r < 0.8 → \
        0.75, else 1), budget (keep at most --budget of the pixels, choosing drop or a scale per \
        sample), fixed (--scale for all), none (everything at 1).
        """
    )

    @Argument(help: "The dataset root.")
    var root: String

    @Option(name: .customLong("out"), help: ArgumentHelp("Output directory for the shards.", valueName: "dir"))
    var output: String

    @OptionGroup var catalog: CatalogOptions<WritesCatalog>
    @OptionGroup var layout: LayoutOptions
    @OptionGroup var strictness: StrictnessOptions

    // Defaults, ranges and how settings combine are SlimOptions' (shared with pipeline files): a
    // flag left out keeps SlimOptions' default, and validate() runs SlimOptions' one check.
    private static let defaults = SlimOptions()

    /// A policy's parameter when none is given, for the help.
    private static func defaultParameter(_ policy: SlimPolicyName) -> String { policy.defaultParameter.map(NumericSetting.format) ?? "none" }

    @Option(help: "Slimming policy: quantile, budget, fixed or none. (default: \(defaults.policy.rawValue))")
    var policy: SlimPolicyName?

    @Option(help: "The indicator that ranks samples by complexity. (default: \(defaults.indicator.rawValue))")
    var indicator: String?

    // Numbers are read with `.unconditional` so that `--budget -0.5` is a value (refused by range
    // in validate()), not a flag.
    @Option(parsing: .unconditional, help: "quantile only: fraction of the simplest samples to drop, \(Settings.drop.helpRange). (default: \(Self.defaultParameter(.quantile)))")
    var drop: Double?

    @Option(parsing: .unconditional, help: "budget only: the fraction of the split's original pixels to keep, \(Settings.budget.helpRange). (default: \(Self.defaultParameter(.budget)))")
    var budget: Double?

    @Option(parsing: .unconditional, help: "fixed only: the scale of every sample, \(Settings.scale.helpRange). (default: \(Self.defaultParameter(.fixed)))")
    var scale: Double?

    @Option(help: """
      Loss weights: linear (0.5 … 1.5 by complexity rank, mean 1) or none (all 1). Default: linear with \
      quantile and budget; none with the baselines fixed and none, which should not carry DANCE's weights.
      """)
    var weights: WeightsName?

    @Option(help: ArgumentHelp("""
      Linear loss weights run from MIN for the simplest kept sample to MAX for the most complex, before they are \
      renormalised to mean 1. (default: \(weightRangeDefault))
      """, valueName: "min,max"))
    var weightRange: String?

    @Option(help: ArgumentHelp("""
      budget only: the scales the solver may choose, comma-separated, each in (0, 1]; 1 is always allowed. \
      Leaving out small scales sets a floor on the output size (0.5,0.75 never goes below half size). \
      (default: \(SlimmingPolicy.defaultBudgetScales.map(NumericSetting.format).joined(separator: ",")))
      """, valueName: "list"))
    var scales: String?

    @Flag(help: "budget only: never drop a sample; the budget is met by downsampling alone.")
    var downsampleOnly = false

    @Option(help: ArgumentHelp("""
      Rank samples within the whole split, or within each sequence or city (the key's last part up to its first \
      '_', e.g. CamVid's 0001TP, Cityscapes' aachen), so that no recording is downsampled wholesale. \
      (default: \(defaults.rankGroups.rawValue))
      """, valueName: "split|sequence"))
    var rankWithin: RankGroups?

    @Option(help: ArgumentHelp("""
      Which end of the ranking keeps its size and weighs most: complex-first (DANCE: the most complex samples) or \
      simple-first (the reverse, for experiments). (default: \(defaults.rankOrder.rawValue))
      """, valueName: "order"))
    var rankOrder: RankOrder?

    @Option(help: "Comma-separated splits the policy applies to (train, val, test); others keep full resolution. (default: \(defaults.splits.map(\.rawValue).joined(separator: ",")))")
    var splits: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("""
      A control for experiments: keep the policy's decisions (how many samples are dropped and kept at each scale) \
      but hand them to the samples in this seed's pseudo-random order, not by complexity; no loss weights unless \
      --weights linear, which then follow the rank each sample was handed.
      """, valueName: "seed"))
    var randomAssignment: UInt64?

    @Option(parsing: .unconditional, help: """
      Round output sides to the nearest multiple of this, \(Settings.align.helpRange). Never upscales: \
      a side is rounded down when the nearest multiple exceeds its stored length, and a side shorter than it is \
      left unaligned. (default: \(defaults.align))
      """)
    var align: Int?

    @Option(help: "Image codec in the shards: png, jpg or auto (the source's codec). (default: \(defaults.output.imageCodec.rawValue))")
    var imageCodec: SlimOutputOptions.Codec?

    @Option(parsing: .unconditional, help: "JPEG quality \(Settings.jpegQuality.helpRange) (with jpg output). (default: \(defaults.output.jpegQuality))")
    var jpegQuality: Int?

    @Option(parsing: .unconditional, help: "Compression level \(Settings.pngLevel.helpRange) of image PNGs in the shards, 0 stores, 9 is smallest (ISA-L: 0 to 2, higher taken as 2). (default: \(defaults.output.pngLevel))")
    var pngLevel: Int?

    @Option(help: ArgumentHelp(
      "zlib strategy of image PNGs: rle, standard or huffman. (default: \(defaults.output.pngStrategy.rawValue))",
      discussion: "rle (run-length matches only) is about twice as fast as standard on photographs, for files a few per cent larger; huffman is faster still and larger on flat content."))
    var pngStrategy: PNGEncoder.Strategy?

    @Option(help: ArgumentHelp(
      "Row filter of image PNGs: sub or adaptive. (default: \(defaults.output.pngFilter.rawValue))",
      discussion: "adaptive picks per row the filter with the smallest sum of absolute signed bytes (libpng's heuristic, what OpenCV and PIL write): 4 to 6 % smaller photographs than sub, which decode about 30 % slower; sub suits a trainer bound by PNG decoding."))
    var pngFilter: SlimOutputOptions.PNGFilter?

    @Option(help: ArgumentHelp(
      "Deflate implementation of image PNGs: zlib or isal. (default: \(defaults.output.pngDeflater.rawValue))",
      discussion: "isal (ISA-L, levels 0 to 2) compresses photographs about three to four times as fast as zlib with rle, for files of about the same size; --png-strategy applies to zlib only. ISA-L's bytes are the same on every x86-64 CPU with SSE4.2; older CPUs and other architectures write other bytes of the same pixels. zlib's bytes are the same everywhere; outputs written before ISA-L was the default resume with --png-deflater zlib --png-filter sub --png-level 3."))
    var pngDeflater: PNGEncoder.Deflater?

    @Option(help: "Label resampling: nearest (centre-aligned) or mode (majority of the footprint). (default: \(defaults.output.labelResampling.rawValue))")
    var labelResampling: SlimOutputOptions.LabelResampling?

    @Option(parsing: .unconditional, help: ArgumentHelp(
      "Roll over to a new shard beyond this size: bytes, or with a unit (64MiB, 1GiB, 500MB), \(Settings.shardSize.helpRange). "
        + "(default: \(ByteSize.format(SlimOptions.defaultShardSize)))", valueName: "size"))
    var shardSize: ByteCount?

    @Option(parsing: .unconditional, help: "Roll over to a new shard after this many samples, \(Settings.shardSamples.helpRange).")
    var shardSamples: Int?

    @Flag(help: "Plan only: print and record the plan, write no shard.")
    var dryRun = false

    @Flag(help: "Replace an existing output directory and its catalog rows.")
    var overwrite = false

    @Flag(help: "Stop at the first sample that fails (exit 1).")
    var failFast = false

    @Option(parsing: .unconditional, help: "Worker threads, \(Settings.workers.helpRange). Default: all cores.")
    var workers: Int?

    @Option(
      help: ArgumentHelp(
        "Write only part i of N, e.g. 0/3: each split's kept samples dealt out in the order of a hash of their keys.",
        discussion: "Without it, Slurm arrays (SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT) and Kubernetes Indexed "
          + "Jobs (JOB_COMPLETION_INDEX, with --partitions N) are honoured. Partitions plan from the scores already "
          + "in --catalog (run `dance score ROOT` once first), write shards <split>-partIofN-000000.tar and their "
          + "own catalog OUT/catalog.partIofN.sqlite; join them with `dance catalog merge`.",
        valueName: "i/N"))
    var partition: String?

    @Option(parsing: .unconditional, help: "The number of parts, with JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).")
    var partitions: Int?

    @Flag(help: "Print the report as JSON.")
    var json = false

    /// The settings the flags give, each flag left out keeping SlimOptions' default.
    func makeOptions() throws -> SlimOptions {
      var options = SlimOptions()
      if let policy { options.policy = policy }
      if let indicator { options.indicator = try Indicator.parse(indicator) }
      options.drop = drop
      options.budget = budget
      options.scale = scale
      options.weights = weights
      if let weightRange { options.weightRange = try parseWeightRange(weightRange) }
      if let scales { options.budgetScales = try parseScales(scales, option: "--scales") }
      options.budgetMayDrop = !downsampleOnly
      if let rankWithin { options.rankGroups = rankWithin }
      if let rankOrder { options.rankOrder = rankOrder }
      if let splits { options.splits = try parseSplits(splits, option: "--splits") }
      options.randomAssignment = randomAssignment
      if let align { options.align = align }
      if let imageCodec { options.output.imageCodec = imageCodec }
      if let jpegQuality { options.output.jpegQuality = jpegQuality }
      if let pngLevel { options.output.pngLevel = pngLevel }
      if let pngStrategy { options.output.pngStrategy = pngStrategy }
      if let pngFilter { options.output.pngFilter = pngFilter }
      if let pngDeflater { options.output.pngDeflater = pngDeflater }
      if let labelResampling { options.output.labelResampling = labelResampling }
      options.shardSize = shardSize?.bytes
      options.shardSamples = shardSamples
      options.dryRun = dryRun
      options.overwrite = overwrite
      options.failFast = failFast
      return options
    }

    func validate() throws {
      if let problem = try makeOptions().problem { throw ValidationError(problem.message(.commandLine)) }
      try Settings.workers.check(workers)
      try Settings.partitions.check(partitions)
      if let partition {
        do throws(PipelineError) { _ = try Partition(parsing: partition) } catch { throw ValidationError(error.description) }
      }
    }

    func run() throws {
      let options = try makeOptions()
      let part = try partition.map { text throws(PipelineError) in try Partition(parsing: text) }
        ?? Partition.fromEnvironment(ProcessInfo.processInfo.environment, partitions: partitions)
      let warnings = DecodeWarningLog()
      let context = StageContext(workers: workers, progress: json ? .silent : .automatic, decodeOptions: strictness.decodeOptions(log: warnings))
      let discovery = try layout.discoveryOptions()
      let report = try PipelineRunner.slim(
        root: root, catalogPath: catalog.path, discovery: discovery, outputDirectory: output, options: options,
        partition: part, context: context)
      warnings.record(inCatalog: catalog.path, command: "slim")
      for warning in report.warnings { printError("warning: \(warning)") }
      if json {
        try printJSON(report)
      } else {
        print(SlimReportText.render(report))
      }
      printLeftOut(report.leftOut)
      if !report.failures.isEmpty || !report.leftOut.isEmpty { throw ExitCode(ExitStatus.partialFailure) }
    }
  }
}


/// The text form of a slim report.
enum SlimReportText {
  static func render(_ report: SlimReport) -> String {
    if report.alreadyComplete {
      let shards = report.splits.reduce(0) { $0 + $1.shards }
      return "\(report.output.escapingControlCharacters): already complete (\(counted(shards, "shard")), written before with this "
        + "configuration); nothing to do. --overwrite writes it again."
    }
    var rows = [["split", "policy", "samples", "kept", "dropped", "by scale", "pixels kept", "weights min/mean/max", "shards", "MB"]]
    for split in report.splits {
      let scales = split.byScale.sorted { (Double($0.key) ?? 0) < (Double($1.key) ?? 0) }.map { "\($0.key)×\($0.value)" }
      rows.append([
        split.split, split.policy.text + (split.lambda.map { String(format: " λ=%.4g", $0) } ?? ""), "\(split.samples)",
        "\(split.kept)", "\(split.samples - split.kept)", scales.joined(separator: " "),
        String(format: "%.1f%%", split.pixelFraction * 100),
        split.weights.map { [$0.min, $0.mean, $0.max].map { String(format: "%.2f", $0) }.joined(separator: "/") } ?? "–",
        report.dryRun ? "–" : "\(split.shards)", report.dryRun ? "–" : String(format: "%.1f", Double(split.bytes) / 1e6),
      ])
    }
    var text = report.repairs.map { "resume: \($0.escapingControlCharacters)\n" }.joined() + formatTable(rows)
    for failure in report.failures.prefix(20) { text += "\nfailed: \(failure.escapingControlCharacters)" }
    text += "\n" + (report.dryRun ? "dry run: plan recorded, no shard written" : "\(report.output.escapingControlCharacters): \(counted(report.copiedImages, "image")) copied byte for byte")
    text += String(format: "; %.2f s", report.seconds)
    return text
  }
}

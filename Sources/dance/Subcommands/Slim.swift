import ArgumentParser
import Complexity
import Foundation
import ImageCodecs
import Pipeline
import Slimming

extension Dance {
  /// `dance slim ROOT --out DIR`: the main job.
  struct Slim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Slim a dataset: plan, resample, encode, and write WebDataset shards plus catalog rows.",
      discussion: """
        Scans and scores the dataset first (cached), plans the training split with the policy \
        (other splits are written at full resolution unless --splits names them), then streams \
        decode → resample (image: area, label: nearest) → encode → shards on all cores. Output: \
        OUT/<split>/<split>-000000.tar … with a DALI .idx per shard and a wids shardindex.json per \
        split; every plan, decision, shard and member offset goes to the catalog. Samples kept at \
        scale 1 whose codec is the output codec are copied byte for byte.
        Policies: quantile (DANCE bands: drop the lowest --drop fraction, r < 0.4 → 0.5, r < 0.8 → \
        0.75, else 1), budget (keep at most --budget of the pixels, choosing drop or a scale per \
        sample), fixed (--scale for all), none (everything at 1).
        """
    )

    enum PolicyName: String, ExpressibleByArgument, CaseIterable {
      case quantile, budget, fixed, none
    }

    enum WeightsName: String, ExpressibleByArgument, CaseIterable {
      case linear, none
    }

    @Argument(help: "The dataset root.")
    var root: String

    @Option(name: .customLong("out"), help: ArgumentHelp("Output directory for the shards.", valueName: "dir"))
    var output: String

    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var layout: LayoutOptions
    @OptionGroup var strictness: StrictnessOptions

    @Option(help: "Slimming policy: quantile, budget, fixed or none.")
    var policy: PolicyName = .quantile

    @Option(help: "The indicator that ranks samples by complexity.")
    var indicator = "si-mean"

    @Option(help: "quantile: fraction of the simplest samples to drop, 0 to <1.")
    var drop = 0.1

    @Option(help: "budget: the fraction of the split's original pixels to keep, (0, 1].")
    var budget = 0.5

    @Option(help: "fixed: the scale of every sample, (0, 1].")
    var scale = 0.5

    @Option(help: "Loss weights: linear (0.5 … 1.5 by complexity rank, mean 1) or none (all 1).")
    var weights: WeightsName = .linear

    @Option(help: "Comma-separated splits the policy applies to; others keep full resolution.")
    var splits = "train"

    @Option(help: "Round output sizes to a multiple of this many pixels.")
    var align = 1

    @Option(help: "Image codec in the shards: png, jpg or auto (the source's codec).")
    var imageCodec: SlimOutputOptions.Codec = .auto

    @Option(help: "JPEG quality 1 to 100 (with jpg output).")
    var jpegQuality = 95

    @Option(help: "zlib level 0 (store) to 9 (smallest) of image PNGs in the shards.")
    var pngLevel = 3

    @Option(help: ArgumentHelp(
      "zlib strategy of image PNGs: rle, standard or huffman.",
      discussion: "rle (run-length matches only) is about twice as fast as standard on photographs, for files a few per cent larger; huffman is faster still and larger on flat content."))
    var pngStrategy: PNGEncoder.Strategy = .rle

    @Option(help: "Label resampling: nearest (centre-aligned) or mode (majority of the footprint).")
    var labelResampling: SlimOutputOptions.LabelResampling = .nearest

    @Option(help: "Roll over to a new shard beyond this many bytes (default 268435456 = 256 MiB).")
    var shardSize: Int?

    @Option(help: "Roll over to a new shard after this many samples.")
    var shardSamples: Int?

    @Flag(help: "Plan only: print and record the plan, write no shard.")
    var dryRun = false

    @Flag(help: "Replace an existing output directory and its catalog rows.")
    var overwrite = false

    @Flag(help: "Stop at the first sample that fails (exit 1).")
    var failFast = false

    @Option(help: "Worker threads. Default: all cores.")
    var workers: Int?

    @Option(
      help: ArgumentHelp(
        "Write only part i of N (a stable hash of the sample key), e.g. 0/3.",
        discussion: "Without it, Slurm arrays (SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT) and Kubernetes Indexed "
          + "Jobs (JOB_COMPLETION_INDEX, with --partitions N) are honoured. Partitions plan from the scores already "
          + "in --catalog (run `dance score ROOT` once first), write shards <split>-partIofN-000000.tar and their "
          + "own catalog OUT/catalog.partIofN.sqlite; join them with `dance catalog merge`.",
        valueName: "i/N"))
    var partition: String?

    @Option(help: "The number of parts, with JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).")
    var partitions: Int?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func makePolicy() -> SlimmingPolicy {
      switch policy {
      case .quantile: return .quantile(drop: drop, bands: SlimmingPolicy.defaultBands)
      case .budget: return .budget(pixelBudget: budget, scales: SlimmingPolicy.defaultBudgetScales)
      case .fixed: return .fixed(scale: scale)
      case .none: return .none
      }
    }

    func validate() throws {
      guard Indicator(rawValue: indicator) != nil else {
        throw ValidationError("unknown indicator '\(indicator)'; known: \(Indicator.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      do { try makePolicy().validate() } catch { throw ValidationError(error.description) }
      if align < 1 { throw ValidationError("--align must be at least 1") }
      if !(0...9).contains(pngLevel) { throw ValidationError("--png-level must be 0 to 9") }
      if !(1...100).contains(jpegQuality) { throw ValidationError("--jpeg-quality must be 1 to 100") }
    }

    func run() async throws {
      var options = SlimOutputOptions()
      options.imageCodec = imageCodec
      options.jpegQuality = jpegQuality
      options.pngLevel = pngLevel
      options.pngStrategy = pngStrategy
      options.labelResampling = labelResampling
      var configuration = SlimConfiguration(
        root: root, catalogPath: catalog.path, outputDirectory: output, discovery: try layout.discoveryOptions(),
        policy: makePolicy(), indicator: Indicator(rawValue: indicator) ?? .siMean,
        weights: weights == .none ? .none : .standard, slimmedSplits: splits.split(separator: ",").map(String.init),
        align: align, output: options, shardMaxBytes: shardSize ?? (shardSamples == nil ? 256 << 20 : nil),
        shardMaxSamples: shardSamples, dryRun: dryRun, overwrite: overwrite, failFast: failFast, workers: workers,
        progress: json ? .silent : .automatic)
      configuration.partition = try runJob { () throws(PipelineError) in
        if let partition { return try Partition(parsing: partition) }
        return try Partition.fromEnvironment(ProcessInfo.processInfo.environment, partitions: partitions)
      }
      let warnings = DecodeWarningLog()
      configuration.decodeOptions = strictness.decodeOptions(log: warnings)
      let report = try runJob { () throws(PipelineError) in try SlimJob.run(configuration) }
      warnings.record(inCatalog: catalog.path, command: "slim")
      if json {
        try printJSON(report)
      } else {
        print(SlimReportText.render(report))
      }
      if !report.failures.isEmpty { throw ExitCode(ExitStatus.partialFailure) }
    }
  }
}


/// The text form of a slim report.
enum SlimReportText {
  static func render(_ report: SlimReport) -> String {
    var rows = [["split", "policy", "samples", "kept", "dropped", "by scale", "pixels kept", "weights min/mean/max", "shards", "MB"]]
    for split in report.splits {
      let scales = split.byScale.sorted { (Double($0.key) ?? 0) < (Double($1.key) ?? 0) }.map { "\($0.key)×\($0.value)" }
      rows.append([
        split.split, split.policy + (split.lambda.map { String(format: " λ=%.4g", $0) } ?? ""), "\(split.samples)",
        "\(split.kept)", "\(split.samples - split.kept)", scales.joined(separator: " "),
        String(format: "%.1f%%", split.pixelFraction * 100),
        split.weights.isEmpty ? "–" : split.weights.map { String(format: "%.2f", $0) }.joined(separator: "/"),
        report.dryRun ? "–" : "\(split.shards)", report.dryRun ? "–" : String(format: "%.1f", Double(split.bytes) / 1e6),
      ])
    }
    var text = formatTable(rows)
    for failure in report.failures.prefix(20) { text += "\nfailed: \(failure)" }
    text += "\n" + (report.dryRun ? "dry run: plan recorded, no shard written" : "\(report.output): \(report.copiedImages) images copied byte for byte")
    text += String(format: "; %.2f s", report.seconds)
    return text
  }
}

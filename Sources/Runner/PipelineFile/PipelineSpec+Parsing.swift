import Pipeline
import Complexity
import DanceCore
import Datasets
public import Foundation
import ImageCodecs
import OutputStore
import Slimming
import Synthetic
import Yams

extension PipelineSpec {
  /// The keys of each section, in documentation order.
  static let keys: [String: [String]] = [
    "top": ["version", "catalog", "workers", "dataset", "synth", "scan", "score", "audit", "slim", "verify"],
    "dataset": ["root", "format", "camvid_grouping", "name"],
    "synth": ["format"] + [Settings.trainSamples, Settings.valSamples, Settings.testSamples].map(\.name) + ["size", "seed", "style", "overwrite"],
    "scan": ["verify_images"],
    "score": ["indicators", "splits", "fail_fast"],
    "audit": ["html", "rank_by", "extremes"],
    "slim": [
      "out", "policy", "drop", "budget", "scale", "indicator", "weights", "splits", "align", "image_codec",
      "jpeg_quality", "png_level", "png_strategy", "png_filter", "png_deflater", "label_resampling", "shard_size", "shard_samples", "random_assignment", "overwrite",
      "dry_run", "fail_fast", "scales", "downsample_only", "rank_within", "rank_order", "weight_range",
    ],
  ]

  /// Reads and parses the pipeline file at `path` (relative paths inside resolve against its directory).
  /// - Throws: ``PipelineSpecError`` naming the line and the reason.
  public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    throws(PipelineSpecError) -> PipelineSpec
  {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw PipelineSpecError(path: path, line: 1, reason: "cannot read the pipeline file")
    }
    return try parse(yaml: text, path: path, environment: environment)
  }

  /// Parses pipeline YAML; `path` names the file in messages and its directory anchors relative paths.
  /// - Throws: ``PipelineSpecError`` naming the line and the reason.
  public static func parse(yaml: String, path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    throws(PipelineSpecError) -> PipelineSpec
  {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL
    let reader = SpecReader(path: path, baseDirectory: absolute.deletingLastPathComponent().path, environment: environment)
    let root: Node?
    do {
      root = try Yams.compose(yaml: yaml)
    } catch let error as YamlError {
      throw reader.error(line: yamlErrorLine(error), "invalid YAML: \(yamlErrorProblem(error))")
    } catch {
      throw reader.error(line: 1, "invalid YAML: \(error)")
    }
    guard let root else { throw reader.error(line: 1, "the file is empty; see Pipelines/README.md") }
    return try parse(root, reader: reader, path: absolute.path)
  }

  private static func parse(_ root: Node, reader r: SpecReader, path: String) throws(PipelineSpecError) -> PipelineSpec {
    let top = try r.section(root, name: "the pipeline file", allowed: keys["top"] ?? [])
    guard let versionNode = top["version"] else { throw r.error(line: top.line, "missing 'version: 1' at the top level") }
    guard try r.string(versionNode, "version") == "1" else {
      throw r.error(versionNode, "'version' must be 1, got '\(try r.string(versionNode, "version"))'")
    }
    guard let catalogNode = top["catalog"] else { throw r.error(line: top.line, "missing 'catalog' (the SQLite catalog file)") }
    guard let datasetNode = top["dataset"] else { throw r.error(line: top.line, "missing 'dataset' (at least 'root')") }
    guard let slimNode = top["slim"] else { throw r.error(line: top.line, "missing 'slim' (at least 'out')") }
    let dataset = try parseDataset(datasetNode, r)
    let (output, slim) = try parseSlim(slimNode, r)
    var spec = PipelineSpec(path: path, catalog: try r.path(catalogNode, "catalog"), dataset: dataset, output: output)
    spec.slim = slim
    if let node = top["workers"] { spec.workers = try r.int(node, Settings.workers) }
    if let node = top["synth"] { spec.synth = try parseSynth(node, r, dataset: dataset) }
    if let node = top["scan"] {
      let section = try r.section(emptyIfNull(node), name: "'scan'", allowed: keys["scan"] ?? [])
      if let value = section["verify_images"] { spec.scan.verifyImages = try r.bool(value, "verify_images") }
    }
    if let node = top["score"] { spec.score = try parseScore(node, r) }
    if let node = top["audit"] { spec.audit = try parseAudit(node, r) }
    if let node = top["verify"] { spec.verify = try r.bool(node, "verify") }
    return spec
  }

  /// An empty mapping for `key:` with no value, so that a section with only defaults may be left empty.
  private static func emptyIfNull(_ node: Node) -> Node {
    if case .scalar(let scalar) = node, scalar.style == .plain, ["", "~", "null"].contains(scalar.string) {
      return Node.mapping(Node.Mapping([], .implicit, .any, scalar.mark))
    }
    return node
  }

  private static func parseDataset(_ node: Node, _ r: SpecReader) throws(PipelineSpecError) -> Dataset {
    let section = try r.section(node, name: "'dataset'", allowed: keys["dataset"] ?? [])
    guard let root = section["root"] else { throw r.error(line: section.line, "'dataset' needs 'root' (the dataset folder)") }
    var dataset = Dataset(root: try r.path(root, "root"))
    if let value = section["format"] { dataset.format = try r.choice(value, "format", DatasetFormat.self) }
    if let value = section["camvid_grouping"] { dataset.camvidGrouping = try r.path(value, "camvid_grouping") }
    if let value = section["name"] {
      guard let name = DatasetName(try r.string(value, "name")) else {
        throw r.error(value, "'name' must be 1 to \(DatasetName.maxLength) characters of A-Z a-z 0-9 _ -")
      }
      dataset.name = name
    }
    return dataset
  }

  private static func parseSynth(_ node: Node, _ r: SpecReader, dataset: Dataset) throws(PipelineSpecError) -> Synth {
    let section = try r.section(emptyIfNull(node), name: "'synth'", allowed: keys["synth"] ?? [])
    let format: DatasetFormat
    if let value = section["format"] {
      format = try r.choice(value, "format", DatasetFormat.self)
    } else if let given = dataset.format {
      format = given
    } else {
      throw r.error(line: section.line, "'synth' needs 'format' (cityscapes, camvid, ade20k, voc or generic) unless 'dataset' has one")
    }
    var synth = Synth(format: format)
    if let value = section[Settings.trainSamples.name] { synth.train = try r.int(value, Settings.trainSamples) }
    if let value = section[Settings.valSamples.name] { synth.val = try r.int(value, Settings.valSamples) }
    if let value = section[Settings.testSamples.name] {
      synth.test = try r.int(value, Settings.testSamples)
      if format != .camvid && format != .generic, synth.test ?? 0 > 0 {
        throw r.error(value, "'test' applies to CamVid and generic only (\(format.rawValue) has train and val)")
      }
    }
    if let value = section["size"] {
      let text = try r.string(value, "size")
      let side = SyntheticDatasetConfiguration.minimumSide...SyntheticDatasetConfiguration.maximumSide
      guard let size = SyntheticDatasetConfiguration.ImageSize(parsing: text), side.contains(size.width), side.contains(size.height)
      else {
        throw r.error(value, "'size' must be WIDTHxHEIGHT in pixels, \(side.lowerBound)…\(side.upperBound) each, got '\(text)'")
      }
      synth.size = size
    }
    if let value = section["seed"] { synth.seed = try r.seed(value, "seed") }
    if let value = section["style"] { synth.style = try r.choice(value, "style", SyntheticDatasetConfiguration.Style.self) }
    if let value = section["overwrite"] { synth.overwrite = try r.bool(value, "overwrite") }
    return synth
  }

  private static func parseScore(_ node: Node, _ r: SpecReader) throws(PipelineSpecError) -> ScoreOptions {
    let section = try r.section(emptyIfNull(node), name: "'score'", allowed: keys["score"] ?? [])
    var score = ScoreOptions()
    if let value = section["indicators"] { score.indicators = try parseIndicators(value, r) }
    if let value = section["splits"] { score.splits = try r.splits(value, "splits") }
    if let value = section["fail_fast"] { score.failFast = try r.bool(value, "fail_fast") }
    return score
  }

  /// `default`, `all`, or a list (YAML list or comma-separated) of indicator ids.
  private static func parseIndicators(_ node: Node, _ r: SpecReader) throws(PipelineSpecError) -> [Indicator] {
    if case .scalar = node {
      switch try r.string(node, "indicators") {
      case "default": return Indicator.defaultSet
      case "all": return Indicator.allCases
      default: break
      }
    }
    var indicators: [Indicator] = []
    for item in try r.list(node, "indicators") {
      guard let indicator = Indicator(rawValue: item.text) else {
        let known = Indicator.allCases.map(\.rawValue).joined(separator: ", ")
        throw r.error(item.node, "unknown indicator '\(item.text)' in 'indicators' (known: default, all, \(known))")
      }
      if !indicators.contains(indicator) { indicators.append(indicator) }
    }
    return indicators
  }

  private static func parseAudit(_ node: Node, _ r: SpecReader) throws(PipelineSpecError) -> Audit {
    let section = try r.section(node, name: "'audit'", allowed: keys["audit"] ?? [])
    guard let html = section["html"] else { throw r.error(line: section.line, "'audit' needs 'html' (the report file)") }
    var audit = Audit(html: try r.path(html, "html"))
    if let value = section["rank_by"] { audit.rankBy = try r.choice(value, "rank_by", Indicator.self) }
    if let value = section["extremes"] { audit.extremes = try r.int(value, Settings.extremes) }
    return audit
  }
}

/// The line of a Yams error, when it has one.
func yamlErrorLine(_ error: YamlError) -> Int {
  switch error {
  case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
  case .duplicatedKeysInMapping(_, let context): context.mark.line
  default: 1
  }
}

/// The problem of a Yams error, without the echoed source text.
func yamlErrorProblem(_ error: YamlError) -> String {
  switch error {
  case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
  case .duplicatedKeysInMapping(let duplicates, _): "duplicate key '\(duplicates.joined(separator: "', '"))'"
  default: "\(error)"
  }
}

extension PipelineSpec {
  /// The `slim:` section: its output directory and its settings, mapped key by key onto
  /// ``SlimOptions`` and then checked by ``SlimOptions/problem`` (the check `dance slim` runs too),
  /// naming the line of the offending key.
  static func parseSlim(_ node: Node, _ r: SpecReader) throws(PipelineSpecError) -> (output: String, options: SlimOptions) {
    let section = try r.section(node, name: "'slim'", allowed: keys["slim"] ?? [])
    guard let out = section["out"] else { throw r.error(line: section.line, "'slim' needs 'out' (the shard directory)") }
    var slim = SlimOptions()
    if let value = section["policy"] { slim.policy = try r.choice(value, "policy", SlimPolicyName.self) }
    if let value = section["drop"] { slim.drop = try r.number(value, Settings.drop) }
    if let value = section["budget"] { slim.budget = try r.number(value, Settings.budget) }
    if let value = section["scale"] { slim.scale = try r.number(value, Settings.scale) }
    if let value = section["indicator"] { slim.indicator = try r.choice(value, "indicator", Indicator.self) }
    if let value = section["weights"] { slim.weights = try r.choice(value, "weights", WeightsName.self) }
    if let value = section["splits"] { slim.splits = try r.splits(value, "splits") }
    if let value = section["align"] { slim.align = try r.int(value, Settings.align) }
    if let value = section["image_codec"] { slim.output.imageCodec = try r.choice(value, "image_codec", SlimOutputOptions.Codec.self) }
    if let value = section["jpeg_quality"] { slim.output.jpegQuality = try r.int(value, Settings.jpegQuality) }
    if let value = section["png_level"] { slim.output.pngLevel = try r.int(value, Settings.pngLevel) }
    if let value = section["png_strategy"] { slim.output.pngStrategy = try r.choice(value, "png_strategy", PNGEncoder.Strategy.self) }
    if let value = section["png_filter"] { slim.output.pngFilter = try r.choice(value, "png_filter", SlimOutputOptions.PNGFilter.self) }
    if let value = section["png_deflater"] { slim.output.pngDeflater = try r.choice(value, "png_deflater", PNGEncoder.Deflater.self) }
    if let value = section["label_resampling"] {
      slim.output.labelResampling = try r.choice(value, "label_resampling", SlimOutputOptions.LabelResampling.self)
    }
    if let value = section["shard_size"] { slim.shardSize = try r.bytes(value, Settings.shardSize) }
    if let value = section["shard_samples"] { slim.shardSamples = try r.int(value, Settings.shardSamples) }
    if let value = section["random_assignment"] { slim.randomAssignment = try r.seed(value, "random_assignment") }
    if let value = section["scales"] {
      slim.budgetScales = []
      for item in try r.list(value, "scales") {
        guard let scale = Double(item.text), Settings.scale.allows(scale) else {
          throw r.error(item.node, "'scales' must list scales \(Settings.scale.requirement), got '\(item.text)'")
        }
        slim.budgetScales!.append(scale)
      }
    }
    if let value = section["downsample_only"] { slim.budgetMayDrop = !(try r.bool(value, "downsample_only")) }
    if let value = section["rank_within"] { slim.rankGroups = try r.choice(value, "rank_within", RankGroups.self) }
    if let value = section["rank_order"] { slim.rankOrder = try r.choice(value, "rank_order", RankOrder.self) }
    if let value = section["weight_range"] {
      let bounds = try r.list(value, "weight_range").map { item in Double(item.text) }
      guard bounds.count == 2, let low = bounds[0], let high = bounds[1], low <= high else {
        throw r.error(value, "'weight_range' must be two numbers MIN, MAX with MIN ≤ MAX")
      }
      slim.weightRange = low...high
    }
    if let value = section["overwrite"] { slim.overwrite = try r.bool(value, "overwrite") }
    if let value = section["dry_run"] { slim.dryRun = try r.bool(value, "dry_run") }
    if let value = section["fail_fast"] { slim.failFast = try r.bool(value, "fail_fast") }
    if let problem = slim.problem {
      guard let value = section[problem.key] else { throw r.error(line: section.line, problem.message(.pipelineFile)) }
      throw r.error(value, problem.message(.pipelineFile))
    }
    return (try r.path(out, "out"), slim)
  }
}

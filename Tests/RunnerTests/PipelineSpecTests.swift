import Complexity
import DanceCore
import Datasets
import Foundation
import OutputStore
import Pipeline
import Runner
import Slimming
import Synthetic
import Testing

/// The repository's `Pipelines/` folder, found from this file.
private let pipelinesDirectory = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("Pipelines")

/// A minimal valid file, with `extra` lines appended under `slim:` when given.
private func minimal(slim extra: String = "", tail: String = "") -> String {
  """
  version: 1
  catalog: out/catalog.sqlite
  dataset:
    root: data/cityscapes
  slim:
    out: out/shards
  \(extra)
  \(tail)
  """
}

/// Parses `yaml` as if it were `/specs/test.yaml`.
private func parse(_ yaml: String, environment: [String: String] = [:]) throws(PipelineSpecError) -> PipelineSpec {
  try PipelineSpec.parse(yaml: yaml, path: "/specs/test.yaml", environment: environment)
}

/// The error parsing `yaml` throws.
private func failure(_ yaml: String, environment: [String: String] = [:]) -> PipelineSpecError? {
  do {
    _ = try parse(yaml, environment: environment)
    return nil
  } catch {
    return error
  }
}

@Suite struct PipelineSpecTests {
  @Test(arguments: ["demo.yaml", "cityscapes-dance.yaml", "camvid-dance.yaml", "ade20k-dance.yaml"])
  func shippedFilesParse(name: String) throws {
    let spec = try PipelineSpec.load(path: pipelinesDirectory.appendingPathComponent(name).path, environment: [:])
    #expect(spec.verify)
    #expect(spec.slim.resolvedPolicy == .quantileDefault)
    #expect(spec.slim.weightScheme == .standard)
    #expect(spec.catalog.hasPrefix(pipelinesDirectory.deletingLastPathComponent().path + "/"))
  }

  @Test func demoMatchesTheDemoScript() throws {
    let spec = try PipelineSpec.load(path: pipelinesDirectory.appendingPathComponent("demo.yaml").path, environment: ["DEMO_OUT": "/tmp/d"])
    #expect(spec.catalog == "/tmp/d/catalog.sqlite")
    #expect(spec.dataset.root == "/tmp/d/cityscapes")
    #expect(spec.synth == PipelineSpec.Synth(
      format: .cityscapes, train: 48, val: 12, test: nil, size: .init(width: 512, height: 256), seed: 1, overwrite: true))
    #expect(spec.score.indicators == Indicator.allCases)
    #expect(spec.audit?.html == "/tmp/d/audit.html")
    #expect(spec.output == "/tmp/d/shards")
    #expect(spec.slim.shardSamples == 16 && spec.slim.shardMaxBytes == nil)
  }

  @Test func defaults() throws {
    let spec = try parse(minimal())
    #expect(spec.path == "/specs/test.yaml")
    #expect(spec.catalog == "/specs/out/catalog.sqlite")
    #expect(spec.dataset.root == "/specs/data/cityscapes")
    #expect(spec.output == "/specs/out/shards")
    #expect(spec.synth == nil && spec.audit == nil && !spec.verify && spec.workers == nil)
    #expect(spec.score.indicators == Indicator.defaultSet)
    #expect(spec.slim.shardMaxBytes == SlimOptions.defaultShardSize && spec.slim.splits == [.train])
  }

  @Test func pathsAndVariables() throws {
    let yaml = """
      version: 1
      catalog: ~/c.sqlite
      dataset:
        root: ${ROOT}/../cs
      slim:
        out: ${OUT:-./out}/s
      audit:
        html: /abs/a.html
      """
    let spec = try parse(yaml, environment: ["HOME": "/home/u", "ROOT": "rel/dir"])
    #expect(spec.catalog == "/home/u/c.sqlite")
    #expect(spec.dataset.root == "/specs/rel/cs")
    #expect(spec.output == "/specs/out/s")
    #expect(spec.audit?.html == "/abs/a.html")
    let unset = failure(yaml, environment: [:])
    #expect(unset?.line == 4)
    #expect(unset?.reason.contains("'ROOT' is not set") == true)
  }

  @Test func unknownKeysAtEveryLevel() {
    let top = failure(minimal(tail: "verfy: true"))
    #expect(top?.description.hasPrefix("/specs/test.yaml:8: unknown key 'verfy' in the pipeline file (expected one of: version,") == true)
    let slim = failure(minimal(slim: "  polcy: budget"))
    #expect(slim?.line == 7)
    #expect(slim?.reason.hasPrefix("unknown key 'polcy' in 'slim' (expected one of: out, policy, drop, budget,") == true)
    let dataset = failure("version: 1\ncatalog: c\ndataset:\n  rot: r\nslim: {out: o}")
    #expect(dataset?.line == 4)
    #expect(dataset?.reason.hasPrefix("unknown key 'rot' in 'dataset' (expected one of: root, format, camvid_grouping, name)") == true)
    for (section, key) in [("scan", "verify"), ("score", "indicator"), ("audit", "htm"), ("synth", "tran")] {
      let error = failure(minimal(tail: "\(section):\n  \(key): 1"))
      #expect(error?.line == 9, "\(section)")
      #expect(error?.reason.hasPrefix("unknown key '\(key)' in '\(section)'") == true, "\(section): \(String(describing: error))")
    }
  }

  @Test func badValuesNameTheLine() {
    let cases: [(String, String, String)] = [
      ("  policy: budget\n  budget: half", "", "'budget' must be a number in (0, 1], got 'half'"),
      ("  policy: budget\n  budget: 1.5", "", "'budget' must be a number in (0, 1], got '1.5'"),
      ("  drop: 1", "", "'drop' must be a number in [0, 1), got '1'"),
      ("  policy: budgett", "", "'policy' must be one of: quantile, budget, fixed, none; got 'budgett'"),
      ("  policy: fixed\n  drop: 0.2", "", "'drop' applies to policy quantile only (this file's policy is fixed)"),
      ("  shard_samples: -3", "", "'shard_samples' must be a whole number 1 or more, got '-3'"),
      ("  jpeg_quality: 101", "", "'jpeg_quality' must be a whole number in 1…100, got '101'"),
      ("  overwrite: maybe", "", "'overwrite' must be true or false, got 'maybe'"),
      ("  image_codec: webp", "", "'image_codec' must be one of: png, jpg, auto; got 'webp'"),
      ("  splits: [train, [val]]", "", "'splits' must be a single value, got a list"),
      ("", "score:\n  indicators: [si, sharpness]", "unknown indicator 'sharpness' in 'indicators'"),
      ("", "synth:\n  format: cityscapes\n  size: big", "'size' must be WIDTHxHEIGHT in pixels, 32…8192 each, got 'big'"),
      ("", "workers: 0", "'workers' must be a whole number in 1…4096, got '0'"),
      ("", "scan: [a]", "'scan' must be a mapping of keys to values, got a list"),
    ]
    for (slim, tail, reason) in cases {
      let yaml = minimal(slim: slim, tail: tail)
      let error = failure(yaml)
      #expect(error?.reason.hasPrefix(reason) == true, "\(reason) ← \(String(describing: error))")
      // The reported line holds the offending key or value.
      let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
      if let line = error?.line, line <= lines.count {
        let text = lines[line - 1]
        let word = String(reason.dropFirst().prefix { $0 != "'" })
        #expect(text.contains(word) || reason.hasPrefix("unknown indicator") || reason.hasPrefix("'scan'"), "line \(line): \(text)")
      }
    }
  }

  /// Issue 12 D1–D3: ranges from the shared definitions, other policies' parameters, split names.
  @Test(arguments: [
    (slim: "  shard_size: 100", tail: "", reason: "'shard_size' must be a whole number 10240 or more, got '100'"),
    (slim: "  align: 100000", tail: "", reason: "'align' must be a whole number in 1…4096, got '100000'"),
    (slim: "  policy: budget\n  budget: -0.5", tail: "", reason: "'budget' must be a number in (0, 1], got '-0.5'"),
    (slim: "  policy: quantile\n  scale: 0.5", tail: "", reason: "'scale' applies to policy fixed only (this file's policy is quantile)"),
    (slim: "  policy: budget\n  drop: 0.1", tail: "", reason: "'drop' applies to policy quantile only (this file's policy is budget)"),
    (slim: "  splits: [trian]", tail: "", reason: "unknown split 'trian' in 'splits' (known: train, val, test)"),
    (slim: "  scales: [0.5]", tail: "", reason: "'scales' applies to the budget policy only"),
    (slim: "  splits: train, bogus", tail: "", reason: "unknown split 'bogus' in 'splits'"),
    (slim: "", tail: "score:\n  splits: [vall]", reason: "unknown split 'vall' in 'splits'"),
  ])
  func refusedLikeTheCommandLine(slim: String, tail: String, reason: String) {
    let error = failure(minimal(slim: slim, tail: tail))
    #expect(error?.reason.hasPrefix(reason) == true, "\(String(describing: error))")
  }

  /// Issue 12 D7: the baselines fixed and none carry no weights unless asked to.
  @Test(arguments: [
    (slim: "  policy: fixed", weights: WeightScheme.none), (slim: "  policy: none", weights: .none),
    (slim: "  policy: fixed\n  weights: linear", weights: .standard), (slim: "  policy: quantile", weights: .standard),
    (slim: "  policy: budget", weights: .standard), (slim: "", weights: .standard),
  ])
  func defaultWeightsFollowThePolicy(slim: String, weights: WeightScheme) throws {
    #expect(try parse(minimal(slim: slim)).slim.weightScheme == weights)
  }

  @Test func missingAndMalformed() {
    #expect(failure("version: 2\ncatalog: c\ndataset: {root: r}\nslim: {out: o}")?.description == "/specs/test.yaml:1: 'version' must be 1, got '2'")
    #expect(failure("version: 1\ndataset: {root: r}\nslim: {out: o}")?.reason.hasPrefix("missing 'catalog'") == true)
    #expect(failure("version: 1\ncatalog: c\ndataset: {root: r}\nslim: {policy: none}")?.reason.hasPrefix("'slim' needs 'out'") == true)
    #expect(failure("")?.reason.hasPrefix("the file is empty") == true)
    let syntax = failure("version: 1\ncatalog: [c\n")
    #expect(syntax?.reason.hasPrefix("invalid YAML") == true)
    let duplicate = failure("version: 1\ncatalog: c\ncatalog: d\ndataset: {root: r}\nslim: {out: o}")
    #expect(duplicate?.reason.contains("duplicate key 'catalog'") == true)
  }

  @Test func policiesAndLists() throws {
    let spec = try parse(minimal(slim: "  policy: budget\n  budget: 0.25\n  splits: train, val\n  weights: none", tail: "score:\n  indicators: si, si-mean"))
    #expect(spec.slim.resolvedPolicy == .budget(pixelBudget: 0.25, scales: SlimmingPolicy.defaultBudgetScales))
    #expect(spec.slim.splits == [.train, .val])
    #expect(spec.slim.weightScheme == WeightScheme.none)
    #expect(spec.score.indicators == [.si, .siMean])
    #expect(try parse(minimal(slim: "  policy: fixed\n  scale: 0.75")).slim.resolvedPolicy == .fixed(scale: 0.75))
    #expect(try parse(minimal(tail: "scan:\nscore:")).scan.verifyImages == false)
  }

  @Test func endToEndWithSynth() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dance-spec-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let yaml = """
      version: 1
      catalog: catalog.sqlite
      workers: 2
      dataset: {root: data, format: cityscapes}
      synth: {train: 8, val: 2, size: 128x64, seed: 3}
      score: {indicators: default}
      audit: {html: audit.html, extremes: 2}
      slim: {out: shards, shard_samples: 4}
      verify: true
      """
    let path = directory.appendingPathComponent("p.yaml").path
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    let spec = try PipelineSpec.load(path: path, environment: [:])
    var names: [String] = []
    let report = try PipelineRunner.run(spec, progress: .silent) { stage in names.append("\(stage)".prefix { $0 != "(" }.description) }
    #expect(names == ["synth", "scan", "score", "audit", "slim", "verify"])
    #expect(report.failedSamples == 0 && report.verifyProblems == 0)
    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("audit.html").path))
    let verified = try ShardVerifier.verify(output: spec.output, catalogPath: spec.catalog)
    #expect(verified.problems.isEmpty && verified.shards >= 2 && verified.samples >= 8)
  }
}

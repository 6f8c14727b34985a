import Foundation
import TestSupport
import Testing

/// Issue 26, D8: one JSON style in every file and `--json` output: snake_case keys, every score's
/// unit in its key, every path absolute, the same shape for both exports; checkpoints' metadata
/// written in snake_case, and checkpoints written before in camelCase still read.
@Suite(.serialized) struct JSONStyleTests {
  /// Keys whose values are paths.
  static let pathKeys: Set<String> = ["path", "root", "catalog", "output", "destination", "file", "directory", "image_path", "label_path"]
  /// Objects whose keys are data (class names, indicator ids), not field names.
  static let dataObjects: Set<String> = ["per_class_iou_fraction", "class_shares", "by_scale", "scores"]

  /// Every key and path value of `json` that breaks the style, as `where: what`.
  static func styleProblems(_ json: Any, at path: String = "") -> [String] {
    if let array = json as? [Any] { return array.flatMap { styleProblems($0, at: path + "[]") } }
    guard let object = json as? [String: Any] else { return [] }
    var problems: [String] = []
    for (key, value) in object {
      if key.contains(where: \.isUppercase) { problems.append("\(path).\(key): not snake_case") }
      if ["miou", "pixel_accuracy", "per_class", "iou"].contains(key) { problems.append("\(path).\(key): no unit") }
      if pathKeys.contains(key), let text = value as? String, !text.hasPrefix("/") { problems.append("\(path).\(key): relative \(text)") }
      if !dataObjects.contains(key) { problems += styleProblems(value, at: path + "." + key) }
    }
    return problems
  }

  static func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

  @Test func everyJSONOutputHasOneStyle() throws {
    try withTemporaryDirectory { directory in
      func dance(_ arguments: [String]) throws -> String {
        let run = try runDance(arguments, in: directory)
        #expect(run.status == 0, "\(arguments): \(run.standardError)")
        return run.standardOutput
      }
      _ = try dance(["synth", "--format", "cityscapes", "--out", "cs", "--train", "4", "--val", "2", "--size", "64x32"])
      let image = "cs/leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png"
      var outputs: [String: String] = [
        "scan": try dance(["scan", "cs", "--catalog", "c.sqlite", "--json"]),
        "score": try dance(["score", "cs", "--catalog", "c.sqlite", "--json"]),
        "slim": try dance(["slim", "cs", "--out", "out", "--catalog", "c.sqlite", "--json"]),
        "verify": try dance(["verify", "out", "--json"]),
        "audit": try dance(["audit", "--catalog", "c.sqlite", "--json"]),
        "folder": try dance(["export", "folder", "out", "--to", "folder", "--json"]),
        "mds": try dance(["export", "mds", "out", "--to", "mds", "--json"]),
        "inspect": try dance(["inspect", image, "--json"]),
        "complexity": try dance(["complexity", image, "--json"]),
      ]
      _ = try dance(["train", "out", "--out", "run", "--epochs", "1", "--batch", "2", "--crop", "32x16", "--width", "0.25", "--threads", "1"])
      outputs["eval"] = try dance(["eval", "run", "--data", "cs", "--json", "--threads", "1"])
      outputs["model summary"] = try dance(["model", "summary", "--matched-to", "out", "--crop", "32x16", "--json"])
      outputs["report.json"] = try String(contentsOfFile: directory + "/run/report.json", encoding: .utf8)
      outputs["catalog list"] = try dance(["catalog", "list", "--catalog", "c.sqlite", "--json"])
      for (name, text) in outputs.sorted(by: { $0.key < $1.key }) {
        let problems = Self.styleProblems(try Self.json(text))
        #expect(problems.isEmpty, "\(name): \(problems)")
      }
      let eval = try #require(try Self.json(outputs["eval"]!) as? [String: Any])
      #expect(eval["miou_fraction"] is Double && eval["pixel_accuracy_fraction"] is Double && eval["per_class_iou_fraction"] is [String: Any])
      let report = try #require(try Self.json(outputs["report.json"]!) as? [String: Any])
      let epoch = try #require((report["epochs"] as? [[String: Any]])?.first)
      #expect(epoch["miou_fraction"] is Double, "\(epoch)")
      // Both exports report their splits alike.
      for name in ["folder", "mds"] {
        let splits = (try Self.json(outputs[name]!) as? [String: Any])?["splits"] as? [[String: Any]]
        #expect(splits?.map { "\($0["split"] ?? "") \($0["samples"] ?? "")" } == ["train 4", "val 2"], "\(name): \(outputs[name]!)")
      }
      // Checkpoint metadata is snake_case too.
      let metadata = try SafetensorsHeader.metadata(of: directory + "/run/last.safetensors")
      let configuration = try #require(metadata["dance.deeplab.configuration"])
      #expect(configuration.contains("\"width_multiplier\"") && !configuration.contains("widthMultiplier"), "\(configuration)")
      let state = try #require(try SafetensorsHeader.metadata(of: directory + "/run/resume.safetensors")["dance.training.state"])
      let stateProblems = Self.styleProblems(try Self.json(state))
      #expect(stateProblems.isEmpty, "\(stateProblems)")
    }
  }

  /// Checkpoints and resume states written before issue 26 (camelCase keys, scores without their
  /// unit) are still evaluated and resumed.
  @Test func checkpointsWrittenInCamelCaseStillRead() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/cs"
      #expect(try runDance(["synth", "--format", "cityscapes", "--out", root, "--train", "4", "--val", "2", "--size", "64x32"]).status == 0)
      let options = ["--batch", "2", "--crop", "32x16", "--width", "0.25", "--threads", "1"]
      #expect(try runDance(["train", root, "--out", directory + "/run", "--epochs", "1"] + options).status == 0)
      for (file, key) in [("last.safetensors", "dance.deeplab.configuration"), ("resume.safetensors", "dance.training.state")] {
        try SafetensorsHeader.rewriteMetadata(of: directory + "/run/" + file) { metadata in
          metadata[key] = try Self.legacy(metadata[key] ?? "")
        }
        #expect(try SafetensorsHeader.metadata(of: directory + "/run/" + file)[key]?.contains("widthMultiplier") == true)
      }
      let eval = try runDance(["eval", directory + "/run", "--data", root, "--threads", "1"])
      #expect(eval.status == 0, "\(eval.standardError)")
      // The finished run's state is read back (a state that does not decode is refused).
      let resume = try runDance(["train", "--resume", directory + "/run"])
      #expect(resume.status == 0, "\(resume.standardError)")
      #expect(resume.standardOutput.contains("finished: 1 epoch,"), "\(resume.standardOutput)")
    }
  }

  /// `json` as Dance wrote it before issue 26: camelCase keys, scores without a unit.
  static func legacy(_ json: String) throws -> String {
    let old = ["miou_fraction": "miou", "pixel_accuracy_fraction": "pixel_accuracy", "per_class_iou_fraction": "per_class"]
    func camel(_ key: String) -> String {
      let parts = (old[key] ?? key).split(separator: "_")
      return ([String(parts.first ?? "")] + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }).joined()
    }
    func convert(_ value: Any) -> Any {
      if let array = value as? [Any] { return array.map(convert) }
      guard let object = value as? [String: Any] else { return value }
      return Dictionary(uniqueKeysWithValues: object.map { key, item in (camel(key), convert(item)) })
    }
    let data = try JSONSerialization.data(withJSONObject: convert(try JSONSerialization.jsonObject(with: Data(json.utf8))))
    return String(decoding: data, as: UTF8.self)
  }
}

/// Reads and rewrites the metadata of a safetensors file: an 8-byte little-endian header length,
/// the JSON header (`__metadata__` maps strings to strings), then the tensor data.
enum SafetensorsHeader {
  static func parts(of path: String) throws -> (header: [String: Any], data: Data) {
    let file = try Data(contentsOf: URL(fileURLWithPath: path))
    let length = file.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let header = try JSONSerialization.jsonObject(with: file.subdata(in: 8..<(8 + length))) as? [String: Any] ?? [:]
    return (header, file.subdata(in: (8 + length)..<file.count))
  }

  static func metadata(of path: String) throws -> [String: String] {
    try parts(of: path).header["__metadata__"] as? [String: String] ?? [:]
  }

  static func rewriteMetadata(of path: String, _ change: (inout [String: String]) throws -> Void) throws {
    var (header, data) = try parts(of: path)
    var metadata = header["__metadata__"] as? [String: String] ?? [:]
    try change(&metadata)
    header["__metadata__"] = metadata
    var json = try JSONSerialization.data(withJSONObject: header)
    while json.count % 8 != 0 { json.append(0x20) }
    var file = Data((0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) })
    file.append(json)
    file.append(data)
    try file.write(to: URL(fileURLWithPath: path))
  }
}

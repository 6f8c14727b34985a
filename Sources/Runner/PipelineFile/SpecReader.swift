import Pipeline
import DanceCore
import Datasets
import Foundation
import Yams

/// One YAML mapping of a pipeline file whose keys were checked against the allowed set.
struct SpecSection {
  /// The section's name in messages (`'slim'`, or `the top level`).
  var name: String
  /// The mapping's line.
  var line: Int
  /// Key → value node, in file order.
  var entries: [(key: String, value: Node)]

  /// The value of `key`, if present.
  subscript(key: String) -> Node? { entries.first { $0.key == key }?.value }
}

/// Reads typed values out of Yams nodes, naming the file and the line in every error; expands
/// `${VAR}` and `${VAR:-default}` in scalars and resolves paths against the file's directory.
struct SpecReader {
  /// The file as given, for messages.
  var path: String
  /// The directory relative paths are resolved against.
  var baseDirectory: String
  /// The environment `${VAR}` reads.
  var environment: [String: String]

  func error(_ node: Node?, _ reason: String) -> PipelineSpecError {
    PipelineSpecError(path: path, line: node?.mark?.line ?? 1, reason: reason)
  }

  func error(line: Int, _ reason: String) -> PipelineSpecError {
    PipelineSpecError(path: path, line: line, reason: reason)
  }

  /// A short name of the node's kind, for "must be … got …" messages.
  func kind(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar): "'\(scalar.string)'"
    case .mapping: "a mapping"
    case .sequence: "a list"
    case .alias: "an alias"
    }
  }

  /// The mapping at `node`, its keys checked against `allowed` (unknown and non-string keys are refused).
  func section(_ node: Node, name: String, allowed: [String]) throws(PipelineSpecError) -> SpecSection {
    guard case .mapping(let mapping) = node else {
      throw error(node, "\(name) must be a mapping of keys to values, got \(kind(node))")
    }
    var entries: [(key: String, value: Node)] = []
    for (keyNode, value) in mapping {
      guard case .scalar(let key) = keyNode else { throw error(keyNode, "keys in \(name) must be plain names") }
      guard allowed.contains(key.string) else {
        throw error(keyNode, "unknown key '\(key.string)' in \(name) (expected one of: \(allowed.joined(separator: ", ")))")
      }
      entries.append((key.string, value))
    }
    return SpecSection(name: name, line: node.mark?.line ?? 1, entries: entries)
  }

  /// The expanded text of a scalar; `what` names the key in messages.
  func string(_ node: Node, _ what: String) throws(PipelineSpecError) -> String {
    guard case .scalar(let scalar) = node else { throw error(node, "'\(what)' must be a single value, got \(kind(node))") }
    return try expand(scalar.string, at: node)
  }

  /// A scalar that must be `true` or `false`.
  func bool(_ node: Node, _ what: String) throws(PipelineSpecError) -> Bool {
    let text = try string(node, what)
    switch text.lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off": return false
    default: throw error(node, "'\(what)' must be true or false, got '\(text)'")
    }
  }

  /// A number `setting` allows (a whole number when its bounds are whole numbers), named by its key.
  func number(_ node: Node, _ setting: NumericSetting) throws(PipelineSpecError) -> Double {
    let text = try string(node, setting.key)
    guard let value = Double(text.replacingOccurrences(of: "_", with: "")), setting.allows(value) else {
      throw error(node, SettingProblem.outOfRange(setting, given: text).message(.pipelineFile))
    }
    return value
  }

  /// A whole number `setting` allows, named by its key.
  func int(_ node: Node, _ setting: NumericSetting) throws(PipelineSpecError) -> Int {
    let text = try string(node, setting.key)
    guard let value = Int(text.replacingOccurrences(of: "_", with: "")), setting.allows(value) else {
      throw error(node, SettingProblem.outOfRange(setting, given: text).message(.pipelineFile))
    }
    return value
  }

  /// A number of bytes (``ByteSize``: `268435456`, `64MiB`) allowed by `setting`.
  func bytes(_ node: Node, _ setting: NumericSetting) throws(PipelineSpecError) -> Int {
    let text = try string(node, setting.key)
    guard let value = ByteSize.parse(text), setting.allows(value) else {
      throw error(node, SettingProblem.outOfRange(setting, given: text).message(.pipelineFile))
    }
    return value
  }

  /// A seed: a whole number 0 or more (64 bits).
  func seed(_ node: Node, _ what: String) throws(PipelineSpecError) -> UInt64 {
    let text = try string(node, what)
    guard let seed = UInt64(text) else { throw error(node, "'\(what)' must be a whole number 0 or more, got '\(text)'") }
    return seed
  }

  /// A list of split names (`train`, `val`, `test`); an unknown name is refused.
  func splits(_ node: Node, _ what: String) throws(PipelineSpecError) -> [DatasetSplit] {
    var splits: [DatasetSplit] = []
    for item in try list(node, what) {
      guard let split = DatasetSplit(rawValue: item.text) else {
        throw error(item.node, "unknown split '\(item.text)' in '\(what)' (known: \(Settings.knownSplits.joined(separator: ", ")))")
      }
      splits.append(split)
    }
    return splits
  }

  /// One of the raw values of `Value`.
  func choice<Value: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, _: Value.Type) throws(PipelineSpecError) -> Value
  where Value.RawValue == String {
    let text = try string(node, what)
    guard let value = Value(rawValue: text) else {
      let known = Value.allCases.map(\.rawValue).joined(separator: ", ")
      throw error(node, "'\(what)' must be one of: \(known); got '\(text)'")
    }
    return value
  }

  /// A list of names: a YAML list, or one comma-separated scalar.
  func list(_ node: Node, _ what: String) throws(PipelineSpecError) -> [(text: String, node: Node)] {
    var items: [(text: String, node: Node)] = []
    switch node {
    case .sequence(let sequence):
      for item in sequence { items.append((try string(item, what), item)) }
    default:
      for part in try string(node, what).split(separator: ",") {
        items.append((part.trimmingCharacters(in: .whitespaces), node))
      }
    }
    if items.isEmpty || items.contains(where: { $0.text.isEmpty }) { throw error(node, "'\(what)' must name at least one value") }
    return items
  }

  /// A path: variables expanded, `~` expanded, relative paths resolved against the file's directory.
  func path(_ node: Node, _ what: String) throws(PipelineSpecError) -> String {
    let text = try string(node, what)
    if text.isEmpty { throw error(node, "'\(what)' must be a path, got an empty value") }
    return resolve(text)
  }

  /// Resolves `text` (already expanded) against the file's directory.
  func resolve(_ text: String) -> String {
    var text = text
    if text == "~" || text.hasPrefix("~/") {
      let home = environment["HOME"] ?? NSHomeDirectory()
      text = home + text.dropFirst()
    }
    let url = text.hasPrefix("/")
      ? URL(fileURLWithPath: text) : URL(fileURLWithPath: text, relativeTo: URL(fileURLWithPath: baseDirectory, isDirectory: true))
    return url.standardizedFileURL.path
  }

  /// Expands `${VAR}` and `${VAR:-default}`; an unset variable without a default is an error.
  func expand(_ text: String, at node: Node) throws(PipelineSpecError) -> String {
    guard text.contains("${") else { return text }
    var result = ""
    var rest = Substring(text)
    while let start = rest.range(of: "${") {
      result += rest[..<start.lowerBound]
      guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
        throw error(node, "unterminated '${' in '\(text)'")
      }
      let body = rest[start.upperBound..<end]
      let name: Substring
      let fallback: Substring?
      if let separator = body.range(of: ":-") {
        name = body[..<separator.lowerBound]
        fallback = body[separator.upperBound...]
      } else {
        name = body
        fallback = nil
      }
      guard !name.isEmpty, name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else {
        throw error(node, "'${\(body)}' is not a variable reference (use ${NAME} or ${NAME:-default})")
      }
      if let value = environment[String(name)], !value.isEmpty {
        result += value
      } else if let fallback {
        result += fallback
      } else {
        throw error(node, "the environment variable '\(name)' is not set (give a default with ${\(name):-value})")
      }
      rest = rest[rest.index(after: end)...]
    }
    return result + rest
  }
}

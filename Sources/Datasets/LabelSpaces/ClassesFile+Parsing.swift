import Foundation
import Yams

extension ClassesFile {
  /// Parses the text of a `classes.yaml`; `source` names it in errors.
  /// - Throws: ``DatasetError/invalidConfiguration(path:reason:)`` naming the line and what was expected.
  public static func parse(_ text: String, source: String) throws(DatasetError) -> ClassesFile {
    let reader = ClassesYAMLReader(source: source)
    let root: Node?
    do { root = try Yams.compose(yaml: text) } catch {
      throw .invalidConfiguration(path: source, reason: "not YAML: \(error)")
    }
    guard let root, case .mapping(let mapping) = root else {
      throw .invalidConfiguration(path: source, reason: "expected a mapping with the keys \(keys.joined(separator: ", "))")
    }
    let values = try reader.values(of: mapping, allowed: keys, context: "", expected: "one of: " + keys.joined(separator: ", "))
    guard let classesNode = values["classes"], case .sequence(let list) = classesNode else {
      throw reader.error(values["classes"] ?? root, "expected 'classes:' with a list of {id, name, color}")
    }
    let entries = try list.map { (node: Node) throws(DatasetError) -> Entry in try reader.entry(node) }
    return try ClassesFile(
      name: try values["name"].map { (node: Node) throws(DatasetError) in try reader.text(node, "name") } ?? "generic",
      classes: entries,
      ignore: try values["ignore"].map { (node: Node) throws(DatasetError) in try reader.byte(node, "ignore") } ?? 255,
      ignoreColor: try values["ignore_color"].map { (node: Node) throws(DatasetError) in try reader.color(node, "ignore_color") },
      source: source)
  }
}

/// Reads typed values out of the nodes of a `classes.yaml`, naming the file and line in every error.
private struct ClassesYAMLReader {
  var source: String

  func error(_ node: Node, _ reason: String) -> DatasetError {
    .invalidConfiguration(path: source, reason: "line \(node.mark?.line ?? 1): \(reason)")
  }

  /// The values of `mapping` by key, refusing a key not in `allowed` (the message says
  /// "unknown key 'k'`context` (expected `expected`)").
  func values(of mapping: Node.Mapping, allowed: [String], context: String, expected: String) throws(DatasetError) -> [String: Node] {
    var values: [String: Node] = [:]
    for (keyNode, value) in mapping {
      guard let key = keyNode.string, allowed.contains(key) else {
        throw error(keyNode, "unknown key '\(keyNode.string ?? "?")'\(context) (expected \(expected))")
      }
      values[key] = value
    }
    return values
  }

  func entry(_ node: Node) throws(DatasetError) -> ClassesFile.Entry {
    guard case .mapping(let mapping) = node else { throw error(node, "expected a class as {id: N, name: TEXT, color: [R, G, B]}") }
    let values = try values(of: mapping, allowed: ["id", "name", "color"], context: " in a class", expected: "id, name, color")
    guard let id = values["id"], let name = values["name"], let color = values["color"] else {
      throw error(node, "a class needs id, name and color, e.g. {id: 1, name: cat, color: [255, 128, 0]}")
    }
    return ClassesFile.Entry(id: try byte(id, "id"), name: try text(name, "name"), color: try self.color(color, "color"))
  }

  func text(_ node: Node, _ what: String) throws(DatasetError) -> String {
    guard case .scalar(let scalar) = node else { throw error(node, "\(what): expected text") }
    return scalar.string
  }

  func byte(_ node: Node, _ what: String) throws(DatasetError) -> UInt8 {
    guard case .scalar(let scalar) = node, let value = UInt8(scalar.string) else {
      throw error(node, "\(what): expected a whole number 0…255, got \(node.string.map { "'\($0)'" } ?? "a list or mapping")")
    }
    return value
  }

  /// `[R, G, B]` with values 0…255, or `"#rrggbb"`.
  func color(_ node: Node, _ what: String) throws(DatasetError) -> RGB {
    let expected = "\(what): expected [R, G, B] with values 0…255 or \"#rrggbb\""
    switch node {
    case .sequence(let list):
      guard list.count == 3 else { throw error(node, expected) }
      let parts = try list.map { (part: Node) throws(DatasetError) -> UInt8 in try byte(part, what) }
      return RGB(parts[0], parts[1], parts[2])
    case .scalar(let scalar):
      let text = scalar.string
      guard text.count == 7, text.hasPrefix("#"), let value = UInt32(text.dropFirst(), radix: 16) else { throw error(node, expected) }
      return RGB(UInt8(value >> 16), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    default:
      throw error(node, expected)
    }
  }
}

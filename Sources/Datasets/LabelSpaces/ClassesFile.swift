import DanceCore
import Foundation
public import ImageCodecs
import Yams

/// `classes.yaml`, the class table of a generic dataset (``DatasetFormat/generic``): each class's
/// mask value, name and colour, and the value (and optionally the colour) of ignored pixels.
///
/// ```yaml
/// name: pets              # optional: names the label space (letters, digits, _ and -)
/// ignore: 255             # the mask value of ignored pixels (default 255)
/// ignore_color: [0, 0, 0] # optional: the colour of ignored pixels in colour masks
/// classes:
///   - {id: 0, name: background, color: [0, 0, 0]}
///   - {id: 1, name: cat, color: "#ff8000"}
/// ```
///
/// Masks are index PNGs (one 8-bit channel holding the ids) or colour PNGs (RGB or RGBA, each
/// pixel one of the classes' colours), chosen per file by its channels. Classes get train ids
/// 0, 1, … in the order of their ids, so ids 0…N−1 are their own train ids; sparse ids (0, 1, 5)
/// are packed. The label space's id is `<name>-<N>-<hash>`, the hash over the names and colours,
/// so two files describing the same classes give the same space and an edited one does not.
public struct ClassesFile: Sendable, Equatable {
  /// One class: its value in index masks, its name and its colour.
  public struct Entry: Sendable, Equatable {
    /// The value index masks hold for the class.
    public var id: UInt8
    /// The class name.
    public var name: String
    /// The class colour, in colour masks and renderings.
    public var color: RGB

    /// Creates a class entry.
    public init(id: UInt8, name: String, color: RGB) {
      self.id = id
      self.name = name
      self.color = color
    }
  }

  /// The file's name at a generic dataset's root.
  public static let fileName = "classes.yaml"
  /// The keys the file may have.
  static let keys = ["name", "ignore", "ignore_color", "classes"]

  /// The label space's name (`generic` when the file gives none).
  public var name: String
  /// The classes in id order.
  public var classes: [Entry]
  /// The value of ignored pixels in index masks.
  public var ignore: UInt8
  /// The colour of ignored pixels in colour masks, if any.
  public var ignoreColor: RGB?

  /// Creates a table after checking it: 1 to 255 classes with distinct ids, names and colours,
  /// none of them the ignore value or colour, and a name of at most 32 letters, digits, `_` or `-`.
  /// - Throws: ``DatasetError/invalidConfiguration(path:reason:)`` naming `source` and the problem.
  public init(name: String = "generic", classes: [Entry], ignore: UInt8 = 255, ignoreColor: RGB? = nil, source: String)
    throws(DatasetError)
  {
    func fail(_ reason: String) -> DatasetError { .invalidConfiguration(path: source, reason: reason) }
    guard DatasetName(name) != nil else { throw fail("name '\(name)': expected 1 to 32 letters, digits, _ or -") }
    guard (1...255).contains(classes.count) else { throw fail("expected 1 to 255 classes, found \(classes.count)") }
    let sorted = classes.sorted { $0.id < $1.id }
    for (first, second) in zip(sorted, sorted.dropFirst()) where first.id == second.id {
      throw fail("classes '\(first.name)' and '\(second.name)' have the same id \(first.id); expected one id per class")
    }
    for (index, entry) in sorted.enumerated() {
      if entry.name.isEmpty { throw fail("class \(entry.id) has an empty name") }
      if entry.id == ignore { throw fail("class '\(entry.name)' has the ignore value \(ignore) as its id") }
      if entry.color == ignoreColor { throw fail("class '\(entry.name)' has the ignore colour \(entry.color)") }
      if let other = sorted[..<index].first(where: { $0.name == entry.name }) {
        throw fail("classes \(other.id) and \(entry.id) are both named '\(entry.name)'; expected distinct names")
      }
      if let other = sorted[..<index].first(where: { $0.color == entry.color }) {
        throw fail("classes '\(other.name)' and '\(entry.name)' have the same colour \(entry.color); colour masks need one colour per class")
      }
    }
    self.name = name
    self.classes = sorted
    self.ignore = ignore
    self.ignoreColor = ignoreColor
  }

  /// The table of masks that hold `space`'s train ids (ids 0…N−1, ignore 255), named as `space`
  /// was: it gives `space` back.
  public init(trainIdsOf space: LabelSpace, source: String) throws(DatasetError) {
    let parts = space.id.split(separator: "-")
    try self.init(
      name: parts.count > 2 ? parts.dropLast(2).joined(separator: "-") : "generic",
      classes: space.classes.enumerated().map { Entry(id: UInt8($0.offset), name: $0.element.name, color: $0.element.color) },
      source: source)
  }

  /// Reads and checks the file at `path`.
  /// - Throws: ``DatasetError/invalidConfiguration(path:reason:)`` naming the file, and the line
  ///   where one is known, when it is missing, not YAML or not a valid class table.
  public static func read(_ path: String) throws(DatasetError) -> ClassesFile {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .invalidConfiguration(
        path: path, reason: "missing or unreadable: a generic dataset lists its classes here (id, name and colour of each, and the ignore value)")
    }
    guard let text = String(data: data, encoding: .utf8) else { throw .invalidConfiguration(path: path, reason: "not UTF-8 text") }
    return try parse(text, source: path)
  }

  /// The nearest `classes.yaml` in `path`'s directory or an ancestor of it (for single mask files).
  public static func find(above path: String) -> String? {
    var directory = (URL(fileURLWithPath: path).standardizedFileURL.path as NSString).deletingLastPathComponent
    while true {
      let candidate = directory + "/" + fileName
      if FileManager.default.fileExists(atPath: candidate) { return candidate }
      let parent = (directory as NSString).deletingLastPathComponent
      if parent == directory { return nil }
      directory = parent
    }
  }

  /// The training label space: the classes in id order, all evaluated.
  public var space: LabelSpace {
    let signature = classes.map { "\($0.name)=\($0.color)" }.joined(separator: ";")
    return LabelSpace(
      id: "\(name)-\(classes.count)-\(stableHashHex(signature))",
      classes: classes.map { LabelClass(name: $0.name, color: $0.color, evaluated: true) })
  }

  /// The encoding of the dataset's masks: ids (index masks) or colours (colour masks) to train ids.
  public var encoding: LabelEncoding {
    let space = space
    var mapping: [UInt8: UInt8] = [ignore: LabelSpace.ignoreValue]
    var colors: [RGB: UInt8] = [:]
    for (trainId, entry) in classes.enumerated() {
      mapping[entry.id] = UInt8(trainId)
      colors[entry.color] = UInt8(trainId)
    }
    if let ignoreColor { colors[ignoreColor] = LabelSpace.ignoreValue }
    return LabelEncoding(id: "generic/" + space.id, space: space, mapping: mapping, colors: colors)
  }

  /// An index mask as a colour mask: each class id in its colour, anything else (the ignore
  /// value included) in the ignore colour, black when the table has none.
  public func colorMask(_ indices: Image8) -> Image8 {
    var palette = [RGB](repeating: ignoreColor ?? RGB(0, 0, 0), count: 256)
    for entry in classes { palette[Int(entry.id)] = entry.color }
    return RGB.paint(indices, palette: palette)
  }

  /// The file as YAML that ``parse(_:source:)`` reads back to an equal table.
  public var yaml: String {
    var lines = [
      "# The classes of a generic Dance dataset: the value of each class in index masks (id), its name,",
      "# and its colour in colour masks (R, G, B); pixels holding the ignore value are not trained on.",
      "name: \(name)", "ignore: \(ignore)",
    ]
    if let ignoreColor { lines.append("ignore_color: [\(ignoreColor.red), \(ignoreColor.green), \(ignoreColor.blue)]") }
    lines.append("classes:")
    for entry in classes {
      let color = "[\(entry.color.red), \(entry.color.green), \(entry.color.blue)]"
      lines.append("  - {id: \(entry.id), name: \(jsonStringLiteral(entry.name)), color: \(color)}")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

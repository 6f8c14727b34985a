/// CamVid's `label_colors.txt`: one class per line, `R G B<TAB>Name`.
public enum LabelColorsFile {
  /// The (name, colour) rows of the file, in file order.
  /// - Throws: ``DatasetError/invalidConfiguration(path:reason:)`` naming the line that does not parse.
  public static func parse(_ text: String, source: String) throws(DatasetError) -> [(name: String, color: RGB)] {
    var rows: [(name: String, color: RGB)] = []
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
      if words.isEmpty { continue }
      guard words.count >= 4, let red = UInt8(words[0]), let green = UInt8(words[1]), let blue = UInt8(words[2]) else {
        throw .invalidConfiguration(path: source, reason: "line \(number + 1): expected 'R G B<TAB>Name', got '\(line)'")
      }
      rows.append((words[3...].joined(separator: " "), RGB(red, green, blue)))
    }
    return rows
  }
}

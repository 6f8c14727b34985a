import ArgumentParser
import DanceCore
import Foundation
import Datasets
import Pipeline
import Slimming

/// Writes one line to standard error, prefixed with `dance: `; control characters in it (in file
/// names, say) are escaped, so the message stays one line and cannot drive the terminal.
func printError(_ message: String) {
  FileHandle.standardError.write(Data(("dance: " + message.escapingControlCharacters + "\n").utf8))
}

extension String {
  /// The text with its control characters (C0, DEL, C1) escaped: `\n`, `\r`, `\t`, else
  /// `\u{1b}`; for printing file and member names, which may hold any of them.
  var escapingControlCharacters: String {
    guard unicodeScalars.contains(where: \.isControlCharacter) else { return self }
    var escaped = String.UnicodeScalarView()
    for scalar in unicodeScalars {
      switch scalar {
      case "\n": escaped.append(contentsOf: #"\n"#.unicodeScalars)
      case "\r": escaped.append(contentsOf: #"\r"#.unicodeScalars)
      case "\t": escaped.append(contentsOf: #"\t"#.unicodeScalars)
      case _ where scalar.isControlCharacter: escaped.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
      default: escaped.append(scalar)
      }
    }
    return String(escaped)
  }
}

extension Unicode.Scalar {
  /// C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F).
  var isControlCharacter: Bool { value < 0x20 || (0x7F...0x9F).contains(value) }
}

/// `path` made absolute (against the working directory) and standardized: every path in JSON is.
func absolutePath(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

/// A value as pretty, key-sorted JSON: what `--json` prints and what JSON reports hold.
func prettyJSON<Value: Encodable>(_ value: Value) throws -> Data {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  return try encoder.encode(value)
}

/// Prints a value as pretty, key-sorted JSON on standard output.
func printJSON<Value: Encodable>(_ value: Value) throws {
  print(String(decoding: try prettyJSON(value), as: UTF8.self))
}

/// Left-aligned columns separated by two spaces; the first row is the header. Control characters
/// in cells (file names) are escaped.
func formatTable(_ rows: [[String]]) -> String {
  let rows = rows.map { $0.map(\.escapingControlCharacters) }
  guard let columns = rows.map(\.count).max() else { return "" }
  var widths = [Int](repeating: 0, count: columns)
  for row in rows {
    for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
  }
  return rows.map { row in
    row.enumerated().map { index, cell in
      index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
    }.joined(separator: "  ")
  }.joined(separator: "\n")
}

extension NumericSetting {
  /// Refuses `value` (a usage error, exit 2) when the setting does not allow it, naming the option.
  func check(_ value: Int?) throws {
    if let value, !allows(value) { throw ValidationError(SettingProblem.outOfRange(self, given: "\(value)").message(.commandLine)) }
  }

  /// Refuses `value` (a usage error, exit 2) when the setting does not allow it, naming the option.
  func check(_ value: Double?) throws {
    if let value, !allows(value) { throw ValidationError(SettingProblem.outOfRange(self, given: "\(value)").message(.commandLine)) }
  }

  /// The allowed values for a help text: `1…4096 pixels`, `(0, 1]`, `above 0`.
  var helpRange: String {
    switch bounds {
    case .wholeNumber(let range):
      (range.upperBound == Int.max ? "\(range.lowerBound) or more" : "\(range.lowerBound)…\(range.upperBound)") + (unit.map { " \($0)" } ?? "")
    case .number(_, _, let upper, _): String(requirement.dropFirst(upper == .infinity ? "a number ".count : "a number in ".count))
    }
  }
}

/// The splits of a comma-separated `--splits` value; an empty list or a name that is not a split
/// is refused (a usage error, exit 2), naming the option.
func parseSplits(_ text: String, option: String) throws -> [DatasetSplit] {
  let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  if names.isEmpty { throw ValidationError("\(option) must name at least one split (\(Settings.knownSplits.joined(separator: ", ")))") }
  return try names.map { name in
    guard let split = DatasetSplit(rawValue: name) else {
      throw ValidationError("\(option): unknown split '\(name)' (known: \(Settings.knownSplits.joined(separator: ", ")))")
    }
    return split
  }
}

/// A comma-separated list of numbers (`0.3,0.5,0.7`); each must be allowed by `setting`. An empty
/// list or a value that is not a number is refused (exit 2), naming the option.
func parseNumbers(_ text: String, option: String, setting: NumericSetting) throws -> [Double] {
  let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
  guard !parts.isEmpty else { throw ValidationError("\(option) must list at least one number") }
  return try parts.map { part in
    guard let value = Double(part), setting.allows(value) else {
      throw ValidationError("\(option): each value must be \(setting.requirement), got '\(part)'")
    }
    return value
  }
}

/// Scales, `0.5,0.75`: each in (0, 1].
func parseScales(_ text: String, option: String) throws -> [Double] {
  try parseNumbers(text, option: option, setting: Settings.scale)
}

/// The default of `--weight-range`, as it is typed: `0.5,1.5`.
let weightRangeDefault = [WeightScheme.standardRange.lowerBound, WeightScheme.standardRange.upperBound]
  .map(NumericSetting.format).joined(separator: ",")

/// `--weight-range MIN,MAX`.
func parseWeightRange(_ text: String) throws -> ClosedRange<Double> {
  let bounds = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
  guard bounds.count == 2, let low = bounds[0], let high = bounds[1], low <= high else {
    throw ValidationError("--weight-range must be MIN,MAX with MIN ≤ MAX, got \(text)")
  }
  return low...high
}

/// Says on standard error how many invalid samples a command over a dataset left out and why
/// (the first 20 of them; every one is in the catalog, see `dance scan`).
func printLeftOut(_ samples: [String]) {
  guard !samples.isEmpty else { return }
  printError("\(counted(samples.count, "invalid sample")) \(samples.count == 1 ? "was" : "were") left out (found by the scan; see dance scan):")
  for sample in samples.prefix(20) { printError("  left out: \(sample)") }
  if samples.count > 20 { printError("  … and \(samples.count - 20) more") }
}

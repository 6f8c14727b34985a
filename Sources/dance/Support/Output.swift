import ArgumentParser
import Foundation
import Pipeline

/// Writes one line to standard error, prefixed with `dance: `.
func printError(_ message: String) {
  FileHandle.standardError.write(Data(("dance: " + message + "\n").utf8))
}

/// Prints a value as pretty, key-sorted JSON on standard output.
func printJSON<Value: Encodable>(_ value: Value) throws {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Left-aligned columns separated by two spaces; the first row is the header.
func formatTable(_ rows: [[String]]) -> String {
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

/// Runs a pipeline job; a failure prints its message (naming the file and the reason) and exits
/// with 2 when the request was refused (``PipelineError/isUsageError``), otherwise 1.
func runJob<Report>(_ job: () throws(PipelineError) -> Report) throws -> Report {
  do throws(PipelineError) {
    return try job()
  } catch {
    printError(error.description)
    throw ExitCode(error.isUsageError ? ExitStatus.usage : ExitStatus.failure)
  }
}

import Catalog
import Foundation
import GRDB
import TestSupport
import Testing

/// Issue 26, C4–C6: the README says what is true of the tool as built.
@Suite struct ReadmeTests {
  static let readme: String = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
  }()

  /// The README's text from `start` up to the next line that begins with `end`.
  static func section(from start: String, to end: String) -> String {
    guard let from = readme.range(of: start) else { return "" }
    let rest = readme[from.lowerBound...]
    return String(rest[..<(rest.range(of: "\n" + end)?.lowerBound ?? rest.endIndex)])
  }

  /// C4: network slimming is built, and the first paragraph says so.
  @Test func theFirstParagraphSaysNetworkSlimmingIsBuilt() {
    let intro = Self.section(from: "Dance prepares", to: "## ")
    #expect(!intro.contains("not built"), "\(intro)")
    for flag in ["--matched-head", "--prune-at", "dance model summary --matched-to", "dance experiment"] {
      #expect(intro.contains(flag), "\(flag) is not in the first paragraph")
    }
  }

  /// C5: the catalog table lists every table a catalog has, under its real name.
  @Test func theCatalogTableListsEveryTable() throws {
    try withTemporaryDirectory { directory in
      _ = try Catalog(path: directory + "/c.sqlite")
      let tables = try DatabaseQueue(path: directory + "/c.sqlite").read { db in
        try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'")
      }
      #expect(tables.count >= 10)
      let listing = Self.section(from: "**The catalog** (SQLite", to: "**Partitioned slimming**")
      for table in tables { #expect(listing.contains("| `\(table)` |"), "the catalog table leaves out \(table)") }
      #expect(!Self.readme.contains("decode_warnings") && Self.readme.contains("(table `decodeWarning`)"))
    }
  }

  /// C5: `make bench`'s paragraph names every case `dance-bench` runs.
  @Test func theBenchParagraphNamesEveryCase() throws {
    let bench = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dance-bench")
    let process = Process()
    process.executableURL = bench
    process.arguments = ["--list-cases"]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let cases = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
    process.waitUntilExit()
    #expect(cases.count >= 5)
    let paragraph = Self.section(from: "`make bench` runs the benchmarks", to: "The built binary")
    for name in cases { #expect(paragraph.contains("`\(name)`"), "the make bench paragraph leaves out \(name)") }
  }

  /// C5, C6: what `dance export mds` shares with MDSWriter, the install line that works, and which
  /// blocks `make test` does not run, said plainly.
  @Test func theStreamingAndDaliBlocksSayWhatIsTested() {
    #expect(!Self.readme.contains("byte for byte what `streaming.MDSWriter` writes"))
    let streaming = Self.section(from: "- **MosaicML Streaming**", to: "- **DALI**")
    #expect(streaming.contains("pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu"))
    #expect(streaming.contains("`make test` does not run this block."))
    #expect(streaming.contains("not re-encoded"))
    let dali = Self.section(from: "- **DALI**", to: "**The `json` member**")
    #expect(dali.contains("**Untested**") && dali.contains("pipe.build()") && dali.contains("pipe.run()"))
  }

  /// C5: the demo's figures depend on the CPU, and the README says where runs repeat.
  @Test func theFiguresSayWhereTheyRepeat() {
    #expect(Self.readme.contains("depend on the CPU"))
    #expect(Self.readme.contains("same kind of CPU with the same thread count"))
  }
}

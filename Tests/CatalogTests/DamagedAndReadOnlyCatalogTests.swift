import Catalog
import DanceCore
import Foundation
import GRDB
import TestSupport
import Testing

/// Issue 25, C16 and D26: a catalog whose pages are damaged is refused, for reading and for
/// writing; a read-only open writes nothing (not even the application id of an older catalog) and
/// leaves no `-wal`/`-shm` file behind.
@Suite struct DamagedAndReadOnlyCatalogTests {
  /// A catalog with enough rows to span several pages.
  static func filledCatalog(_ path: String) throws {
    _ = try Catalog(path: path)
    try DatabaseQueue(path: path).write { db in
      try db.execute(sql: "CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)")
      for index in 0..<2000 { try db.execute(sql: "INSERT INTO filler (text) VALUES (?)", arguments: ["row \(index) " + String(repeating: "x", count: 40)]) }
    }
  }

  @Test(arguments: [Catalog.Access.existing, .readOnly, .createIfMissing])
  func aCatalogWithDamagedPagesIsRefused(access: Catalog.Access) throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/c.sqlite"
      try Self.filledCatalog(path)
      var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
      let page = 4096, pages = bytes.count / page
      try #require(pages > 4)
      for offset in (page * (pages - 2))..<(page * (pages - 2) + 64) { bytes[offset] = 0xA5 }
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      #expect {
        _ = try Catalog(path: path, access: access)
      } throws: { error in
        guard let error = error as? CatalogError else { return false }
        return error.path == path && (error.description.contains("damaged") || error.description.contains("malformed"))
      }
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
    }
  }

  @Test func aReadOnlyOpenWritesNothingAndLeavesNoCompanionFiles() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/c.sqlite"
      _ = try Catalog(path: path)
      // A catalog from before the application id: a writing open would stamp it.
      try DatabaseQueue(path: path).write { db in try db.execute(sql: "PRAGMA application_id = 0") }
      let before = try Data(contentsOf: URL(fileURLWithPath: path))
      let catalog = try Catalog(path: path, access: .readOnly)
      #expect(try catalog.datasets().isEmpty)
      #expect(throws: CatalogError.self) { try catalog.saveOutput(OutputRecord(key: OutputKey(directory: "/x"), configuration: nil, complete: false)) }
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["c.sqlite"])
      #expect(throws: CatalogError.missing(path: directory + "/none.sqlite")) {
        _ = try Catalog(path: directory + "/none.sqlite", access: .readOnly)
      }
    }
  }
}

import Catalog
import DanceCore
import Foundation
import GRDB
import TestSupport
import Testing

/// A catalog is stamped with Dance's application id; anything else is refused untouched.
@Suite struct ForeignDatabaseTests {
  static func tables(_ path: String) throws -> [String] {
    try DatabaseQueue(path: path).read { db in
      try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    }
  }

  static func applicationID(_ path: String) throws -> Int32 {
    try DatabaseQueue(path: path).read { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0 }
  }

  @Test func aNewCatalogCarriesDancesApplicationID() throws {
    try withTemporaryDirectory { directory in
      _ = try Catalog(path: directory + "/c.sqlite")
      #expect(try Self.applicationID(directory + "/c.sqlite") == Catalog.applicationID)
    }
  }

  /// Another program's database: with its own tables, or stamped with another application id.
  @Test(arguments: [
    "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)",
    "PRAGMA application_id = 1234",
  ])
  func aForeignDatabaseIsRefusedAndLeftUnchanged(setup: String) throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/other.db"
      try DatabaseQueue(path: path).write { db in try db.execute(sql: setup) }
      let before = try Self.tables(path)
      #expect {
        _ = try Catalog(path: path)
      } throws: { error in
        guard let error = error as? CatalogError, case .foreignDatabase(let named, _) = error else { return false }
        return named == path && error.isUsageError && error.description.contains("not a Dance catalog")
      }
      #expect(try Self.tables(path) == before)
      #expect(try Self.applicationID(path) == (setup.hasPrefix("PRAGMA") ? 1234 : 0))
    }
  }

  @Test func aCatalogFromBeforeTheApplicationIDIsAdopted() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/c.sqlite"
      let catalog = try Catalog(path: path)
      _ = try catalog.registerDataset(DatasetRecord(root: "/d", format: .cityscapes, labelEncoding: "e", labelSpace: "s"))
      try DatabaseQueue(path: path).write { db in try db.execute(sql: "PRAGMA application_id = 0") }
      let reopened = try Catalog(path: path)
      #expect(try reopened.datasets().map(\.root) == ["/d"])
      #expect(try Self.applicationID(path) == Catalog.applicationID)
    }
  }

  @Test func readingAMissingCatalogCreatesNothing() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/sub/none.sqlite"
      #expect(throws: CatalogError.missing(path: path)) { _ = try Catalog(path: path, access: .existing) }
      #expect(!FileManager.default.fileExists(atPath: directory + "/sub"))
    }
  }
}

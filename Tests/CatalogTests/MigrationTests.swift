import DanceCore
@testable import Catalog
import Foundation
import GRDB
import TestSupport
import Testing

/// Every migration path: a catalog written by any earlier schema opens, is brought up to date and
/// keeps its rows; a catalog from a newer Dance is refused without being changed.
@Suite struct MigrationTests {
  /// The identifiers of every migration, in order.
  static let migrations = Catalog.migrator.migrations

  /// A catalog at the schema that ends with `last`, with two Cityscapes datasets and one sample.
  static func catalog(at path: String, upTo last: String) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA application_id = \(Catalog.applicationID)") }
    try Catalog.migrator.migrate(queue, upTo: last)
    try queue.write { db in
      // Schemas from v5-dataset-names on have a unique name column; earlier ones get names by migrating.
      let named = try db.columns(in: "dataset").contains { $0.name == "name" }
      try db.execute(sql: named
        ? """
          INSERT INTO dataset (id, root, format, labelEncoding, labelSpace, name) VALUES
            (1, '/data/a', 'cityscapes', 'cityscapes-labelIds', 'cs', 'cityscapes'),
            (2, '/data/b', 'cityscapes', 'cityscapes-labelIds', 'cs', 'cityscapes-2')
          """
        : """
          INSERT INTO dataset (id, root, format, labelEncoding, labelSpace) VALUES
            (1, '/data/a', 'cityscapes', 'cityscapes-labelIds', 'cs'), (2, '/data/b', 'cityscapes', 'cityscapes-labelIds', 'cs')
          """)
      try db.execute(sql: """
        INSERT INTO sample (key, datasetId, split, imagePath, labelPath, width, height, status)
        VALUES ('cityscapes/train/a', 1, 'train', 'a.png', 'a_label.png', 4, 3, 'ok')
        """)
    }
  }

  @Test(arguments: migrations.dropLast())
  func aCatalogFromAnEarlierSchemaIsBroughtUpToDate(last: String) throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/old.sqlite"
      try Self.catalog(at: path, upTo: last)
      let catalog = try Catalog(path: path)
      let applied = try DatabaseQueue(path: path).read { db in try Catalog.migrator.appliedIdentifiers(db) }
      #expect(applied == Set(Self.migrations))
      #expect(try catalog.samples().map(\.key) == ["cityscapes/train/a"])
      let datasets = try catalog.datasets()
      #expect(datasets.map(\.root) == ["/data/a", "/data/b"])
      // Before v5-dataset-names the migration names them: the format, and `-<id>` for a second one of a format.
      #expect(datasets.map(\.name) == ["cityscapes", "cityscapes-2"])
    }
  }

  @Test func aCatalogFromANewerDanceIsRefusedUnchanged() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/new.sqlite"
      _ = try Catalog(path: path)
      let queue = try DatabaseQueue(path: path)
      try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
      let before = try Data(contentsOf: URL(fileURLWithPath: path))
      #expect {
        _ = try Catalog(path: path)
      } throws: { error in
        guard case .newerSchema(let reported, let reason) = error as? CatalogError else { return false }
        return reported == path && reason.contains("v99-from-the-future")
      }
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }
  }
}

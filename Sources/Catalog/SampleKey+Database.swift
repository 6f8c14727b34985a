public import DanceCore
public import GRDB

/// A sample key is stored as its text in a TEXT column (`sample.key`, `score.sampleKey`,
/// `decision.sampleKey`, `member.sampleKey`, …), exactly as the plain strings were before the type.
extension SampleKey: SQLExpressible, StatementBinding, DatabaseValueConvertible {
  /// The key's text as an SQLite TEXT value.
  public var databaseValue: DatabaseValue { rawValue.databaseValue }

  /// The key a TEXT value holds; `nil` (a decoding error naming the value) for anything else.
  public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> SampleKey? {
    String.fromDatabaseValue(dbValue).map(SampleKey.init(rawValue:))
  }
}

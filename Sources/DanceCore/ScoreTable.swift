/// The cached indicator values of a set of samples: sample key → indicator → value.
///
/// Slim and the audit both read the catalog's score rows into one table (the `Catalog` target
/// groups its records with `ScoreTable(_:keeping:)`) and plan from it (`Slimming` adds
/// `planInputs(ranking:sizes:)`, where `PlanInput` lives). The type is here, in `DanceCore`, because
/// both sides need it and neither depends on the other: `Catalog` depends on `DanceCore` and GRDB
/// only, `Slimming` on `DanceCore` only.
///
/// Where a value leaves Dance (a shard's `json` member) it is keyed by the indicator's id string,
/// see ``idKeyed(_:only:)``.
public struct ScoreTable: Sendable, Equatable {
  /// Per sample, the value of each indicator it has.
  public private(set) var values: [SampleKey: [Indicator: Double]]

  /// A table of the given values (empty by default).
  public init(_ values: [SampleKey: [Indicator: Double]] = [:]) { self.values = values }

  /// Sets the value of `indicator` for `key`, replacing an earlier one.
  public mutating func record(_ value: Double, of indicator: Indicator, for key: SampleKey) {
    values[key, default: [:]][indicator] = value
  }

  /// The values of `key`; empty when the sample has none.
  public subscript(key: SampleKey) -> [Indicator: Double] { values[key] ?? [:] }

  /// The value of `indicator` for `key`, `nil` when it has none.
  public func value(of indicator: Indicator, for key: SampleKey) -> Double? { values[key]?[indicator] }

  /// The samples with at least one value, in key order.
  public var keys: [SampleKey] { values.keys.sorted() }

  /// The indicators some sample has a value of, in declaration order.
  public var indicators: [Indicator] { Set(values.values.flatMap(\.keys)).sorted() }

  /// The samples of `keys`, in their order, that have no value of `indicator` and are not in
  /// `failed` (samples whose scoring failed are reported by the score stage, not here). Any such
  /// sample means the table was not scored for a plan ranked by `indicator`.
  public func unscored(_ keys: [SampleKey], by indicator: Indicator, failed: Set<SampleKey> = []) -> [SampleKey] {
    keys.filter { value(of: indicator, for: $0) == nil && !failed.contains($0) }
  }

  /// The values of `key` keyed by indicator id (`"si-mean"`), of the indicators in `only` (all by
  /// default): the form a shard's `json` member and the audit's JSON store, an object keyed by id strings.
  public func idKeyed(_ key: SampleKey, only indicators: Set<Indicator>? = nil) -> [String: Double] {
    Dictionary(uniqueKeysWithValues: self[key].filter { indicators?.contains($0.key) ?? true }.map { ($0.key.rawValue, $0.value) })
  }
}

public import ImageCodecs

/// Computes a chosen set of complexity indicators for one sample, sharing work between them.
public struct ComplexityScorer: Sendable {
  /// The indicators ``score(image:trainIds:)`` computes.
  public var indicators: [Indicator]

  /// Creates a scorer for `indicators` (duplicates are computed once).
  public init(indicators: [Indicator] = Indicator.defaultSet) {
    self.indicators = indicators
  }

  /// Scores one sample; indicators whose input is `nil` are absent from the result.
  public func score(image: Image8?, trainIds: Image8?) -> [Indicator: Double] {
    [:]
  }
}

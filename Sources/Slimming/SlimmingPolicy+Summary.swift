extension SlimmingPolicy {
  /// A policy and its parameters, for machine-readable reports.
  public struct Summary: Sendable, Codable, Equatable {
    /// `none`, `fixed`, `quantile` or `budget`.
    public var name: String
    /// The human-readable form, e.g. `quantile(drop 0.1; r<0.4→0.5, r<0.8→0.75, else 1)`.
    public var text: String
    /// Quantile: the fraction of the simplest samples dropped.
    public var drop: Double?
    /// Quantile: the bands, `{up_to, scale}` by percentile rank.
    public var bands: [Band]?
    /// Budget: the fraction of the split's pixels kept.
    public var pixelBudget: Double?
    /// Budget: the scales the solver may choose.
    public var scales: [Double]?
    /// Fixed: the one scale.
    public var scale: Double?

    /// One quantile band.
    public struct Band: Sendable, Codable, Equatable {
      /// Upper bound of the band's percentile ranks (exclusive).
      public var upTo: Double
      /// The band's scale.
      public var scale: Double

      enum CodingKeys: String, CodingKey {
        case scale
        case upTo = "up_to"
      }
    }

    enum CodingKeys: String, CodingKey {
      case name, text, drop, bands, scales, scale
      case pixelBudget = "pixel_budget"
    }

    /// The summary of `policy`.
    public init(_ policy: SlimmingPolicy) {
      text = policy.description
      switch policy {
      case .none: name = "none"
      case .fixed(let scale):
        name = "fixed"
        self.scale = scale
      case .quantile(let drop, let bands):
        name = "quantile"
        self.drop = drop
        self.bands = bands.map { Band(upTo: $0.upTo, scale: $0.scale) }
      case .budget(let pixelBudget, let scales):
        name = "budget"
        self.pixelBudget = pixelBudget
        self.scales = scales
      }
    }
  }
}

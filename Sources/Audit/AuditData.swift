public import Catalog
import Complexity
public import DanceCore
public import Datasets
import Foundation
public import Slimming

/// Statistics of one indicator over one split.
public struct IndicatorDistribution: Sendable, Codable, Equatable {
  /// The split.
  public var split: String
  /// The indicator id.
  public var indicator: String
  /// Number of samples with a value.
  public var count: Int
  /// Arithmetic mean.
  public var mean: Double
  /// Quantiles at 0, 5, 25, 50, 75, 95 and 100 % (linear interpolation between order statistics).
  public var quantiles: [String: Double]
  /// Histogram: equal-width bins from `minimum` to `maximum`, about √n of them (at most the
  /// number asked for); for an integer-valued indicator one or more whole numbers per bin.
  public var histogram: [Int]
  /// Lower edge of the first bin (half a unit below the smallest value of an integer-valued indicator).
  public var minimum: Double
  /// Upper edge of the last bin.
  public var maximum: Double
  /// The sorted values (for the CDF).
  public var sortedValues: [Double]
  /// Whether every value is a whole number (`class-count`): bins then hold whole numbers and the
  /// axis is labelled with them.
  public var integerValued = false

  /// The histogram's bin edges, `bins + 1` of them from ``minimum`` to ``maximum``.
  public var binEdges: [Double] {
    let bins = histogram.count
    return (0...bins).map { minimum + (maximum - minimum) * Double($0) / Double(max(1, bins)) }
  }

  enum CodingKeys: String, CodingKey {
    case split, indicator, count, mean, quantiles, histogram, minimum, maximum
    case sortedValues = "sorted_values"
    case binEdges = "bin_edges"
    case integerValued = "integer_valued"
  }

  /// Encodes every stored field and, for readers, the derived ``binEdges``.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(split, forKey: .split)
    try container.encode(indicator, forKey: .indicator)
    try container.encode(count, forKey: .count)
    try container.encode(mean, forKey: .mean)
    try container.encode(quantiles, forKey: .quantiles)
    try container.encode(histogram, forKey: .histogram)
    try container.encode(minimum, forKey: .minimum)
    try container.encode(maximum, forKey: .maximum)
    try container.encode(sortedValues, forKey: .sortedValues)
    try container.encode(binEdges, forKey: .binEdges)
    try container.encode(integerValued, forKey: .integerValued)
  }
}

extension IndicatorDistribution {
  /// Decodes the stored fields (``binEdges`` is derived, so it is not read).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      split: try container.decode(String.self, forKey: .split), indicator: try container.decode(String.self, forKey: .indicator),
      count: try container.decode(Int.self, forKey: .count), mean: try container.decode(Double.self, forKey: .mean),
      quantiles: try container.decode([String: Double].self, forKey: .quantiles),
      histogram: try container.decode([Int].self, forKey: .histogram),
      minimum: try container.decode(Double.self, forKey: .minimum), maximum: try container.decode(Double.self, forKey: .maximum),
      sortedValues: try container.decode([Double].self, forKey: .sortedValues),
      integerValued: try container.decodeIfPresent(Bool.self, forKey: .integerValued) ?? false)
  }
}

/// One sample picked for the extremes section.
public struct AuditExtreme: Sendable, Codable, Equatable {
  /// The sample key.
  public var key: SampleKey
  /// Its value of the ranking indicator.
  public var value: Double
  /// Absolute image path.
  public var imagePath: String
  /// Absolute label path.
  public var labelPath: String?
  /// The dataset's format and label-space id, to colour the label.
  public var format: String
  /// The label space id.
  public var labelSpace: String
  /// How the dataset's label files map to train ids (not in the JSON; `nil` when its class table
  /// cannot be read, and the page then shows no overlay).
  public var labels: DatasetLabels?

  enum CodingKeys: String, CodingKey {
    case key, value, format
    case imagePath = "image_path"
    case labelPath = "label_path"
    case labelSpace = "label_space"
  }
}

/// Everything `dance audit` reports, computed from the catalog alone.
public struct AuditData: Sendable, Codable {
  /// Pearson correlation between two indicators over the training samples that have both.
  public struct Correlation: Sendable, Codable, Equatable {
    /// First indicator.
    public var a: String
    /// Second indicator.
    public var b: String
    /// Pearson's r, `nil` when undefined (fewer than 3 samples or a constant indicator).
    public var pearson: Double?
  }

  /// One dataset the audit covers.
  public struct Dataset: Sendable, Codable, Equatable {
    /// Its name (the first part of its sample keys).
    public var name: String
    /// `cityscapes`, `camvid`, `ade20k`, `voc` or `generic`.
    public var format: String
    /// The dataset root.
    public var root: String
    /// The training label space.
    public var labelSpace: String

    enum CodingKeys: String, CodingKey {
      case name, format, root
      case labelSpace = "label_space"
    }
  }

  /// The catalog file (absolute).
  public var catalog: String
  /// Datasets covered.
  public var datasets: [Dataset]
  /// Samples per split (valid ones).
  public var samplesPerSplit: [String: Int]
  /// Per split and indicator.
  public var distributions: [IndicatorDistribution]
  /// Between every pair of indicators, on the training split.
  public var correlations: [Correlation]
  /// The indicator the extremes are ranked by.
  public var rankingIndicator: String
  /// The least complex training samples, least first.
  public var leastComplex: [AuditExtreme]
  /// The most complex training samples, most first.
  public var mostComplex: [AuditExtreme]
  /// Per sample and indicator, for CSV export: key → split and values.
  public var table: [AuditRow]
  /// What the standard policies would do to the training split.
  public var policyPreview: [PolicyPreview]
  /// Where the default quantile policy cuts the training split's ranking indicator (JSON
  /// `policy_cutoffs`): the drop quantile, then each band's upper bound.
  public var policyCutoffs: [PolicyCutoff]
  /// Per split and label space, the pixels of each class (JSON `class_shares`).
  public var classShares: [ClassShares]
  /// Per label space, how much of the training split's small-class pixels the least complex
  /// samples hold (JSON `small_classes`).
  public var smallClasses: [SmallClassConcentration] = []
  /// The label spaces of the datasets by id, for colours and legends (not in the JSON).
  public var labelSpaces: [String: LabelSpace] = [:]
  /// Every training sample, for the page's sample browser (not in the JSON: ``table`` has the values).
  public var browser: SampleBrowser?

  /// The label space with `id`: a dataset's, or a standard one.
  public func space(_ id: String) -> LabelSpace? { labelSpaces[id] ?? LabelSpace.named(id) }

  enum CodingKeys: String, CodingKey {
    case catalog, datasets, distributions, correlations, table
    case samplesPerSplit = "samples_per_split"
    case rankingIndicator = "ranking_indicator"
    case leastComplex = "least_complex"
    case mostComplex = "most_complex"
    case policyPreview = "policy_preview"
    case policyCutoffs = "policy_cutoffs"
    case classShares = "class_shares"
    case smallClasses = "small_classes"
  }

  /// One cut-off of ``SlimmingPolicy/quantileDefault`` in the units of the ranking indicator.
  ///
  /// `value` is the `quantile` of the training values (linear interpolation, as in
  /// ``IndicatorDistribution/quantiles``); a band holds the samples whose percentile rank is below
  /// its bound, so they lie below `value`. The drop removes the lowest ⌊drop · n⌋ samples, which
  /// for small splits can stop a sample short of the drop quantile.
  public struct PolicyCutoff: Sendable, Codable, Equatable {
    /// `drop` for the drop quantile, `band` for a band's upper bound.
    public var kind: String
    /// The percentile rank of the cut (0.1, 0.4, 0.8 for the defaults).
    public var quantile: Double
    /// The indicator value at that quantile of the training split.
    public var value: Double
    /// The scale of the samples below a band's bound; `nil` for the drop.
    public var scale: Double?
  }

  /// One policy's effect on the training split, ranked by ``AuditData/rankingIndicator``.
  public struct PolicyPreview: Sendable, Codable, Equatable {
    /// The policy and its parameters (`policy.text` as `dance slim` prints it).
    public var policy: SlimmingPolicy.Summary
    /// Training samples planned.
    public var samples: Int
    /// Samples kept.
    public var kept: Int
    /// Kept samples per scale (`"0.5": 12`).
    public var byScale: [String: Int]
    /// Kept pixels over original pixels.
    public var pixelFraction: Double

    enum CodingKeys: String, CodingKey {
      case policy, samples, kept
      case byScale = "by_scale"
      case pixelFraction = "pixel_fraction"
    }
  }

  /// One sample's values.
  public struct AuditRow: Sendable, Codable, Equatable {
    /// The sample key.
    public var key: SampleKey
    /// Its split.
    public var split: DatasetSplit
    /// Indicator id → value.
    public var values: [String: Double]
  }

  /// The indicator that orders the extremes unless another is asked for.
  public static let defaultRanking = Indicator.siMean
  /// How many least and most complex training images are shown unless another count is asked for.
  public static let defaultExtremes = 12

  /// Gathers the audit from a catalog.
  /// - Parameters:
  ///   - ranking: the indicator that orders the extremes (default `si-mean`).
  ///   - extremes: how many least and most complex training samples to show.
  ///   - bins: the most histogram bins (a split of n samples gets ⌈√n⌉).
  ///   - labelFilesPerSplit: at most this many label files per split are read for ``classShares``
  ///     (evenly spaced in key order when a split has more).
  public static func gather(
    catalog: Catalog, ranking: Indicator = defaultRanking, extremes: Int = defaultExtremes, bins: Int = 20, labelFilesPerSplit: Int = 256
  ) throws(CatalogError) -> AuditData
  {
    let datasets = try catalog.datasets()
    let datasetById = Dictionary(uniqueKeysWithValues: datasets.compactMap { dataset in dataset.id.map { ($0, dataset) } })
    let labelsById = catalogedLabels(datasetById)
    let samples = try catalog.samples(status: .ok)
    let sampleByKey = Dictionary(uniqueKeysWithValues: samples.map { ($0.key, $0) })
    let scores = ScoreTable(try catalog.scores(), samples: Set(sampleByKey.keys))
    let table = samples.filter { !scores[$0.key].isEmpty }.map { sample in
      AuditRow(key: sample.key, split: sample.split, values: scores.idKeyed(sample.key))
    }
    let indicators = Indicator.allCases.map(\.rawValue).filter { id in table.contains { $0.values[id] != nil } }
    let splits = DatasetSplit.allCases.filter { split in samples.contains { $0.split == split } }
    let training = table.filter { $0.split == .train }
    let ranked = training.compactMap { row in row.values[ranking.rawValue].map { (row.key, $0) } }
      .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    let (least, most) = Self.extremes(ranked, count: extremes, samples: sampleByKey, datasets: datasetById, labels: labelsById)
    let inputs = scores.planInputs(
      ranking: ranking, sizes: samples.filter { $0.split == .train }.map { ($0.key, $0.width, $0.height) })
    let plans = inputs.isEmpty ? [] : previewPolicies.map { try? Planner.plan(inputs, policy: $0) }
    let counted = splits.flatMap { split in
      ClassShares.count(samples.filter { $0.split == split }, labels: labelsById, limit: max(1, labelFilesPerSplit))
    }
    let spaces = Dictionary(labelsById.values.map { ($0.labels.space.id, $0.labels.space) }) { first, _ in first }
    var data = AuditData(
      catalog: URL(fileURLWithPath: catalog.path).standardizedFileURL.path, datasets: datasets.map { Dataset(name: $0.name, format: $0.format.rawValue, root: $0.root, labelSpace: $0.labelSpace) },
      samplesPerSplit: Dictionary(grouping: samples, by: \.split.rawValue).mapValues(\.count),
      distributions: distributions(table, splits: splits, indicators: indicators, bins: bins),
      correlations: correlations(training, indicators: indicators), rankingIndicator: ranking.rawValue,
      leastComplex: least, mostComplex: most, table: table, policyPreview: previews(plans, inputs: inputs),
      policyCutoffs: policyCutoffs(ranked.map(\.1)), classShares: counted.map(\.shares))
    data.smallClasses = counted.filter { $0.shares.split == DatasetSplit.train.rawValue }.compactMap { entry in
      spaces[entry.shares.labelSpace].flatMap { space in
        SmallClassConcentration(
          space: space, smallClassPixelsByKey: entry.smallClassPixelsByKey, ranked: ranked, indicator: ranking.rawValue)
      }
    }
    data.labelSpaces = spaces
    data.browser = SampleBrowser.make(
      table: table, samples: sampleByKey, datasets: datasetById, labels: labelsById.mapValues(\.labels),
      plan: plans.first ?? nil, indicators: indicators)
    return data
  }

  /// Each dataset's class table with its root. A dataset whose class table is gone or changed since
  /// the scan is left out (it gets no class figures).
  static func catalogedLabels(_ datasetById: [Int64: DatasetRecord]) -> [Int64: (labels: DatasetLabels, root: String)] {
    datasetById.compactMapValues { dataset -> (labels: DatasetLabels, root: String)? in
      (try? DatasetLabels.cataloged(
        format: dataset.format, root: dataset.root, camvidOverrides: dataset.camvidGrouping, labelSpace: dataset.labelSpace
      )).map { ($0, dataset.root) }
    }
  }

  /// The distribution of every indicator in every split where it has values, split by split.
  static func distributions(_ table: [AuditRow], splits: [DatasetSplit], indicators: [String], bins: Int) -> [IndicatorDistribution] {
    var distributions: [IndicatorDistribution] = []
    for split in splits {
      for indicator in indicators {
        let values = table.filter { $0.split == split }.compactMap { $0.values[indicator] }
        if !values.isEmpty {
          distributions.append(distribution(values, split: split.rawValue, indicator: indicator, bins: bins))
        }
      }
    }
    return distributions
  }

  /// Pearson's r between every pair of indicators over the rows that have both.
  static func correlations(_ rows: [AuditRow], indicators: [String]) -> [Correlation] {
    var correlations: [Correlation] = []
    for (i, a) in indicators.enumerated() {
      for b in indicators[(i + 1)...] {
        let pairs = rows.compactMap { row in row.values[a].flatMap { x in row.values[b].map { (x, $0) } } }
        correlations.append(Correlation(a: a, b: b, pearson: pearson(pairs)))
      }
    }
    return correlations
  }

  /// The `count` least complex of `ranked` (ascending), least first, and the `count` most complex,
  /// most first. A split of at most twice the count shows every sample once: its lower half, then the rest.
  static func extremes(
    _ ranked: [(SampleKey, Double)], count: Int, samples: [SampleKey: SampleRecord], datasets: [Int64: DatasetRecord],
    labels: [Int64: (labels: DatasetLabels, root: String)]
  ) -> (least: [AuditExtreme], most: [AuditExtreme]) {
    let shown = ranked.count <= 2 * count ? (ranked.count + 1) / 2 : count
    func extreme(_ entry: (SampleKey, Double)) -> AuditExtreme? {
      guard let sample = samples[entry.0], let dataset = datasets[sample.datasetId] else { return nil }
      return AuditExtreme(
        key: entry.0, value: entry.1, imagePath: dataset.root + "/" + sample.imagePath,
        labelPath: sample.labelPath.map { dataset.root + "/" + $0 }, format: dataset.format.rawValue, labelSpace: dataset.labelSpace,
        labels: labels[sample.datasetId]?.labels)
    }
    return (ranked.prefix(shown).compactMap(extreme), ranked.suffix(min(count, ranked.count - shown)).reversed().compactMap(extreme))
  }

  /// The policies whose effect the audit previews, the default first (the sample browser shows its decisions).
  static let previewPolicies: [SlimmingPolicy] = [
    .quantileDefault, .budget(pixelBudget: 0.5, scales: SlimmingPolicy.defaultBudgetScales),
    .budget(pixelBudget: 0.25, scales: SlimmingPolicy.defaultBudgetScales), .fixed(scale: 0.5),
  ]

  /// What each plan (`nil` where planning failed) keeps of `inputs`.
  static func previews(_ plans: [Plan?], inputs: [PlanInput]) -> [PolicyPreview] {
    plans.compactMap { plan -> PolicyPreview? in
      guard let plan else { return nil }
      return PolicyPreview(
        policy: SlimmingPolicy.Summary(plan.policy), samples: inputs.count, kept: plan.keptCount,
        byScale: Dictionary(uniqueKeysWithValues: plan.countsByScale.map { (String($0.scale), $0.count) }),
        pixelFraction: plan.pixelFraction(inputs: inputs))
    }
  }

  /// Where ``SlimmingPolicy/quantileDefault`` cuts the ranking indicator's training `values` (none when there are none).
  static func policyCutoffs(_ values: [Double]) -> [PolicyCutoff] {
    guard case .quantile(let drop, let bands) = SlimmingPolicy.quantileDefault, !values.isEmpty else { return [] }
    return [PolicyCutoff(kind: "drop", quantile: drop, value: quantile(values, drop), scale: nil)]
      + bands.map { PolicyCutoff(kind: "band", quantile: $0.upTo, value: quantile(values, $0.upTo), scale: $0.scale) }
  }
}

import Foundation

extension AuditData {
  /// The distribution of `values` with at most `maxBins` bins: ⌈√n⌉ equal ones over the value
  /// range, or for whole numbers bins of a whole width from half a unit below the smallest.
  static func distribution(_ values: [Double], split: String, indicator: String, bins maxBins: Int) -> IndicatorDistribution {
    let sorted = values.sorted()
    var minimum = sorted.first ?? 0
    var maximum = sorted.last ?? 0
    let integerValued = !sorted.isEmpty && maximum - minimum < 1e9 && sorted.allSatisfy { $0 == $0.rounded() }
    var bins = min(max(1, maxBins), max(1, Int(Double(sorted.count).squareRoot().rounded(.up))))
    var width = maximum > minimum ? (maximum - minimum) / Double(bins) : 1
    if integerValued {
      let span = Int(maximum - minimum) + 1
      width = Double((span + max(1, maxBins) - 1) / max(1, maxBins))
      bins = Int((Double(span) / width).rounded(.up))
      minimum -= 0.5
      maximum = minimum + width * Double(bins)
    }
    var histogram = [Int](repeating: 0, count: bins)
    for value in sorted {
      histogram[min(bins - 1, max(0, Int((value - minimum) / width)))] += 1
    }
    var quantiles: [String: Double] = [:]
    for percent in [0, 5, 25, 50, 75, 95, 100] {
      quantiles["p\(percent)"] = quantile(sorted, Double(percent) / 100)
    }
    return IndicatorDistribution(
      split: split, indicator: indicator, count: sorted.count, mean: sorted.reduce(0, +) / Double(sorted.count),
      quantiles: quantiles, histogram: histogram, minimum: minimum, maximum: maximum, sortedValues: sorted,
      integerValued: integerValued)
  }

  /// Linear interpolation between order statistics (numpy's default method).
  static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let position = q * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
  }

  static func pearson(_ pairs: [(Double, Double)]) -> Double? {
    guard pairs.count >= 3 else { return nil }
    let n = Double(pairs.count)
    let meanX = pairs.map(\.0).reduce(0, +) / n
    let meanY = pairs.map(\.1).reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for (x, y) in pairs {
      sxy += (x - meanX) * (y - meanY)
      sxx += (x - meanX) * (x - meanX)
      syy += (y - meanY) * (y - meanY)
    }
    guard sxx > 0, syy > 0 else { return nil }
    return sxy / (sxx * syy).squareRoot()
  }
}

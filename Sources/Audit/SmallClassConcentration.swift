public import DanceCore
import Datasets

/// How much of a training split's small-class pixels its least complex samples hold.
///
/// A complexity ranking that is an oracle for where the small objects are (person, pole, sign,
/// light, … — ``LabelSpace/smallClasses``) makes slimming look better than it is: shrinking the
/// simplest samples then costs no small-class pixels at all. This figure says how far a dataset is
/// from that: the share of all small-class pixels found in the simplest ``simplestFraction`` of the
/// samples, ranked by ``indicator``. About `simplestFraction` means the ranking does not know where
/// the small objects are; near 0, that it does.
public struct SmallClassConcentration: Sendable, Codable, Equatable {
  /// The label space id.
  public var labelSpace: String
  /// The small classes counted.
  public var classNames: [String]
  /// The ranking indicator.
  public var indicator: String
  /// The fraction of samples, least complex first, whose small-class pixels are summed. Default 0.4.
  public var simplestFraction: Double
  /// Samples ranked (those with a label file read and a value of ``indicator``).
  public var samples: Int
  /// Small-class pixels over those samples.
  public var smallClassPixels: Int
  /// The share of ``smallClassPixels`` in the simplest ``simplestFraction`` of the samples; `nil`
  /// when there are no small-class pixels.
  public var shareInSimplest: Double?

  enum CodingKeys: String, CodingKey {
    case labelSpace = "label_space", classNames = "class_names", indicator, simplestFraction = "simplest_fraction"
    case samples, smallClassPixels = "small_class_pixels", shareInSimplest = "share_in_simplest"
  }

  /// The share of the small-class pixels held by the first `⌊fraction · n⌋` of `samples` in order
  /// of increasing `score` (ties by key); `nil` when they hold no small-class pixels.
  public static func share(_ samples: [(key: SampleKey, score: Double, smallPixels: Int)], simplestFraction fraction: Double)
    -> Double?
  {
    let total = samples.reduce(0) { $0 + $1.smallPixels }
    guard total > 0 else { return nil }
    let ordered = samples.sorted { ($0.score, $0.key) < ($1.score, $1.key) }
    let simplest = ordered.prefix(Int(fraction * Double(ordered.count))).reduce(0) { $0 + $1.smallPixels }
    return Double(simplest) / Double(total)
  }

  /// The concentration of a training split's small-class pixels per sample key under the ranking
  /// `ranked` (key, value); `nil` for a label space without small classes.
  init?(
    space: LabelSpace, smallClassPixelsByKey: [SampleKey: Int], ranked: [(SampleKey, Double)], indicator: String,
    simplestFraction: Double = 0.4
  ) {
    guard !space.smallClasses.isEmpty else { return nil }
    let samples = ranked.compactMap { key, score in
      smallClassPixelsByKey[key].map { (key: key, score: score, smallPixels: $0) }
    }
    self.init(
      labelSpace: space.id, classNames: space.smallClasses.map { space.classes[$0].name }, indicator: indicator,
      simplestFraction: simplestFraction, samples: samples.count,
      smallClassPixels: samples.reduce(0) { $0 + $1.smallPixels },
      shareInSimplest: Self.share(samples, simplestFraction: simplestFraction))
  }

  /// Creates a value from its fields.
  public init(
    labelSpace: String, classNames: [String], indicator: String, simplestFraction: Double, samples: Int,
    smallClassPixels: Int, shareInSimplest: Double?
  ) {
    self.labelSpace = labelSpace
    self.classNames = classNames
    self.indicator = indicator
    self.simplestFraction = simplestFraction
    self.samples = samples
    self.smallClassPixels = smallClassPixels
    self.shareInSimplest = shareInSimplest
  }
}

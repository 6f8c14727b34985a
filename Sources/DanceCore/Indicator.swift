/// A complexity indicator: one named, exactly defined number computed from an image, a label map
/// or both.
///
/// The raw value is the indicator's stable id (`"si"`, `"fidelity@0.5"`, …) as stored in catalogs
/// and shard metadata; ``variant`` pins the exact definition, so a later change of definition never
/// mixes with cached scores. Image indicators work on BT.601 full-range luma
/// `Y = 0.299 R + 0.587 G + 0.114 B` at the image's stored resolution (a gray image is its own luma,
/// alpha is ignored). Label indicators work on a train-id map whose value 255 marks ignored pixels.
public enum Indicator: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
  /// ITU-T P.910 spatial information, legacy full range: the population standard deviation of the
  /// unnormalised 3×3 Sobel magnitude over the pixels away from the 1-pixel border.
  case si = "si"
  /// The mean of the same Sobel magnitude over the same pixels; the default "spatial complexity".
  case siMean = "si-mean"
  /// The fraction of Canny edge pixels (5×5 Gaussian σ = 1.4, Sobel, L2 magnitude, thresholds
  /// 50 / 100 on the 8-bit scale, 8-connected hysteresis) over all pixels.
  case edgeDensity = "edge-density"
  /// Bits per pixel of the luma, rounded to 8 bits, re-encoded as baseline gray JPEG at quality 75.
  case jpegBitsPerPixel = "jpeg-bpp"
  /// The fraction of valid label pixels with a 4-neighbour of another valid class.
  case labelBoundary = "label-boundary"
  /// The Shannon entropy in bits of the class distribution over valid label pixels.
  case labelEntropy = "label-entropy"
  /// The number of distinct valid classes in the label map.
  case classCount = "class-count"
  /// The fraction of valid label pixels whose class survives a nearest round trip at scale 0.75.
  case fidelity75 = "fidelity@0.75"
  /// The fraction of valid label pixels whose class survives a nearest round trip at scale 0.5.
  case fidelity50 = "fidelity@0.5"
  /// The fraction of valid label pixels whose class survives a nearest round trip at scale 0.25.
  case fidelity25 = "fidelity@0.25"
  /// The smallest per-class survival ratio of a nearest round trip at scale 0.75.
  case worstClass75 = "worst-class@0.75"
  /// The smallest per-class survival ratio of a nearest round trip at scale 0.5.
  case worstClass50 = "worst-class@0.5"
  /// The smallest per-class survival ratio of a nearest round trip at scale 0.25.
  case worstClass25 = "worst-class@0.25"

  /// The cheap indicators for streaming scoring: every indicator except ``edgeDensity`` and
  /// ``jpegBitsPerPixel``, in declaration order.
  public static let defaultSet: [Indicator] = allCases.filter { $0 != .edgeDensity && $0 != .jpegBitsPerPixel }

  /// A stable description of the exact definition; it changes whenever the definition does.
  public var variant: String {
    switch self {
    case .si: "p910-legacy-fullrange;luma=bt601;sobel3;border=1;std=population"
    case .siMean: "sobel3-mean;luma=bt601;border=1"
    case .edgeDensity:
      "canny;luma=bt601;gauss5x5s1.4-reflect101;sobel3-replicate;l2;nms4-opencv;low50;high100;8conn"
    case .jpegBitsPerPixel: "libjpeg-q75-gray-baseline;luma=bt601-rounded"
    case .labelBoundary: "4conn;ignore=255"
    case .labelEntropy: "log2;ignore=255"
    case .classCount: "ignore=255"
    case .fidelity75, .fidelity50, .fidelity25: "nearest-centre;roundtrip;ignore=255"
    case .worstClass75, .worstClass50, .worstClass25: "nearest-centre;roundtrip;min-over-present;ignore=255"
    }
  }

  /// Whether the indicator reads the image.
  public var needsImage: Bool {
    switch self {
    case .si, .siMean, .edgeDensity, .jpegBitsPerPixel: true
    default: false
    }
  }

  /// Whether the indicator reads the train-id label map.
  public var needsLabel: Bool { !needsImage }

  /// Whether a higher value means a simpler sample: the survival ratios (``fidelity50``,
  /// ``worstClass50`` and their other scales) are 1 when downsampling loses nothing, and lower the
  /// more a label map loses. Every other indicator grows with complexity.
  public var higherMeansSimpler: Bool { scale != nil }

  /// `value` oriented so that a higher result means a more complex sample (what a ranking by
  /// complexity sorts by): the survival ratios are negated, the others returned as they are.
  public func complexity(_ value: Double) -> Double { higherMeansSimpler ? -value : value }

  /// The resampling scale of a fidelity or worst-class indicator, `nil` for the others.
  public var scale: Double? {
    switch self {
    case .fidelity75, .worstClass75: 0.75
    case .fidelity50, .worstClass50: 0.5
    case .fidelity25, .worstClass25: 0.25
    default: nil
    }
  }

  /// Orders indicators by declaration order (the order of ``allCases``).
  public static func < (lhs: Indicator, rhs: Indicator) -> Bool {
    let order = allCases
    return (order.firstIndex(of: lhs) ?? 0) < (order.firstIndex(of: rhs) ?? 0)
  }
}

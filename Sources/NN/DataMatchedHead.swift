/// The ASPP head of a ``DeepLabConfiguration`` matched to slimmed training data (design §7).
///
/// Slimmed samples are stored smaller, so objects in them are smaller and the head needs smaller
/// receptive fields. With the mean kept scale `s̄`, every 3×3 branch's dilation rate `r` becomes
/// `max(1, round(r · s̄))` (equal rates merged), and a branch whose receptive field `2r + 1`
/// exceeds the feature map the network really sees in both directions is removed, as design §7
/// defines it. That map comes from the crops the trainer really takes: a sample stored at scale s
/// is cropped at `min(round(s · crop), its stored size)` per side, and the feature map of a side of
/// n pixels is ``featureMapSide(_:outputStride:)``. On such a map no
/// position has both off-centre taps of either axis inside the image, so most of the branch's
/// weights multiply padding (at `r ≥` the map's larger side it would be a 1×1 convolution). The
/// 1×1 and image-pooling branches stay.
public struct DataMatchedHead: Codable, Sendable, Equatable {
  /// One 3×3 branch of the original head and what became of it.
  public struct Branch: Codable, Sendable, Equatable {
    /// The original dilation rate.
    public var rate: Int
    /// `max(1, round(rate · s̄))`.
    public var scaledRate: Int
    /// `2 · scaledRate + 1` feature-map pixels.
    public var receptiveField: Int
    /// `kept`, `merged` (its scaled rate equals an earlier branch's) or `removed` (field larger than the map).
    public var outcome: String

    enum CodingKeys: String, CodingKey {
      case rate, outcome
      case scaledRate = "scaled_rate"
      case receptiveField = "receptive_field"
    }
  }

  /// The mean kept scale `s̄` the head is matched to.
  public var meanScale: Double
  /// The feature map of the training crop at `s̄`, height then width.
  public var featureMap: [Int]
  /// Every original 3×3 branch, in order.
  public var branches: [Branch]
  /// The matched configuration.
  public var configuration: DeepLabConfiguration

  enum CodingKeys: String, CodingKey {
    case branches, configuration
    case meanScale = "mean_scale"
    case featureMap = "feature_map"
  }

  /// The feature-map side of an input side of `pixels` pixels: every stride-2 stage (3×3, padding 1)
  /// gives `ceil(n / 2)`, once per factor 2 of the output stride.
  public static func featureMapSide(_ pixels: Int, outputStride: Int) -> Int {
    var side = max(1, pixels), stride = max(1, outputStride)
    while stride > 1 {
      side = (side + 1) / 2
      stride /= 2
    }
    return side
  }

  /// Matches `base` to data of mean kept scale `meanScale` (in (0, 1]) whose crops are
  /// `s̄ · cropWidth × s̄ · cropHeight` pixels (every sample at least that large).
  public init(_ base: DeepLabConfiguration, meanScale: Double, cropWidth: Int, cropHeight: Int) {
    let height = Self.featureMapSide(Int((meanScale * Double(cropHeight)).rounded()), outputStride: base.outputStride)
    let width = Self.featureMapSide(Int((meanScale * Double(cropWidth)).rounded()), outputStride: base.outputStride)
    self.init(base, meanScale: meanScale, featureMapHeight: height, featureMapWidth: width)
  }

  /// Matches `base` to data of mean kept scale `meanScale` (in (0, 1]) whose training crops give a
  /// feature map of `featureMapHeight × featureMapWidth`.
  public init(_ base: DeepLabConfiguration, meanScale: Double, featureMapHeight: Int, featureMapWidth: Int) {
    precondition(meanScale > 0 && meanScale <= 1, "mean scale must be in (0, 1], got \(meanScale)")
    self.meanScale = meanScale
    let height = max(1, featureMapHeight), width = max(1, featureMapWidth)
    featureMap = [height, width]
    var kept: [Int] = []
    branches = base.asppRates.map { rate in
      let scaled = max(1, Int((Double(rate) * meanScale).rounded()))
      let field = 2 * scaled + 1
      let outcome: String
      if field > max(height, width) {
        outcome = "removed"
      } else if kept.contains(scaled) {
        outcome = "merged"
      } else {
        outcome = "kept"
        kept.append(scaled)
      }
      return Branch(rate: rate, scaledRate: scaled, receptiveField: field, outcome: outcome)
    }
    var matched = base
    matched.asppRates = kept
    if kept.isEmpty && !matched.asppOneByOne && !matched.asppImagePooling { matched.asppOneByOne = true }
    configuration = matched
  }

  /// Lines that say what changed, e.g. `rate 18 → 11: receptive field 23 > feature map 10x19, removed`.
  public var explanation: [String] {
    let map = "\(featureMap[0])x\(featureMap[1])"
    let scale = (meanScale * 1000).rounded() / 1000
    return ["matched to mean kept scale \(scale): feature map \(map) (height x width) for the training crop"]
      + branches.map { branch in
        let change = "rate \(branch.rate) → \(branch.scaledRate): receptive field \(branch.receptiveField)"
        switch branch.outcome {
        case "removed": return change + " > feature map \(map), removed"
        case "merged": return change + ", merged with the branch of the same rate"
        default: return change + ", kept"
        }
      }
  }
}

/// The hyper-parameters of ``DeepLab``; stored as JSON with snake_case keys in checkpoint
/// metadata (checkpoints written before issue 26 have camelCase keys, which
/// `LegacyJSON.decoder()` reads too).
public struct DeepLabConfiguration: Codable, Sendable, Equatable {
  /// Input channels (3 for RGB).
  public var inputChannels = 3
  /// Output classes K.
  public var classes = 19
  /// Multiplies every channel count (rounded to a multiple of 4, at least 4).
  public var widthMultiplier = 1.0
  /// Backbone output stride: 8 or 16.
  public var outputStride = 16
  /// Dilation rates of the ASPP 3×3 branches, one branch per rate; empty removes them all.
  public var asppRates = [6, 12, 18]
  /// Whether the ASPP has its 1×1 branch.
  public var asppOneByOne = true
  /// Whether the ASPP has its image-pooling branch.
  public var asppImagePooling = true
  /// Dropout probability after the ASPP projection.
  public var dropout = 0.1
  /// The channels pruning left, per unit; `nil` (every unpruned network) means the widths the width
  /// multiplier gives.
  public var pruned: PrunedWidths?
  /// Whether each ASPP branch's output is multiplied by a learnable gate (`aspp.gates`, one per
  /// branch, starting at 1), which progressive slimming pushes towards 0 to find branches to remove.
  public var asppGates = false

  enum CodingKeys: String, CodingKey {
    case classes, dropout, pruned
    case inputChannels = "input_channels"
    case widthMultiplier = "width_multiplier"
    case outputStride = "output_stride"
    case asppRates = "aspp_rates"
    case asppOneByOne = "aspp_one_by_one"
    case asppImagePooling = "aspp_image_pooling"
    case asppGates = "aspp_gates"
  }

  /// Decodes a configuration: every key is required except `pruned` and `asppGates`, which
  /// configurations written before pruning lack (an unpruned network without gates).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    inputChannels = try container.decode(Int.self, forKey: .inputChannels)
    classes = try container.decode(Int.self, forKey: .classes)
    widthMultiplier = try container.decode(Double.self, forKey: .widthMultiplier)
    outputStride = try container.decode(Int.self, forKey: .outputStride)
    asppRates = try container.decode([Int].self, forKey: .asppRates)
    asppOneByOne = try container.decode(Bool.self, forKey: .asppOneByOne)
    asppImagePooling = try container.decode(Bool.self, forKey: .asppImagePooling)
    dropout = try container.decode(Double.self, forKey: .dropout)
    pruned = try container.decodeIfPresent(PrunedWidths.self, forKey: .pruned)
    asppGates = try container.decodeIfPresent(Bool.self, forKey: .asppGates) ?? false
  }

  /// The output channels of units whose channels were physically removed (``DeepLab/pruned(keeping:)``).
  public struct PrunedWidths: Codable, Sendable, Equatable {
    /// Per ASPP branch, in order (1×1, the rates, image pooling).
    public var asppBranches: [Int]
    /// The ASPP projection.
    public var asppProject: Int
    /// The decoder's low-level reduction (`decoder.reduce`).
    public var skip: Int
    /// The decoder's fusing convolution (`decoder.fuse`).
    public var decoder: Int
    /// The width inside the backbone's last block (`backbone.layer4`, between conv1 and conv2),
    /// when it was pruned.
    public var lastStageInner: Int?

    enum CodingKeys: String, CodingKey {
      case skip, decoder
      case asppBranches = "aspp_branches"
      case asppProject = "aspp_project"
      case lastStageInner = "last_stage_inner"
    }

    /// Creates the widths.
    public init(asppBranches: [Int], asppProject: Int, skip: Int, decoder: Int, lastStageInner: Int? = nil) {
      self.asppBranches = asppBranches
      self.asppProject = asppProject
      self.skip = skip
      self.decoder = decoder
      self.lastStageInner = lastStageInner
    }
  }

  /// The number of ASPP branches.
  public var asppBranchCount: Int { (asppOneByOne ? 1 : 0) + asppRates.count + (asppImagePooling ? 1 : 0) }

  /// The output channels of each unit the head and the decoder are made of, pruned or not.
  public var widths: PrunedWidths {
    let base = Self.baseWidths
    return pruned ?? PrunedWidths(
      asppBranches: Array(repeating: channels(base.aspp), count: asppBranchCount), asppProject: channels(base.aspp),
      skip: channels(base.skip), decoder: channels(base.decoder))
  }

  /// The default configuration: 19 classes, width 1, output stride 16, rates 6, 12, 18, all branches.
  public init() {}

  /// Creates a configuration; unspecified fields keep their defaults.
  public init(classes: Int = 19, widthMultiplier: Double = 1, outputStride: Int = 16, asppRates: [Int] = [6, 12, 18],
              asppOneByOne: Bool = true, asppImagePooling: Bool = true, inputChannels: Int = 3, dropout: Double = 0.1) {
    self.classes = classes
    self.widthMultiplier = widthMultiplier
    self.outputStride = outputStride
    self.asppRates = asppRates
    self.asppOneByOne = asppOneByOne
    self.asppImagePooling = asppImagePooling
    self.inputChannels = inputChannels
    self.dropout = dropout
  }

  /// The most classes a network may have: train-id maps are 8-bit and 255 is the ignore value.
  public static let maximumClasses = 255

  /// Base channel counts before the width multiplier: stem, layer1…layer4, ASPP, low-level skip, decoder.
  static let baseWidths = (stem: 32, layers: [64, 128, 256, 256], aspp: 128, skip: 32, decoder: 128)

  /// `base · widthMultiplier` rounded to a multiple of 4, at least 4.
  public func channels(_ base: Int) -> Int {
    max(4, Int((Double(base) * widthMultiplier / 4).rounded()) * 4)
  }

  /// A problem with the configuration, or nil if it is usable.
  public var problem: String? {
    if outputStride != 8 && outputStride != 16 { return "output stride must be 8 or 16, got \(outputStride)" }
    if !(1...Self.maximumClasses).contains(classes) {
      return "classes must be 1…\(Self.maximumClasses) (train ids are 8-bit, 255 = ignore), got \(classes)"
    }
    if !(1...16).contains(inputChannels) { return "input channels must be 1…16, got \(inputChannels)" }
    if !(widthMultiplier > 0 && widthMultiplier <= 8) { return "width multiplier must be in (0, 8], got \(widthMultiplier)" }
    if asppRates.contains(where: { !(1...1024).contains($0) }) || asppRates.count > 16 {
      return "ASPP rates must be 1…1024, at most 16 of them, got \(asppRates)"
    }
    if asppRates.isEmpty && !asppOneByOne && !asppImagePooling { return "the ASPP needs at least one branch" }
    if !(dropout >= 0 && dropout < 1) { return "dropout must be in [0, 1), got \(dropout)" }
    if let pruned {
      if pruned.asppBranches.count != asppBranchCount { return "pruned widths name \(pruned.asppBranches.count) ASPP branches, the head has \(asppBranchCount)" }
      if (pruned.asppBranches + [pruned.asppProject, pruned.skip, pruned.decoder, pruned.lastStageInner ?? 1]).contains(where: { $0 < 1 }) {
        return "pruned widths must be positive"
      }
      // Pruning only removes channels.
      let base = Self.baseWidths
      let limits = [(pruned.asppProject, base.aspp), (pruned.skip, base.skip), (pruned.decoder, base.decoder),
                    (pruned.lastStageInner ?? 1, base.layers[3])] + pruned.asppBranches.map { ($0, base.aspp) }
      if limits.contains(where: { $0.0 > channels($0.1) }) { return "pruned widths exceed the unpruned network's" }
    }
    return nil
  }

  /// A one-line description, e.g. `DeepLab(width 1.0, OS 16, ASPP 1x1+r6+r12+r18+pool, 19 classes)`.
  public var description: String {
    let branches = (asppOneByOne ? ["1x1"] : []) + asppRates.map { "r\($0)" } + (asppImagePooling ? ["pool"] : [])
    let widths = pruned.map {
      ", pruned to ASPP \($0.asppBranches.map(String.init).joined(separator: "/"))→\($0.asppProject), skip \($0.skip), decoder \($0.decoder)"
        + ($0.lastStageInner.map { ", layer4 inner \($0)" } ?? "")
    } ?? ""
    return "DeepLab(width \(widthMultiplier), OS \(outputStride), ASPP \(branches.joined(separator: "+"))\(asppGates ? " gated" : "")\(widths), "
      + "\(classes) classes)"
  }
}

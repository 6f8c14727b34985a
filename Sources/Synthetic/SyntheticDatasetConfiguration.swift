public import DanceCore
public import Datasets

/// What `dance synth` writes: the format, where, how many samples per split, at which size and seed.
///
/// Equal configurations write byte-identical datasets.
public struct SyntheticDatasetConfiguration: Sendable, Equatable {
  /// An image size in pixels.
  public struct ImageSize: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// Creates a size of `width × height` pixels.
    public init(width: Int, height: Int) {
      self.width = width
      self.height = height
    }

    /// Parses `"WxH"` (for example `"2048x1024"`; `X` and `×` work too); `nil` if it is not two
    /// positive integers.
    public init?(parsing text: String) {
      let parts = text.lowercased().split(whereSeparator: { $0 == "x" || $0 == "×" })
      guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0
      else { return nil }
      self.init(width: width, height: height)
    }

    /// `"WxH"`.
    public var description: String { "\(width)x\(height)" }
  }

  /// Which scenes are generated and how their pixels are rendered.
  public enum Style: String, Sendable, Equatable, CaseIterable {
    /// The first generator: one complexity level per scene drives both the label clutter and the
    /// texture, flat class colours with hash noise and blotches, image PNGs with the `sub` filter.
    /// Cheap to render and to compress, and easy for complexity-based slimming: texture nearly
    /// tells where the small objects are.
    case classic
    /// The default: the classic street with texture drawn apart from label clutter, small and
    /// distant objects and frequent signs and lights placed apart from both, object colours that
    /// overlap between classes, shadows; rendered with material textures (bricks, cobbles, foliage,
    /// grass, asphalt), exposure and white balance, a 3×3 optical blur, signal-dependent sensor
    /// noise and, in some frames, a JPEG round trip; image PNGs with libpng's adaptive per-row
    /// filter choice, as OpenCV and real datasets write them.
    case photographic
  }

  /// How the generic layout's masks store classes.
  public enum MaskEncoding: String, Sendable, Equatable, CaseIterable {
    /// Index PNGs: one 8-bit channel holding each class's id (`classes.yaml`'s `id`).
    case index
    /// Colour PNGs: RGB, each class in its `classes.yaml` colour, ignored pixels black.
    case color
  }

  /// The smallest width and height accepted, in pixels.
  public static let minimumSide = 32
  /// The largest width and height accepted, in pixels.
  public static let maximumSide = 8192

  /// The layout to write.
  public var format: DatasetFormat
  /// The directory the dataset is written into; created if missing. Files of an earlier run with
  /// the same names are overwritten, other files are left alone.
  public var outputDirectory: String
  /// Number of training samples. Default 16.
  public var trainCount: Int
  /// Number of validation samples. Default 4.
  public var valCount: Int
  /// Number of test samples; only CamVid and the generic layout have a labelled test split. `nil`
  /// means "as many as validation" for CamVid and none for the other formats.
  public var testCount: Int?
  /// Image size; `nil` means the format's default (``defaultImageSize(for:)``). For ADE20K this is
  /// the base size around which each image's size varies by up to ±25 %.
  public var imageSize: ImageSize?
  /// The seed every sample's content is derived from. Default 0.
  public var seed: UInt64
  /// zlib level of the PNG files, 0…9. Default 3 (fast).
  public var pngCompressionLevel: Int
  /// JPEG quality of the ADE20K and Pascal VOC images, 1…100. Default 90.
  public var jpegQuality: Int
  /// Which scenes are generated and how they are rendered. Default ``Style/photographic``.
  public var style: Style
  /// How the generic layout's masks store classes. Default ``MaskEncoding/index``.
  public var masks: MaskEncoding = .index
  /// Whether an output directory that already holds files is emptied first. Default false: such a
  /// directory is refused, so a smaller second run never leaves stale samples behind.
  public var overwrite = false

  /// The defaults of every setting (`dance synth` and a pipeline file's `synth:` start from them).
  public static let defaults = SyntheticDatasetConfiguration(format: .cityscapes, outputDirectory: "")

  /// Creates a configuration; see the properties for the defaults.
  public init(
    format: DatasetFormat, outputDirectory: String, trainCount: Int = 16, valCount: Int = 4,
    testCount: Int? = nil, imageSize: ImageSize? = nil, seed: UInt64 = 0, pngCompressionLevel: Int = 3,
    jpegQuality: Int = 90, style: Style = .photographic
  ) {
    self.format = format
    self.outputDirectory = outputDirectory
    self.trainCount = trainCount
    self.valCount = valCount
    self.testCount = testCount
    self.imageSize = imageSize
    self.seed = seed
    self.pngCompressionLevel = pngCompressionLevel
    self.jpegQuality = jpegQuality
    self.style = style
  }

  /// The default image size of `format`: Cityscapes and generic 256×128, CamVid 240×180, ADE20K
  /// (base) and Pascal VOC 256×192.
  public static func defaultImageSize(for format: DatasetFormat) -> ImageSize {
    switch format {
    case .cityscapes, .generic: ImageSize(width: 256, height: 128)
    case .camvid: ImageSize(width: 240, height: 180)
    case .ade20k, .voc: ImageSize(width: 256, height: 192)
    }
  }

  /// The image size in effect: ``imageSize`` or the format's default.
  public var resolvedImageSize: ImageSize { imageSize ?? Self.defaultImageSize(for: format) }

  /// The number of samples per split in effect, in split order; splits with no samples are left out.
  public var splitCounts: [(split: DatasetSplit, count: Int)] {
    let test = testCount ?? (format == .camvid ? valCount : 0)
    return [(DatasetSplit.train, trainCount), (.val, valCount), (.test, test)].filter { $0.1 > 0 }
  }

  /// Checks the counts, the size and the encoder settings.
  ///
  /// - Throws: ``DatasetError/invalidConfiguration(path:reason:)`` naming the first problem.
  public func validate() throws(DatasetError) {
    func fail(_ reason: String) -> DatasetError { .invalidConfiguration(path: outputDirectory, reason: reason) }
    if outputDirectory.isEmpty { throw fail("the output directory is empty") }
    for (split, count) in [(DatasetSplit.train, trainCount), (.val, valCount), (.test, testCount ?? 0)] where count < 0 {
      throw fail("the \(split.rawValue) count must be 0 or more, got \(count)")
    }
    if let testCount, testCount > 0, format != .camvid && format != .generic {
      throw fail("only CamVid and the generic layout have a labelled test split; \(format.displayName) gets train and val only")
    }
    if masks == .color && format != .generic { throw fail("colour masks are the generic layout's; \(format.displayName) has its own labels") }
    let size = resolvedImageSize
    let range = Self.minimumSide...Self.maximumSide
    if !range.contains(size.width) || !range.contains(size.height) {
      throw fail("the image size \(size) must be \(Self.minimumSide)…\(Self.maximumSide) pixels on each side")
    }
    if !(0...9).contains(pngCompressionLevel) {
      throw fail("the PNG compression level must be 0…9, got \(pngCompressionLevel)")
    }
    if !(1...100).contains(jpegQuality) { throw fail("the JPEG quality must be 1…100, got \(jpegQuality)") }
  }
}

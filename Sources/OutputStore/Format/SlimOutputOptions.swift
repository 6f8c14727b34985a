public import ImageCodecs

/// How images and labels are stored in the shards.
public struct SlimOutputOptions: Sendable, Equatable, Codable {
  /// The image codec of the shards.
  public enum Codec: String, Sendable, Codable, CaseIterable {
    /// Lossless PNG.
    case png
    /// JPEG at ``SlimOutputOptions/jpegQuality``.
    case jpg
    /// The source file's codec (so samples kept at scale 1 are copied byte for byte).
    case auto
  }

  /// Label resampling: nearest with centre alignment, or the majority of the footprint.
  public enum LabelResampling: String, Sendable, Codable, CaseIterable {
    /// `src = floor((dst + 0.5) · W / W')`.
    case nearest
    /// Majority over the source footprint, ignore excluded, ties to the smaller class.
    case mode
  }

  /// Image codec. Default auto.
  public var imageCodec: Codec = .auto
  /// JPEG quality 1…100. Default 95.
  public var jpegQuality = 95
  /// zlib level of image PNGs. Default 3 (fast).
  public var pngLevel = 3
  /// zlib strategy of image PNGs. Default run-length (``PNGEncoder/Strategy/rle``): about twice as
  /// fast as the standard search on photographs, for files a few per cent larger.
  public var pngStrategy: PNGEncoder.Strategy = .rle
  /// Image resampling kernel. Default area.
  public var kernel: ImageResampler.Kernel = .area
  /// Label resampling. Default nearest.
  public var labelResampling: LabelResampling = .nearest

  /// Creates options with the defaults above.
  public init() {}
}

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
  /// Row filter of image PNGs.
  public enum PNGFilter: String, Sendable, Codable, CaseIterable {
    /// Difference to the left neighbour, every row: the fastest.
    case sub
    /// Per row the filter libpng's heuristic picks (``PNGEncoder/Filter/adaptive``): smaller
    /// files of photographs, for a few milliseconds per 2048×1024 frame.
    case adaptive

    /// The encoder's filter.
    public var encoderFilter: PNGEncoder.Filter { self == .sub ? .sub : .adaptive }
  }

  /// Compression level of image PNGs: zlib's 0 to 9, or ISA-L's 0 to 2 (higher levels are taken as
  /// 2). Default 2, ISA-L's highest (with zlib's run-length strategy every level from 1 writes the
  /// same bytes).
  public var pngLevel = 2
  /// zlib strategy of image PNGs (zlib only). Default run-length (``PNGEncoder/Strategy/rle``):
  /// about twice as fast as the standard search on photographs, for files a few per cent larger.
  public var pngStrategy: PNGEncoder.Strategy = .rle
  /// Row filter of image PNGs. Default adaptive: on CamVid's photographs 4 % smaller files than sub
  /// (at 2048×1024 frames tiled from them, 6 %), which decode about 30 % slower, as any PNG libpng
  /// or OpenCV writes does (issue 29).
  public var pngFilter: PNGFilter = .adaptive
  /// Deflate implementation of image PNGs. Default ISA-L: with the adaptive filter it encoded
  /// CamVid's frames in 2.1 ms against zlib's 4.9 ms (level 3, run-length, sub) and 8.5 ms
  /// (adaptive), on a quiet machine. Its bytes are the same on every x86-64 CPU with SSE4.2; CPUs
  /// without it, and other architectures, write other bytes of the same pixels (zlib's are the same
  /// everywhere).
  public var pngDeflater: PNGEncoder.Deflater = .isal
  /// Image resampling kernel. Default area.
  public var kernel: ImageResampler.Kernel = .area
  /// Label resampling. Default nearest.
  public var labelResampling: LabelResampling = .nearest

  /// Creates options with the defaults above.
  public init() {}

  /// The encoder of image PNGs these options describe.
  public var pngEncoder: PNGEncoder {
    PNGEncoder(compressionLevel: pngLevel, filter: pngFilter.encoderFilter, strategy: pngStrategy, deflater: pngDeflater)
  }
}

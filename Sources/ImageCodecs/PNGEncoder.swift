internal import CPNG

/// PNG encoding settings.
public struct PNGEncoder: Sendable {
  /// The per-row filter libpng applies before compression.
  public enum Filter: Int32, Sendable, CaseIterable {
    /// A filter per row: the one whose output has the smallest sum of absolute signed bytes
    /// (libpng's heuristic; with ISA-L, Dance's implementation of it). Best size, slowest.
    case adaptive = -1
    /// No filtering: the fastest, and the best for label maps.
    case none = 0
    /// Difference to the left neighbour.
    case sub = 1
    /// Difference to the row above.
    case up = 2
    /// Difference to the average of left and above.
    case average = 3
    /// Paeth predictor.
    case paeth = 4
  }

  /// How zlib looks for repeated strings in the filtered rows.
  public enum Strategy: String, Sendable, Codable, CaseIterable {
    /// libpng's choice: zlib's `Z_FILTERED` for filtered rows, `Z_DEFAULT_STRATEGY` otherwise.
    case standard
    /// `Z_RLE`: matches at distance 1 only. On photographs filtered with ``Filter/sub`` about twice
    /// as fast as the standard search at the same level, for files a few per cent larger.
    case rle
    /// `Z_HUFFMAN_ONLY`: no string matching at all; fastest, larger on flat content.
    case huffmanOnly = "huffman"

    /// The zlib constant, or -1 for libpng's default.
    var zlibValue: Int32 {
      switch self {
      case .standard: -1
      case .rle: 3  // Z_RLE
      case .huffmanOnly: 2  // Z_HUFFMAN_ONLY
      }
    }
  }

  /// Which deflate implementation compresses the filtered rows.
  public enum Deflater: String, Sendable, Codable, CaseIterable {
    /// libpng's writer with zlib: every layout, levels 0 to 9, every ``Strategy``.
    case zlib
    /// ISA-L's deflate (levels 0 to 2) behind Dance's own filtering and chunk writer, for 8-bit
    /// gray, gray + alpha, RGB and RGBA images; palette and 16-bit images still go through zlib.
    /// On CamVid photographs with ``Filter/sub``, level 2 is three and a half times as fast as zlib
    /// level 3 with ``Strategy/rle`` for files 1 % larger (four times, 5 % larger, on 2048×1024
    /// frames upscaled from them). ``strategy`` does not apply. ISA-L's level 3 is not offered: it
    /// writes other bytes on AVX-512 than on AVX2 machines (levels 0 to 2 write the same), and it
    /// is slower than level 2 and no smaller on large photographs.
    case isal
  }

  /// Compression level: zlib's 0 (store) to 9 (smallest), or ISA-L's 0 to 2. Default 6.
  public var compressionLevel: Int
  /// Row filter. Default adaptive.
  public var filter: Filter
  /// zlib strategy. Default standard.
  public var strategy: Strategy
  /// Deflate implementation. Default zlib.
  public var deflater: Deflater

  /// Creates an encoder; `compressionLevel` is clamped to 0...9 (0...2 for ISA-L).
  public init(compressionLevel: Int = 6, filter: Filter = .adaptive, strategy: Strategy = .standard, deflater: Deflater = .zlib) {
    self.compressionLevel = min(max(compressionLevel, 0), deflater == .isal ? 2 : 9)
    self.filter = filter
    self.strategy = strategy
    self.deflater = deflater
  }

  /// Encodes an 8-bit gray, gray + alpha, RGB or RGBA image as a non-interlaced PNG.
  ///
  /// The output depends only on the pixels and these settings (no time stamps), so equal input
  /// gives equal bytes. The corresponding C function is `png_write_image` (zlib) or
  /// `cpng_encode_isal` (ISA-L).
  public func encode(_ image: Image8) throws(ImageCodecError) -> [UInt8] {
    try image.samples.withUnsafeBytes { raw in
      encode(raw, width: image.width, height: image.height, channels: image.channels, bitDepth: 8)
    }.get()
  }

  /// Encodes palette indices (one 8-bit channel) as a palette PNG with `palette`'s colours
  /// (`[R, G, B, R, G, B, …]`, 1 to 256 entries), as Pascal VOC's label files are stored.
  public func encode(indices image: Image8, palette: [UInt8]) throws(ImageCodecError) -> [UInt8] {
    guard image.channels == 1, !palette.isEmpty, palette.count % 3 == 0, palette.count <= 768 else {
      throw .encodeFailed(source: "<memory>", codec: .png, reason: "a palette PNG needs one 8-bit channel and 1 to 256 RGB palette entries")
    }
    return try palette.withUnsafeBufferPointer { colors in
      image.samples.withUnsafeBytes { raw in
        encode(raw, width: image.width, height: image.height, channels: 1, bitDepth: 8, palette: colors)
      }
    }.get()
  }

  /// Encodes a 16-bit image (1 to 4 channels) as a non-interlaced PNG.
  public func encode(_ image: Image16) throws(ImageCodecError) -> [UInt8] {
    try image.samples.withUnsafeBytes { raw in
      encode(raw, width: image.width, height: image.height, channels: image.channels, bitDepth: 16)
    }.get()
  }

  private func encode(
    _ raw: UnsafeRawBufferPointer, width: Int, height: Int, channels: Int, bitDepth: Int,
    palette: UnsafeBufferPointer<UInt8>? = nil
  ) -> Result<[UInt8], ImageCodecError> {
    guard width <= Int(UInt32.max), height <= Int(UInt32.max) else {
      return .failure(.encodeFailed(source: "<memory>", codec: .png, reason: "dimensions out of range"))
    }
    var output: UnsafeMutablePointer<UInt8>?
    var outputSize = 0
    var message = [CChar](repeating: 0, count: Int(CPNG_MESSAGE_CAPACITY))
    let pixels = raw.bindMemory(to: UInt8.self).baseAddress
    let status: Int32
    if deflater == .isal && bitDepth == 8 && palette == nil {
      status = cpng_encode_isal(
        pixels, UInt32(width), UInt32(height), Int32(channels), Int32(min(compressionLevel, 2)), filter.rawValue,
        &output, &outputSize, &message)
    } else {
      status = cpng_encode(
        pixels, UInt32(width), UInt32(height), Int32(channels), Int32(bitDepth), palette?.baseAddress,
        Int32((palette?.count ?? 0) / 3), Int32(min(compressionLevel, 9)), filter.rawValue, strategy.zlibValue,
        &output, &outputSize, &message)
    }
    defer { cpng_free(output) }
    guard status == CPNG_OK, let output else {
      return .failure(.encodeFailed(source: "<memory>", codec: .png, reason: cMessage(message)))
    }
    return .success([UInt8](UnsafeBufferPointer(start: output, count: outputSize)))
  }
}

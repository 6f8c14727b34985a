/// How the decoder treats data that a viewer would show but that is damaged.
public enum DecodeStrictness: String, Sendable, Equatable, CaseIterable, Codable {
  /// Every libjpeg warning (extraneous bytes, a premature end of a data segment, a bad Huffman
  /// code, …) and every libpng warning about the image data (a wrong Adler-32, extra compressed
  /// data) is an error, ``ImageCodecError/strictWarning(source:codec:warning:)``. The default: a
  /// curation tool must not score, shard or verify made-up pixels.
  case strict
  /// Such files are decoded as libjpeg and libpng would show them, and each is reported as a
  /// ``DecodeWarning`` (on ``DecodedFile/warnings`` and to ``DecodeOptions/warningHandler``).
  /// Truncated files stay errors.
  case lenient
}

/// A problem the decoder accepted in ``DecodeStrictness/lenient`` mode.
public struct DecodeWarning: Sendable, Equatable, CustomStringConvertible {
  /// The file or data name the warning concerns.
  public var source: String
  /// The codec that warned.
  public var codec: ImageCodec
  /// The library's text of the first warning, e.g. `Corrupt JPEG data: 1 extraneous bytes before marker 0xd9`.
  public var message: String
  /// How many warnings the library gave for this file (at least 1).
  public var count: Int

  /// Creates a warning.
  public init(source: String, codec: ImageCodec, message: String, count: Int = 1) {
    self.source = source
    self.codec = codec
    self.message = message
    self.count = count
  }

  /// `"<source>: <message>"`, with the count when there were several.
  public var description: String {
    "\(source): \(message)" + (count > 1 ? " (and \(count - 1) more warnings)" : "")
  }
}

/// Settings shared by every decode.
public struct DecodeOptions: Sendable, Equatable {
  /// Files whose header announces more pixels than this are refused before any pixel memory is
  /// allocated. Default 2^28 (268 million pixels, e.g. 16384 × 16384).
  public var maxPixels: Int
  /// Files larger than this many bytes are refused without being read. Default 1 GiB.
  public var maxFileBytes: Int
  /// Whether a `.png`/`.jpg` extension that contradicts the content is an error. Default true.
  public var rejectsExtensionMismatch: Bool
  /// Scaled decoding for JPEG (PNG always decodes at full size). Default full.
  public var jpegScale: JPEGScale
  /// Whether damaged data the libraries can work around is an error. Default strict.
  public var strictness: DecodeStrictness
  /// The most pixels a PNG may claim per byte of file before it is refused as implausible, without
  /// allocating anything; 0 turns the check off. Default 8256.
  ///
  /// Deflate codes at best 258 repeated bytes in 2 bits (a length code and a distance code of one
  /// bit each), 1032 bytes per compressed byte, and the filtered image data holds at least one
  /// byte per 8 pixels (1-bit samples, before the per-row filter bytes). So no PNG, however
  /// uniform, holds more than 8 × 1032 pixels per byte of its file, and no valid file is refused.
  public var pngMaxPixelsPerByte: Int
  /// The most pixels a JPEG may claim per byte of file before it is refused as implausible, without
  /// allocating anything; 0 turns the check off. Default 512.
  ///
  /// Huffman-coded JPEG (baseline and progressive) codes every 8×8 block of a component with at
  /// least one code of at least one bit (the DC difference; a baseline block needs a second one,
  /// the end of block). The component with the most blocks is the full-resolution one, so a file
  /// holds at most 64 pixels per bit of it: 512 per byte. Counted as 64 × that component's blocks.
  /// Arithmetic-coded JPEGs (rare) have no such floor and are not checked;
  /// ``maxDecoderMemory`` and ``maxPixels`` still bound them.
  public var jpegMaxPixelsPerByte: Int
  /// The most working memory libjpeg may use (its `max_memory_to_use`), in bytes; 0 for no cap.
  /// A progressive JPEG keeps every DCT coefficient of the image (128 bytes per 8×8 block per
  /// component), and one whose coefficient buffer alone exceeds this is refused before it is
  /// allocated. Default 2 GiB, enough for a 4:4:4 progressive image of ``maxPixels``.
  public var maxDecoderMemory: Int
  /// Called for every warning of a file accepted in lenient mode (never in strict mode), on the
  /// decoding thread, by every entry point (whole decodes, row decodes and header reads). Not part
  /// of equality.
  public var warningHandler: (@Sendable (DecodeWarning) -> Void)?

  /// Creates options; every parameter has the documented default.
  public init(
    maxPixels: Int = 1 << 28, maxFileBytes: Int = 1 << 30, rejectsExtensionMismatch: Bool = true,
    jpegScale: JPEGScale = .full, strictness: DecodeStrictness = .strict, pngMaxPixelsPerByte: Int = 8 * 1032,
    jpegMaxPixelsPerByte: Int = 512, maxDecoderMemory: Int = 2 << 30,
    warningHandler: (@Sendable (DecodeWarning) -> Void)? = nil
  ) {
    self.maxPixels = maxPixels
    self.maxFileBytes = maxFileBytes
    self.rejectsExtensionMismatch = rejectsExtensionMismatch
    self.jpegScale = jpegScale
    self.strictness = strictness
    self.pngMaxPixelsPerByte = pngMaxPixelsPerByte
    self.jpegMaxPixelsPerByte = jpegMaxPixelsPerByte
    self.maxDecoderMemory = maxDecoderMemory
    self.warningHandler = warningHandler
  }

  /// Equal when every setting but ``warningHandler`` is equal.
  public static func == (lhs: DecodeOptions, rhs: DecodeOptions) -> Bool {
    lhs.maxPixels == rhs.maxPixels && lhs.maxFileBytes == rhs.maxFileBytes
      && lhs.rejectsExtensionMismatch == rhs.rejectsExtensionMismatch && lhs.jpegScale == rhs.jpegScale
      && lhs.strictness == rhs.strictness && lhs.pngMaxPixelsPerByte == rhs.pngMaxPixelsPerByte
      && lhs.jpegMaxPixelsPerByte == rhs.jpegMaxPixelsPerByte && lhs.maxDecoderMemory == rhs.maxDecoderMemory
  }

  /// Refuses `width × height` pixels claimed by a file of `byteCount` bytes when they exceed
  /// ``maxPixels`` or the codec cannot code that many (PNG; JPEG is checked in the C shim, which
  /// knows the component blocks).
  func checkPlausible(codec: ImageCodec, width: Int, height: Int, byteCount: Int, source: String) throws(ImageCodecError) {
    let (pixels, pixelsOverflow) = width.multipliedReportingOverflow(by: height)
    if pixelsOverflow || pixels > maxPixels {
      throw .tooLarge(source: source, width: width, height: height, limit: maxPixels)
    }
    let ratio = codec == .png ? pngMaxPixelsPerByte : jpegMaxPixelsPerByte
    guard ratio > 0 else { return }
    let (limit, limitOverflows) = byteCount.multipliedReportingOverflow(by: ratio)
    if !limitOverflows && pixels > limit {
      throw .implausibleSize(
        source: source, codec: codec, width: width, height: height, byteCount: byteCount, maxPixelsPerByte: ratio)
    }
  }
}

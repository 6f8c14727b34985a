internal import CJPEG

/// JPEG encoding settings.
public struct JPEGEncoder: Sendable {
  /// Chroma subsampling of the encoded colour planes.
  public enum Subsampling: Int32, Sendable, CaseIterable {
    /// Full chroma resolution.
    case s444 = 444
    /// Half horizontal chroma resolution.
    case s422 = 422
    /// Half horizontal and vertical chroma resolution (the usual choice for photos).
    case s420 = 420
  }

  /// Quality 1 (smallest) to 100 (best), libjpeg's scale. Default 95.
  public var quality: Int
  /// Chroma subsampling for RGB input. Default 4:2:0.
  public var subsampling: Subsampling
  /// Whether to write a progressive JPEG. Default false (baseline).
  public var progressive: Bool

  /// Creates an encoder; `quality` is clamped to 1...100.
  public init(quality: Int = 95, subsampling: Subsampling = .s420, progressive: Bool = false) {
    self.quality = min(max(quality, 1), 100)
    self.subsampling = subsampling
    self.progressive = progressive
  }

  /// Encodes an 8-bit gray or RGB image; the output is deterministic for equal input and settings.
  ///
  /// The corresponding C function is `jpeg_write_scanlines`.
  public func encode(_ image: Image8) throws(ImageCodecError) -> [UInt8] {
    guard image.channels == 1 || image.channels == 3 else {
      throw .encodeFailed(
        source: "<memory>", codec: .jpeg, reason: "JPEG stores gray or RGB; the image has \(image.channels) channels")
    }
    var output: UnsafeMutablePointer<UInt8>?
    var outputSize = 0
    var message = [CChar](repeating: 0, count: Int(CJPEG_MESSAGE_CAPACITY))
    let status = image.samples.withUnsafeBufferPointer { pixels in
      cjpeg_encode(
        pixels.baseAddress, UInt32(clamping: image.width), UInt32(clamping: image.height), Int32(image.channels),
        Int32(quality), subsampling.rawValue, progressive ? 1 : 0, &output, &outputSize, &message)
    }
    defer { cjpeg_free(output) }
    guard status == CJPEG_OK, let output else {
      throw .encodeFailed(source: "<memory>", codec: .jpeg, reason: cMessage(message))
    }
    return [UInt8](UnsafeBufferPointer(start: output, count: outputSize))
  }
}

/// The JPEG half of ``ImageDecoder``: the only Swift code that talks to libjpeg.
enum JPEGCodec {
  static func decode(_ buffer: UnsafeBufferPointer<UInt8>, source: String, options: DecodeOptions) throws(ImageCodecError)
    -> DecodedFile
  {
    var message = [CChar](repeating: 0, count: Int(CJPEG_MESSAGE_CAPACITY))
    var info = cjpeg_info()
    var decoder: OpaquePointer?
    var limits = Self.limits(options)
    let status = cjpeg_decoder_create(
      buffer.baseAddress, buffer.count, Int32(options.jpegScale.rawValue), &limits, &decoder, &info, &message)
    defer { cjpeg_decoder_destroy(decoder) }
    try check(status, message: message, info: info, source: source, byteCount: buffer.count, options: options)
    guard let decoder else { throw .corrupt(source: source, codec: .jpeg, reason: "decoder not created") }

    let header = ImageHeader(
      codec: .jpeg, width: Int(info.image_width), height: Int(info.image_height), channels: Int(info.channels),
      bitDepth: 8, storage: storageDescription(info))
    let width = Int(info.output_width)
    let height = Int(info.output_height)
    let channels = Int(info.channels)
    let byteCount = width * height * channels
    var readStatus = CJPEG_OK
    let samples = [UInt8](unsafeUninitializedCapacity: byteCount) { storage, count in
      readStatus = cjpeg_decoder_read(decoder, storage.baseAddress, byteCount, &message)
      count = readStatus == CJPEG_OK ? byteCount : 0
    }
    try check(readStatus, message: message, info: info, source: source, byteCount: buffer.count, options: options)
    return DecodedFile(
      header: header, image: .uint8(Image8(width: width, height: height, channels: channels, samples: samples)),
      warnings: warnings(decoder, source: source))
  }

  /// The header alone: markers up to the first scan, no pixel decoding. Lenient warnings found on
  /// the way are in `warnings`.
  static func header(_ bytes: UnsafeBufferPointer<UInt8>, source: String, options: DecodeOptions) throws(ImageCodecError)
    -> (header: ImageHeader, warnings: [DecodeWarning])
  {
    var message = [CChar](repeating: 0, count: Int(CJPEG_MESSAGE_CAPACITY))
    var info = cjpeg_info()
    var decoder: OpaquePointer?
    var limits = Self.limits(options)
    let status = cjpeg_decoder_create(bytes.baseAddress, bytes.count, 1, &limits, &decoder, &info, &message)
    defer { cjpeg_decoder_destroy(decoder) }
    try check(status, message: message, info: info, source: source, byteCount: bytes.count, options: options)
    let header = ImageHeader(
      codec: .jpeg, width: Int(info.image_width), height: Int(info.image_height), channels: Int(info.channels),
      bitDepth: 8, storage: storageDescription(info))
    return (header, warnings(decoder, source: source))
  }

  private static func limits(_ options: DecodeOptions) -> cjpeg_limits {
    cjpeg_limits(
      max_pixels: UInt64(max(options.maxPixels, 0)), max_pixels_per_byte: UInt64(max(options.jpegMaxPixelsPerByte, 0)),
      max_memory: UInt64(max(options.maxDecoderMemory, 0)), lenient: options.strictness == .lenient ? 1 : 0)
  }

  private static func warnings(_ decoder: OpaquePointer?, source: String) -> [DecodeWarning] {
    var message = [CChar](repeating: 0, count: Int(CJPEG_MESSAGE_CAPACITY))
    let count = Int(cjpeg_decoder_warnings(decoder, &message))
    return count > 0 ? [DecodeWarning(source: source, codec: .jpeg, message: cMessage(message), count: count)] : []
  }

  private static func check(
    _ status: Int32, message: [CChar], info: cjpeg_info, source: String, byteCount: Int, options: DecodeOptions
  ) throws(ImageCodecError) {
    switch status {
    case CJPEG_OK: return
    case CJPEG_TOO_LARGE:
      throw .tooLarge(source: source, width: Int(info.image_width), height: Int(info.image_height), limit: options.maxPixels)
    case CJPEG_UNSUPPORTED:
      throw .unsupported(source: source, codec: .jpeg, reason: cMessage(message))
    case CJPEG_WARNING:
      throw .strictWarning(source: source, codec: .jpeg, warning: cMessage(message))
    case CJPEG_IMPLAUSIBLE:
      throw .implausibleSize(
        source: source, codec: .jpeg, width: Int(info.image_width), height: Int(info.image_height), byteCount: byteCount,
        maxPixelsPerByte: options.jpegMaxPixelsPerByte)
    case CJPEG_MEMORY_LIMIT:
      throw .memoryLimit(source: source, codec: .jpeg, reason: cMessage(message))
    default:
      throw .corrupt(source: source, codec: .jpeg, reason: cMessage(message))
    }
  }

  private static func storageDescription(_ info: cjpeg_info) -> String {
    let space: String
    switch info.jpeg_color_space {
    case 1: space = "gray"
    case 2: space = "RGB"
    case 3: space = "YCbCr"
    default: space = "colour space \(info.jpeg_color_space)"
    }
    return space + (info.progressive != 0 ? " progressive" : " baseline")
  }
}

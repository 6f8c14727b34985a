import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How much of a JPEG to decode: libjpeg's DCT scaling gives 1/2, 1/4 and 1/8 size almost for free.
public enum JPEGScale: Int, Sendable, CaseIterable {
  /// Full resolution.
  case full = 1
  /// Half width and height (rounded up).
  case half = 2
  /// A quarter of width and height (rounded up).
  case quarter = 4
  /// An eighth of width and height (rounded up).
  case eighth = 8
}

/// What a file holds, as its header describes it.
public struct ImageHeader: Sendable, Equatable, Codable {
  /// The detected codec.
  public var codec: ImageCodec
  /// Stored width in pixels.
  public var width: Int
  /// Stored height in pixels.
  public var height: Int
  /// Channels after decoding ("as stored, expanded": palette PNGs count as RGB or RGBA).
  public var channels: Int
  /// Bits per decoded sample: 8 or 16.
  public var bitDepth: Int
  /// A short description of the stored form, e.g. `palette 4-bit`, `gray 16-bit`, `YCbCr progressive`.
  public var storage: String
}

/// The result of one decode: the pixels and the header they came from.
public struct DecodedFile: Sendable, Equatable {
  /// The header as stored in the file.
  public var header: ImageHeader
  /// The decoded pixels.
  public var image: DecodedImage
  /// What the decoder accepted in ``DecodeStrictness/lenient`` mode and would have refused in
  /// strict mode; always empty in strict mode.
  public var warnings: [DecodeWarning]

  /// Creates a result.
  public init(header: ImageHeader, image: DecodedImage, warnings: [DecodeWarning] = []) {
    self.header = header
    self.image = image
    self.warnings = warnings
  }
}

/// Decodes PNG and JPEG files and in-memory bytes into ``DecodedImage`` values.
///
/// Every failure is an ``ImageCodecError`` naming the source; no input can end the process, and no
/// allocation exceeds what the header-checked pixel limit allows. Decoding is strict by default
/// (see ``DecodeStrictness``): data the C libraries would work around is an error, not an image.
public struct ImageDecoder: Sendable {
  /// The limits and scaling used for every decode.
  public var options: DecodeOptions

  /// Creates a decoder with the given options.
  public init(options: DecodeOptions = DecodeOptions()) {
    self.options = options
  }

  /// Reads and decodes the file at `path` "as stored, expanded" (see ``decode(_:source:)``).
  public func decode(contentsOf path: String) throws(ImageCodecError) -> DecodedFile {
    try withFileBytes(path) { (bytes) throws(ImageCodecError) -> DecodedFile in
      let codec = try detectCodec(bytes, source: path, fileExtension: (path as NSString).pathExtension)
      return try decode(bytes, codec: codec, source: path, mode: .expanded)
    }
  }

  /// Decodes in-memory bytes "as stored, expanded".
  ///
  /// Gray stays one channel (1, 2 and 4-bit samples scaled to 8 bits); gray with tRNS gains an
  /// alpha channel; palette images become RGB, or RGBA with tRNS; 16-bit samples stay 16-bit; no
  /// gamma or background is applied. JPEG gives gray or RGB, scaled by ``DecodeOptions/jpegScale``.
  /// - Parameters:
  ///   - bytes: the encoded file.
  ///   - source: the name used in error messages (usually the path).
  public func decode(_ bytes: [UInt8], source: String) throws(ImageCodecError) -> DecodedFile {
    try bytes.withUnsafeBufferPointer { (bytes) throws(ImageCodecError) -> DecodedFile in
      let codec = try detectCodec(bytes, source: source, fileExtension: "")
      return try decode(bytes, codec: codec, source: source, mode: .expanded)
    }
  }

  /// Reads a label map: palette PNGs as their indices (never expanded to colours), gray of any bit
  /// depth as raw values (a 4-bit 3 stays 3), 16-bit as 16-bit, colour-coded RGB(A) as RGB.
  public func decodeLabel(contentsOf path: String) throws(ImageCodecError) -> DecodedFile {
    try withFileBytes(path) { (bytes) throws(ImageCodecError) -> DecodedFile in
      let codec = try detectCodec(bytes, source: path, fileExtension: (path as NSString).pathExtension)
      return try decode(bytes, codec: codec, source: path, mode: .label)
    }
  }

  /// Reads a label map from memory; see ``decodeLabel(contentsOf:)``.
  public func decodeLabel(_ bytes: [UInt8], source: String) throws(ImageCodecError) -> DecodedFile {
    try bytes.withUnsafeBufferPointer { (bytes) throws(ImageCodecError) -> DecodedFile in
      let codec = try detectCodec(bytes, source: source, fileExtension: "")
      return try decode(bytes, codec: codec, source: source, mode: .label)
    }
  }

  /// The two ways of delivering samples.
  enum Mode {
    case expanded
    case label
  }

  /// Every decode ends here: the codec's decode, the trailer check (the file must end with its end
  /// marker, see ``readHeader(contentsOf:)``), then each lenient warning handed to
  /// ``DecodeOptions/warningHandler``.
  func decode(_ bytes: UnsafeBufferPointer<UInt8>, codec: ImageCodec, source: String, mode: Mode) throws(ImageCodecError)
    -> DecodedFile
  {
    var file: DecodedFile
    switch codec {
    case .png:
      file = try PNGCodec.decode(bytes, source: source, label: mode == .label, options: options)
    case .jpeg:
      file = try JPEGCodec.decode(bytes, source: source, options: options)
    }
    // After the decode, so that the codecs judge (and word) damage they see first.
    file.warnings += try checkTrailer(Array(bytes.suffix(12)), codec: codec, source: source)
    report(file.warnings)
    return file
  }

  /// Hands `warnings` to ``DecodeOptions/warningHandler``.
  func report(_ warnings: [DecodeWarning]) {
    guard let handler = options.warningHandler else { return }
    for warning in warnings { handler(warning) }
  }

  /// The codec of `bytes`, checked against the file extension when one is given.
  func detectCodec(_ bytes: UnsafeBufferPointer<UInt8>, source: String, fileExtension: String) throws(ImageCodecError) -> ImageCodec {
    if bytes.isEmpty { throw .empty(source: source) }
    guard let codec = ImageCodec(sniffing: bytes) else {
      let leading = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
      throw .unrecognizedFormat(source: source, leadingBytes: leading)
    }
    if options.rejectsExtensionMismatch, let named = ImageCodec(fileExtension: fileExtension), named != codec {
      throw .extensionMismatch(source: source, fileExtension: fileExtension, detected: codec)
    }
    return codec
  }
}

/// The text of a NUL-terminated message buffer filled by a C shim.
func cMessage(_ buffer: [CChar]) -> String {
  let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
  return String(decoding: bytes, as: UTF8.self)
}

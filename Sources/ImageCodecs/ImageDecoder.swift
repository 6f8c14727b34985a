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

  /// Creates options; every parameter has the documented default.
  public init(
    maxPixels: Int = 1 << 28, maxFileBytes: Int = 1 << 30, rejectsExtensionMismatch: Bool = true,
    jpegScale: JPEGScale = .full
  ) {
    self.maxPixels = maxPixels
    self.maxFileBytes = maxFileBytes
    self.rejectsExtensionMismatch = rejectsExtensionMismatch
    self.jpegScale = jpegScale
  }
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
}

/// Decodes PNG and JPEG files and in-memory bytes into ``DecodedImage`` values.
///
/// Every failure is an ``ImageCodecError`` naming the source; no input can end the process, and no
/// allocation exceeds what the header-checked pixel limit allows.
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

  func decode(_ bytes: UnsafeBufferPointer<UInt8>, codec: ImageCodec, source: String, mode: Mode) throws(ImageCodecError)
    -> DecodedFile
  {
    switch codec {
    case .png:
      return try PNGCodec.decode(bytes, source: source, label: mode == .label, maxPixels: options.maxPixels)
    case .jpeg:
      return try JPEGCodec.decode(
        bytes, source: source, scale: options.jpegScale, maxPixels: options.maxPixels)
    }
  }

  /// Reads a whole file, refusing missing, unreadable, empty and oversized files with a typed error.
  ///
  /// One `read(2)` loop straight into the returned array, sized from `fstat`: no intermediate copy,
  /// and a file that grows while it is read is still held to ``DecodeOptions/maxFileBytes``.
  public func readFile(_ path: String) throws(ImageCodecError) -> [UInt8] {
    let (descriptor, size) = try openForReading(path)
    defer { close(descriptor) }
    // One byte more than announced, to notice a file that grew since fstat.
    var failure: Int32 = 0
    var bytes = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, initialized in
      initialized = Self.fill(buffer, from: descriptor, error: &failure)
    }
    if bytes.count == size + 1 && failure == 0 {  // it grew: read on in chunks, up to the limit
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      while bytes.count <= options.maxFileBytes && failure == 0 {
        let got = chunk.withUnsafeMutableBufferPointer { Self.fill($0, from: descriptor, error: &failure) }
        if got == 0 { break }
        bytes += chunk.prefix(got)
      }
      if bytes.count > options.maxFileBytes {
        throw .unreadable(source: path, reason: "the file grew beyond the file-size limit of \(options.maxFileBytes) bytes")
      }
    }
    if failure != 0 { throw .unreadable(source: path, reason: String(cString: strerror(failure))) }
    if bytes.isEmpty { throw .empty(source: path) }
    return bytes
  }

  /// Runs `body` with the bytes of the file at `path`, read into a reused scratch buffer
  /// (``ScratchBuffers``) rather than a new array; refuses files as ``readFile(_:)`` does.
  func withFileBytes<Result>(
    _ path: String, _ body: (UnsafeBufferPointer<UInt8>) throws(ImageCodecError) -> Result
  ) throws(ImageCodecError) -> Result {
    let (descriptor, size) = try openForReading(path)
    var isOpen = true
    defer { if isOpen { close(descriptor) } }
    // The common case reads the file once, into the scratch buffer, and decodes it from there; an
    // empty, unreadable or growing file is read again by readFile, which words the error.
    let result = try ScratchBuffers.with(count: size + 1) { (buffer) throws(ImageCodecError) -> Result? in
      var failure: Int32 = 0
      let count = Self.fill(buffer, from: descriptor, error: &failure)
      guard failure == 0, count > 0, count <= size else { return nil }
      close(descriptor)
      isOpen = false
      return try body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
    }
    if let result { return result }
    let bytes = try readFile(path)
    return try bytes.withUnsafeBufferPointer { (bytes) throws(ImageCodecError) -> Result in try body(bytes) }
  }

  /// Opens `path` for reading and returns the descriptor and the announced size, refusing
  /// directories and (when `limitingSize`) files beyond the size limit.
  func openForReading(_ path: String, limitingSize: Bool = true) throws(ImageCodecError) -> (descriptor: Int32, size: Int) {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw .unreadable(source: path, reason: errno == ENOENT ? "no such file" : "permission denied or unreadable")
    }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      let reason = String(cString: strerror(errno))
      close(descriptor)
      throw .unreadable(source: path, reason: reason)
    }
    if status.st_mode & S_IFMT == S_IFDIR {
      close(descriptor)
      throw .unreadable(source: path, reason: "is a directory")
    }
    let size = Int(status.st_size)
    if limitingSize && size > options.maxFileBytes {
      close(descriptor)
      throw .unreadable(source: path, reason: "\(size) bytes exceeds the file-size limit of \(options.maxFileBytes) bytes")
    }
    return (descriptor, size)
  }

  /// Fills `buffer` from `descriptor`, stopping early at end of file; returns the bytes read. A read
  /// error other than `EINTR` stops it and is stored in `error`.
  static func fill(_ buffer: UnsafeMutableBufferPointer<UInt8>, from descriptor: Int32, error: inout Int32) -> Int {
    guard let base = buffer.baseAddress else { return 0 }
    var total = 0
    while total < buffer.count {
      let got = read(descriptor, base + total, buffer.count - total)
      if got > 0 {
        total += got
      } else if got == 0 {
        break
      } else if errno != EINTR {
        error = errno
        break
      }
    }
    return total
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

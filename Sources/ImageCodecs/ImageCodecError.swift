/// The file formats ImageCodecs reads and writes.
public enum ImageCodec: String, Sendable, CaseIterable, Codable {
  /// Portable Network Graphics.
  case png
  /// JPEG (JFIF/Exif), through libjpeg-turbo.
  case jpeg

  /// The usual file extension, without the dot.
  public var fileExtension: String {
    switch self {
    case .png: "png"
    case .jpeg: "jpg"
    }
  }

  /// The codec a file extension names (`png`, `jpg`, `jpeg`, `jpe`, case-insensitive), if any.
  public init?(fileExtension: String) {
    switch fileExtension.lowercased() {
    case "png": self = .png
    case "jpg", "jpeg", "jpe", "jfif": self = .jpeg
    default: return nil
    }
  }

  /// The codec whose signature starts `bytes`, if any.
  public init?<Bytes: Collection<UInt8>>(sniffing bytes: Bytes) {
    let head = Array(bytes.prefix(8))
    if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
      self = .png
    } else if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF {
      self = .jpeg
    } else {
      return nil
    }
  }
}

/// Why an image could not be read, decoded or encoded; every case names the file it concerns.
///
/// `source` is the file's path, or a caller-chosen name for in-memory data.
public enum ImageCodecError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file could not be opened or read (missing, a directory, no permission, I/O error).
  case unreadable(source: String, reason: String)
  /// The file holds zero bytes.
  case empty(source: String)
  /// The bytes start with neither the PNG nor the JPEG signature.
  case unrecognizedFormat(source: String, leadingBytes: String)
  /// The content is one codec but the file extension names another.
  case extensionMismatch(source: String, fileExtension: String, detected: ImageCodec)
  /// The decoder rejected the data (corrupt or truncated); `reason` is the C library's message.
  case corrupt(source: String, codec: ImageCodec, reason: String)
  /// The header announces more pixels than the configured limit allows.
  case tooLarge(source: String, width: Int, height: Int, limit: Int)
  /// The data is valid but uses a feature Dance does not read (for example CMYK JPEG).
  case unsupported(source: String, codec: ImageCodec, reason: String)
  /// The image cannot be encoded with the requested settings, or the encoder failed.
  case encodeFailed(source: String, codec: ImageCodec, reason: String)
  /// The path names a FIFO, socket, device or other non-regular file; `kind` says which. Refused
  /// before it is opened for reading, so it can never block.
  case notRegularFile(source: String, kind: String)
  /// Resolving the path runs into a loop of symbolic links.
  case symlinkLoop(source: String)
  /// The header claims more pixels than the file's bytes can possibly code (see
  /// ``DecodeOptions/pngMaxPixelsPerByte`` and ``DecodeOptions/jpegMaxPixelsPerByte``).
  case implausibleSize(source: String, codec: ImageCodec, width: Int, height: Int, byteCount: Int, maxPixelsPerByte: Int)
  /// Decoding would need more working memory than ``DecodeOptions/maxDecoderMemory`` allows.
  case memoryLimit(source: String, codec: ImageCodec, reason: String)
  /// Strict mode: the library warned about damaged data it would otherwise have worked around;
  /// `warning` is its text. ``DecodeStrictness/lenient`` accepts such files with a warning.
  case strictWarning(source: String, codec: ImageCodec, warning: String)

  /// The file or data name the error concerns.
  public var source: String {
    switch self {
    case .unreadable(let source, _), .empty(let source), .unrecognizedFormat(let source, _),
      .extensionMismatch(let source, _, _), .corrupt(let source, _, _), .tooLarge(let source, _, _, _),
      .unsupported(let source, _, _), .encodeFailed(let source, _, _), .notRegularFile(let source, _),
      .symlinkLoop(let source), .implausibleSize(let source, _, _, _, _, _), .memoryLimit(let source, _, _),
      .strictWarning(let source, _, _):
      source
    }
  }

  /// The reason alone, without the file name.
  public var reason: String {
    switch self {
    case .unreadable(_, let reason): "cannot read the file: \(reason)"
    case .empty: "the file is empty"
    case .unrecognizedFormat(_, let leadingBytes):
      "not a PNG or JPEG file (first bytes: \(leadingBytes))"
    case .extensionMismatch(_, let fileExtension, let detected):
      "the extension says .\(fileExtension) but the content is \(detected.rawValue.uppercased())"
    case .corrupt(_, let codec, let reason): "corrupt or truncated \(codec.rawValue.uppercased()): \(reason)"
    case .tooLarge(_, let width, let height, let limit):
      "\(width)×\(height) = \(width * height) pixels exceeds the limit of \(limit) pixels"
    case .unsupported(_, let codec, let reason): "unsupported \(codec.rawValue.uppercased()): \(reason)"
    case .encodeFailed(_, let codec, let reason): "cannot encode \(codec.rawValue.uppercased()): \(reason)"
    case .notRegularFile(_, let kind): "not a regular file (\(kind)); refused without opening it"
    case .symlinkLoop: "symbolic link loop (the path resolves to itself through symbolic links)"
    case .implausibleSize(_, let codec, let width, let height, let byteCount, let ratio):
      "the header claims \(width)×\(height) pixels, which \(byteCount) bytes of \(codec.rawValue.uppercased()) cannot code"
        + " (at most \(ratio) pixels per byte); refused before decoding"
    case .memoryLimit(_, let codec, let reason): "\(codec.rawValue.uppercased()) decoder memory limit: \(reason)"
    case .strictWarning(_, let codec, let warning):
      "corrupt \(codec.rawValue.uppercased()) data: \(warning) (refused in strict mode; --lenient accepts it with a warning)"
    }
  }

  /// `"<source>: <reason>"`.
  public var description: String { "\(source): \(reason)" }
}

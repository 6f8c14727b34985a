import Foundation
internal import CPNG

extension ImageDecoder {
  /// Reads what a file holds without decoding its pixels: a PNG's first 33 bytes (signature and a
  /// CRC-checked IHDR) and its last 12, a JPEG's markers up to the first scan and its last 2 bytes.
  ///
  /// This is what scanning uses, so a dataset of thousands of images is validated without paying
  /// for a full decode. The file's trailer catches truncation cheaply: a PNG must end with its
  /// `IEND` chunk and a JPEG with its end-of-image marker (in lenient mode a missing one is a
  /// warning). A size the file's bytes cannot code is refused (``DecodeOptions/pngMaxPixelsPerByte``).
  /// Corrupt pixel data in an intact file is caught later, when it is decoded.
  public func readHeader(contentsOf path: String) throws(ImageCodecError) -> ImageHeader {
    let (prefix, size, trailer) = try readEnds(path, prefix: 33, suffix: 12)
    let codec = try prefix.withUnsafeBufferPointer { (prefix) throws(ImageCodecError) -> ImageCodec in
      try detectCodec(prefix, source: path, fileExtension: (path as NSString).pathExtension)
    }
    switch codec {
    case .png:
      let header = try Self.pngHeader(prefix, source: path, maxPixels: options.maxPixels)
      try options.checkPlausible(codec: .png, width: header.width, height: header.height, byteCount: size, source: path)
      report(try checkTrailer(trailer, codec: .png, source: path))
      return header
    case .jpeg:
      return try withFileBytes(path) { (bytes) throws(ImageCodecError) -> ImageHeader in
        let (header, warnings) = try JPEGCodec.header(bytes, source: path, options: options)
        report(warnings + (try checkTrailer(Array(bytes.suffix(12)), codec: .jpeg, source: path)))
        return header
      }
    }
  }

  /// The PNG `IEND` chunk, as every PNG ends: length 0, the name, its CRC.
  static let pngTrailer: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

  /// Whether `trailer` (a file's last bytes) ends with the codec's end marker: nothing if it does,
  /// else an error in strict mode and the warning to record in lenient mode.
  func checkTrailer(_ trailer: [UInt8], codec: ImageCodec, source: String) throws(ImageCodecError) -> [DecodeWarning] {
    let intact: Bool
    let reason: String
    switch codec {
    case .png:
      intact = trailer.count >= 12 && trailer.suffix(12).elementsEqual(Self.pngTrailer)
      reason = "the file does not end with an IEND chunk (file truncated, or data appended after the image)"
    case .jpeg:
      intact = trailer.count >= 2 && trailer.suffix(2).elementsEqual([0xFF, 0xD9])
      reason = "the file does not end with an end-of-image marker (file truncated, or data appended after the image)"
    }
    if intact { return [] }
    if options.strictness == .strict { throw .corrupt(source: source, codec: codec, reason: reason) }
    return [DecodeWarning(source: source, codec: codec, message: reason)]
  }

  /// The first `prefix` bytes of the file (fewer if it is shorter), its size and its last `suffix`
  /// bytes, in two small reads; refuses missing, unreadable, empty files and non-regular files as
  /// ``readFile(_:)`` does, but not large ones (only the ends are read).
  private func readEnds(_ path: String, prefix: Int, suffix: Int) throws(ImageCodecError)
    -> (prefix: [UInt8], size: Int, suffix: [UInt8])
  {
    let (descriptor, size) = try openForReading(path, limitingSize: false)
    defer { close(descriptor) }
    var failure: Int32 = 0
    let head = [UInt8](unsafeUninitializedCapacity: prefix) { buffer, initialized in
      initialized = Self.fill(buffer, from: descriptor, error: &failure)
    }
    if failure != 0 { throw .unreadable(source: path, reason: String(cString: strerror(failure))) }
    if head.isEmpty { throw .empty(source: path) }
    let start = max(size - suffix, 0)
    let tail = [UInt8](unsafeUninitializedCapacity: suffix) { buffer, initialized in
      initialized = 0
      while initialized < suffix {
        let got = pread(descriptor, buffer.baseAddress! + initialized, suffix - initialized, off_t(start + initialized))
        if got > 0 {
          initialized += got
        } else if got == 0 || errno != EINTR {
          if got < 0 { failure = errno }
          break
        }
      }
    }
    if failure != 0 { throw .unreadable(source: path, reason: String(cString: strerror(failure))) }
    return (head, size, tail)
  }

  static func pngHeader(_ bytes: [UInt8], source: String, maxPixels: Int) throws(ImageCodecError) -> ImageHeader {
    func bigEndian(_ offset: Int) -> Int {
      bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
    }
    guard bytes.count >= 33 else {
      throw .corrupt(source: source, codec: .png, reason: "file ends inside the IHDR chunk (file truncated)")
    }
    guard bigEndian(8) == 13, bytes[12..<16].elementsEqual("IHDR".utf8) else {
      throw .corrupt(source: source, codec: .png, reason: "IHDR: missing or wrong length")
    }
    let crc = bytes[12..<29].withContiguousStorageIfAvailable { cpng_crc32($0.baseAddress, $0.count) } ?? 0
    guard Int(crc) == bigEndian(29) else { throw .corrupt(source: source, codec: .png, reason: "IHDR: CRC error") }
    let width = bigEndian(16)
    let height = bigEndian(20)
    let bitDepth = Int(bytes[24])
    let colorType = Int(bytes[25])
    let validDepths: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
    guard width > 0, height > 0, validDepths[colorType]?.contains(bitDepth) == true else {
      throw .corrupt(source: source, codec: .png, reason: "IHDR: invalid size, colour type or bit depth")
    }
    if width * height > maxPixels { throw .tooLarge(source: source, width: width, height: height, limit: maxPixels) }
    // Channels "as stored, expanded"; tRNS (which would add alpha) is not visible from IHDR alone.
    let channels = [0: 1, 2: 3, 3: 3, 4: 2, 6: 4][colorType]!
    let kind = [0: "gray", 2: "RGB", 3: "palette", 4: "gray+alpha", 6: "RGBA"][colorType]!
    return ImageHeader(
      codec: .png, width: width, height: height, channels: channels, bitDepth: bitDepth == 16 ? 16 : 8,
      storage: "\(kind) \(bitDepth)-bit" + (bytes[28] == 1 ? " interlaced" : ""))
  }
}

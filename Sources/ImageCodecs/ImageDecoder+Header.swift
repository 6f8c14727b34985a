import Foundation
internal import CPNG

extension ImageDecoder {
  /// Reads what a file holds without decoding its pixels: a PNG's first 33 bytes (signature and a
  /// CRC-checked IHDR), a JPEG's markers up to the first scan.
  ///
  /// This is what scanning uses, so a dataset of thousands of images is validated without paying
  /// for a full decode; a file whose pixel data is corrupt is caught later, when it is decoded.
  public func readHeader(contentsOf path: String) throws(ImageCodecError) -> ImageHeader {
    let prefix = try readPrefix(path, count: 33)
    let codec = try prefix.withUnsafeBufferPointer { (prefix) throws(ImageCodecError) -> ImageCodec in
      try detectCodec(prefix, source: path, fileExtension: (path as NSString).pathExtension)
    }
    switch codec {
    case .png:
      return try Self.pngHeader(prefix, source: path, maxPixels: options.maxPixels)
    case .jpeg:
      return try withFileBytes(path) { (bytes) throws(ImageCodecError) -> ImageHeader in
        try JPEGCodec.header(bytes, source: path, maxPixels: options.maxPixels)
      }
    }
  }

  /// The first `count` bytes of the file (fewer if it is shorter); refuses missing, unreadable,
  /// empty files and directories as ``readFile(_:)`` does, but not large ones (only a prefix is read).
  private func readPrefix(_ path: String, count: Int) throws(ImageCodecError) -> [UInt8] {
    let (descriptor, _) = try openForReading(path, limitingSize: false)
    defer { close(descriptor) }
    var failure: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      initialized = Self.fill(buffer, from: descriptor, error: &failure)
    }
    if failure != 0 { throw .unreadable(source: path, reason: String(cString: strerror(failure))) }
    if bytes.isEmpty { throw .empty(source: path) }
    return bytes
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

internal import CPNG

/// The PNG half of ``ImageDecoder``: the only Swift code that talks to libpng.
enum PNGCodec {
  static func decode(_ bytes: UnsafeBufferPointer<UInt8>, source: String, label: Bool, options: DecodeOptions)
    throws(ImageCodecError) -> DecodedFile
  {
    try checkPlausible(bytes, source: source, options: options)
    if let layout = try FastPath.probe(bytes, source: source, label: label, maxPixels: options.maxPixels),
      let image = FastPath.decode(bytes, layout)
    {
      return DecodedFile(header: FastPath.header(layout), image: .uint8(image))
    }
    do {
      return try decodeWithLibpng(bytes, source: source, label: label, maxPixels: options.maxPixels, strict: true)
    } catch {
      // Lenient: what strict libpng refused for its image data (a wrong Adler-32 above all) is
      // decoded again with the check off, and the refusal becomes the recorded warning.
      guard options.strictness == .lenient else { throw error }
      let refusal: String
      switch error {
      case .strictWarning(_, _, let warning): refusal = warning
      case .corrupt(_, _, let reason): refusal = reason
      default: throw error
      }
      guard var file = try? decodeWithLibpng(bytes, source: source, label: label, maxPixels: options.maxPixels, strict: false)
      else { throw error }
      let later = file.warnings.first.map { $0.count } ?? 0
      file.warnings = [DecodeWarning(source: source, codec: .png, message: refusal, count: 1 + later)]
      return file
    }
  }

  /// Refuses a PNG whose IHDR claims more pixels than its bytes can code (see
  /// ``DecodeOptions/pngMaxPixelsPerByte``); a file too short for an IHDR is left to the decoder.
  static func checkPlausible(_ bytes: UnsafeBufferPointer<UInt8>, source: String, options: DecodeOptions)
    throws(ImageCodecError)
  {
    guard bytes.count >= 24, bytes[12] == 0x49, bytes[13] == 0x48, bytes[14] == 0x44, bytes[15] == 0x52 else { return }
    func bigEndian(_ offset: Int) -> Int { (offset..<offset + 4).reduce(0) { $0 << 8 | Int(bytes[$1]) } }
    try options.checkPlausible(codec: .png, width: bigEndian(16), height: bigEndian(20), byteCount: bytes.count, source: source)
  }

  /// The whole file through libpng: every layout, and the judge of every file the fast path leaves.
  /// `strict` checks the Adler-32 and makes image-data warnings errors; otherwise they are returned.
  static func decodeWithLibpng(
    _ bytes: UnsafeBufferPointer<UInt8>, source: String, label: Bool, maxPixels: Int, strict: Bool = true
  ) throws(ImageCodecError) -> DecodedFile {
    try withDecoder(bytes, source: source, label: label, maxPixels: maxPixels, strict: strict) {
      (decoder, info, header) throws(ImageCodecError) -> DecodedFile in
      var message = [CChar](repeating: 0, count: Int(CPNG_MESSAGE_CAPACITY))
      let width = header.width
      let height = header.height
      let channels = header.channels
      let byteCount = info.row_bytes * height
      var readStatus = CPNG_OK
      let image: DecodedImage
      if info.bit_depth == 16 {
        let samples = [UInt16](unsafeUninitializedCapacity: byteCount / 2) { storage, count in
          readStatus = cpng_decoder_read(
            decoder, UnsafeMutableRawPointer(storage.baseAddress!).assumingMemoryBound(to: UInt8.self),
            byteCount, &message)
          count = readStatus == CPNG_OK ? byteCount / 2 : 0
        }
        try check(readStatus, message: message, info: info, source: source, maxPixels: maxPixels)
        image = .uint16(Image16(width: width, height: height, channels: channels, samples: samples))
      } else {
        let samples = [UInt8](unsafeUninitializedCapacity: byteCount) { storage, count in
          readStatus = cpng_decoder_read(decoder, storage.baseAddress, byteCount, &message)
          count = readStatus == CPNG_OK ? byteCount : 0
        }
        try check(readStatus, message: message, info: info, source: source, maxPixels: maxPixels)
        image = .uint8(Image8(width: width, height: height, channels: channels, samples: samples))
      }
      let count = Int(cpng_decoder_warnings(decoder, &message))
      let warnings = count > 0 ? [DecodeWarning(source: source, codec: .png, message: cMessage(message), count: count)] : []
      return DecodedFile(header: header, image: image, warnings: warnings)
    }
  }

  /// Decodes a non-interlaced 8-bit PNG "as stored, expanded" one row at a time into `consumer`,
  /// through one reusable row buffer. Returns `nil`, having consumed nothing, for an interlaced or
  /// 16-bit file, and in lenient mode for any file the fast path leaves (the caller decodes those
  /// whole, which is where lenient decoding records its warnings).
  static func decodeRows(
    _ bytes: UnsafeBufferPointer<UInt8>, source: String, options: DecodeOptions, into consumer: inout some ImageRowConsumer
  ) throws(ImageCodecError) -> ImageHeader? {
    let maxPixels = options.maxPixels
    try checkPlausible(bytes, source: source, options: options)
    if let layout = try FastPath.probe(bytes, source: source, label: false, maxPixels: maxPixels),
      FastPath.decodeRows(bytes, layout, into: &consumer)
    {
      return FastPath.header(layout)
    }
    if options.strictness == .lenient { return nil }
    return try withDecoder(bytes, source: source, label: false, maxPixels: maxPixels, strict: true) {
      (decoder, info, header) throws(ImageCodecError) -> ImageHeader? in
      guard info.interlaced == 0 && info.bit_depth == 8 else { return nil }
      var message = [CChar](repeating: 0, count: Int(CPNG_MESSAGE_CAPACITY))
      var row = [UInt8](repeating: 0, count: info.row_bytes)
      consumer.begin(width: header.width, height: header.height, channels: header.channels)
      for _ in 0..<header.height {
        let status = row.withUnsafeMutableBufferPointer { row in
          let status = cpng_decoder_read_row(decoder, row.baseAddress, &message)
          if status == CPNG_OK { consumer.consume(row: UnsafeBufferPointer(row)) }
          return status
        }
        try check(status, message: message, info: info, source: source, maxPixels: maxPixels)
      }
      try check(cpng_decoder_finish(decoder, &message), message: message, info: info, source: source, maxPixels: maxPixels)
      return header
    }
  }

  /// Runs `body` with a libpng decoder positioned after the header of `bytes`, and releases it.
  private static func withDecoder<Result>(
    _ bytes: UnsafeBufferPointer<UInt8>, source: String, label: Bool, maxPixels: Int, strict: Bool,
    _ body: (OpaquePointer, cpng_info, ImageHeader) throws(ImageCodecError) -> Result
  ) throws(ImageCodecError) -> Result {
    var message = [CChar](repeating: 0, count: Int(CPNG_MESSAGE_CAPACITY))
    var info = cpng_info()
    var decoder: OpaquePointer?
    let status = cpng_decoder_create(
      bytes.baseAddress, bytes.count, label ? CPNG_MODE_LABEL : CPNG_MODE_EXPANDED, UInt64(maxPixels), strict ? 1 : 0,
      &decoder, &info, &message)
    defer { cpng_decoder_destroy(decoder) }
    try check(status, message: message, info: info, source: source, maxPixels: maxPixels)
    guard let decoder else { throw .corrupt(source: source, codec: .png, reason: "decoder not created") }
    let header = ImageHeader(
      codec: .png, width: Int(info.width), height: Int(info.height), channels: Int(info.channels),
      bitDepth: Int(info.bit_depth), storage: storageDescription(info))
    return try body(decoder, info, header)
  }

  private static func check(_ status: Int32, message: [CChar], info: cpng_info, source: String, maxPixels: Int)
    throws(ImageCodecError)
  {
    switch status {
    case CPNG_OK: return
    case CPNG_TOO_LARGE:
      throw .tooLarge(source: source, width: Int(info.width), height: Int(info.height), limit: maxPixels)
    case CPNG_WARNING:
      throw .strictWarning(source: source, codec: .png, warning: cMessage(message))
    default:
      throw .corrupt(source: source, codec: .png, reason: cMessage(message))
    }
  }

  private static func storageDescription(_ info: cpng_info) -> String {
    storageDescription(colorType: Int(info.png_color_type), bitDepth: Int(info.png_bit_depth), interlaced: info.interlaced != 0)
  }

  /// How a header describes the stored form, e.g. `RGB 8-bit`, `palette 4-bit interlaced`.
  static func storageDescription(colorType: Int, bitDepth: Int, interlaced: Bool) -> String {
    let kind: String
    switch colorType {
    case 0: kind = "gray"
    case 2: kind = "RGB"
    case 3: kind = "palette"
    case 4: kind = "gray+alpha"
    case 6: kind = "RGBA"
    default: kind = "colour type \(colorType)"
    }
    return "\(kind) \(bitDepth)-bit" + (interlaced ? " interlaced" : "")
  }
}

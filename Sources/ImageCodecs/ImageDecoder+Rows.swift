import Foundation

/// Receives an image one row at a time from ``ImageDecoder/decodeRows(contentsOf:into:)``.
public protocol ImageRowConsumer {
  /// Called once, before the first row, with the layout of the rows to come (8-bit samples).
  mutating func begin(width: Int, height: Int, channels: Int)
  /// Called for every row, top first, with `width * channels` interleaved samples. The buffer is
  /// only valid during the call.
  mutating func consume(row: UnsafeBufferPointer<UInt8>)
}

extension ImageRowConsumer {
  /// Hands a whole image to the consumer: ``begin(width:height:channels:)``, then every row, top first.
  public mutating func consumeRows(of image: Image8) {
    begin(width: image.width, height: image.height, channels: image.channels)
    let rowLength = image.width * image.channels
    image.samples.withUnsafeBufferPointer { samples in
      for y in 0..<image.height {
        consume(row: UnsafeBufferPointer(rebasing: samples[(y * rowLength)..<((y + 1) * rowLength)]))
      }
    }
  }
}

extension ImageDecoder {
  /// Decodes the file at `path` "as stored, expanded" and hands it to `consumer` row by row.
  ///
  /// A non-interlaced 8-bit PNG never exists whole as pixels: its rows are unfiltered one at a time
  /// (from the inflated image data, or by libpng) into reused row buffers and handed on while still
  /// in cache, so a consumer that computes statistics costs little more than the decode itself.
  /// Interlaced PNGs and JPEGs are decoded whole first and then handed on row by row. The file is
  /// checked as ``decode(contentsOf:)`` checks it.
  ///
  /// - Returns: The file's header.
  /// - Throws: ``ImageCodecError`` as ``decode(contentsOf:)`` does, and
  ///   ``ImageCodecError/unsupported(source:codec:reason:)`` for 16-bit images. A failure can come
  ///   after some rows were consumed.
  public func decodeRows(contentsOf path: String, into consumer: inout some ImageRowConsumer)
    throws(ImageCodecError) -> ImageHeader
  {
    try withFileBytes(path) { (bytes) throws(ImageCodecError) -> ImageHeader in
      let codec = try detectCodec(bytes, source: path, fileExtension: (path as NSString).pathExtension)
      if codec == .png, let header = try PNGCodec.decodeRows(bytes, source: path, options: options, into: &consumer) {
        report(try checkTrailer(Array(bytes.suffix(12)), codec: .png, source: path))
        return header
      }
      let decoded = try decode(bytes, codec: codec, source: path, mode: .expanded)
      guard case .uint8(let image) = decoded.image else {
        throw .unsupported(source: path, codec: codec, reason: "16-bit images are not supported here (convert to 8-bit)")
      }
      consumer.consumeRows(of: image)
      return decoded.header
    }
  }
}

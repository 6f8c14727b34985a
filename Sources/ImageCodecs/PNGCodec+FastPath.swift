internal import CPNG

extension PNGCodec {
  /// The one-pass path (`fastpng.c`) for non-interlaced 8-bit gray, gray + alpha, RGB and RGBA
  /// files without tRNS: the image data inflated into one buffer in one pass, without libpng's
  /// row-by-row streaming, and unfiltered row by row. ISA-L inflates streams with a 32 KiB window
  /// (about twice as fast as zlib), zlib, the inflater libpng uses, any other; both refuse what
  /// libpng refuses (libdeflate, also fast, accepts a few invalid streams), so the fast path
  /// accepts exactly the streams libpng accepts. It takes only files whose every chunk checks out;
  /// for anything else (other layouts, a bad CRC, a broken stream) it answers `nil` and libpng
  /// decodes the file, so it never accepts what libpng refuses.
  enum FastPath {
    /// The file's layout when the fast path takes it, else `nil`.
    /// - Throws: ``ImageCodecError/tooLarge(source:width:height:limit:)`` before any allocation.
    static func probe(_ bytes: UnsafeBufferPointer<UInt8>, source: String, label: Bool, maxPixels: Int) throws(ImageCodecError)
      -> cpng_fast_layout?
    {
      var layout = cpng_fast_layout()
      let status = cpng_fast_probe(bytes.baseAddress, bytes.count, label ? 1 : 0, UInt64(maxPixels), &layout)
      if status == CPNG_TOO_LARGE {
        throw .tooLarge(source: source, width: Int(layout.width), height: Int(layout.height), limit: maxPixels)
      }
      return status == CPNG_OK ? layout : nil
    }

    /// The header libpng would give for a file the fast path takes.
    static func header(_ layout: cpng_fast_layout) -> ImageHeader {
      ImageHeader(
        codec: .png, width: Int(layout.width), height: Int(layout.height), channels: Int(layout.channels), bitDepth: 8,
        storage: PNGCodec.storageDescription(colorType: Int(layout.png_color_type), bitDepth: 8, interlaced: false))
    }

    /// The whole image, rows unfiltered in place over the inflated buffer; `nil` to fall back.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ layout: cpng_fast_layout) -> Image8? {
      let height = Int(layout.height)
      let rowBytes = layout.row_bytes
      var status = CPNG_OK
      let samples = [UInt8](unsafeUninitializedCapacity: height * (rowBytes + 1)) { buffer, count in
        count = 0
        guard let base = buffer.baseAddress else { return }
        status = inflate(bytes, layout, into: buffer)
        guard status == CPNG_OK else { return }
        for y in 0..<height {
          cpng_unfilter_row(
            base + y * (rowBytes + 1), y > 0 ? base + (y - 1) * rowBytes : nil, base + y * rowBytes, rowBytes,
            layout.channels)
        }
        count = height * rowBytes
      }
      guard status == CPNG_OK else { return nil }
      return Image8(width: Int(layout.width), height: height, channels: Int(layout.channels), samples: samples)
    }

    /// Hands the rows to `consumer`, each unfiltered into one of two alternating row buffers while
    /// the consumer reads it; `false` (nothing consumed) to fall back.
    static func decodeRows(_ bytes: UnsafeBufferPointer<UInt8>, _ layout: cpng_fast_layout, into consumer: inout some ImageRowConsumer) -> Bool {
      let height = Int(layout.height)
      let rowBytes = layout.row_bytes
      // The inflated rows only live during this call: a reused scratch buffer.
      return ScratchBuffers.with(count: height * (rowBytes + 1) + 2 * rowBytes) { buffer in
        let filtered = UnsafeMutableBufferPointer(rebasing: buffer[0..<(height * (rowBytes + 1))])
        guard inflate(bytes, layout, into: filtered) == CPNG_OK, let source = filtered.baseAddress else { return false }
        let ring = source + height * (rowBytes + 1)
        consumer.begin(width: Int(layout.width), height: height, channels: Int(layout.channels))
        for y in 0..<height {
          let out = ring + (y % 2) * rowBytes
          cpng_unfilter_row(source + y * (rowBytes + 1), y > 0 ? ring + ((y + 1) % 2) * rowBytes : nil, out, rowBytes, layout.channels)
          consumer.consume(row: UnsafeBufferPointer(start: out, count: rowBytes))
        }
        return true
      }
    }

    /// Inflates the image data into `buffer`, gathering several IDAT chunks in a scratch buffer.
    private static func inflate(
      _ bytes: UnsafeBufferPointer<UInt8>, _ layout: cpng_fast_layout, into buffer: UnsafeMutableBufferPointer<UInt8>
    ) -> Int32 {
      var layout = layout
      let gathered = layout.idat_chunks > 1 ? layout.compressed_bytes : 0
      return ScratchBuffers.with(count: gathered) { gather in
        cpng_fast_inflate(bytes.baseAddress, bytes.count, &layout, gather.baseAddress, gather.count, buffer.baseAddress, buffer.count)
      }
    }
  }
}

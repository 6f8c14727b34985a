import CJPEG
import DanceCore
import Foundation
@testable import ImageCodecs
import TestSupport
import Testing

/// Issue 12, E1/E2: a seeded mutation test over every PNG and JPEG fixture (and a few larger
/// files encoded here). Truncations (some
/// with the end marker put back), bit flips anywhere, and for PNG bit flips inside IDAT with the
/// chunk CRC recomputed (so they reach the inflater). For each case: no crash, no hang, and every
/// file the strict decoder accepts decodes to exactly the pixels of a strict reference, libpng
/// without our fast path or libjpeg with no warning. `make test` runs 20000 cases (about a second);
/// `make fuzz` sets `DANCE_FUZZ_CASES` for longer runs (and `DANCE_FUZZ_SEED` for other seeds).
@Suite struct MutationTests {
  static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path

  /// Every PNG and JPEG fixture, relative to the fixtures folder.
  static let files: [String] = {
    let names = (try? FileManager.default.subpathsOfDirectory(atPath: fixtures)) ?? []
    return names.filter { $0.hasSuffix(".png") || $0.hasSuffix(".jpg") }.sorted()
  }()

  static let totalCases = ProcessInfo.processInfo.environment["DANCE_FUZZ_CASES"].flatMap(Int.init) ?? 20000
  static let seed = ProcessInfo.processInfo.environment["DANCE_FUZZ_SEED"].flatMap(UInt64.init) ?? 12

  enum Mutation: CustomStringConvertible {
    case truncate(Int)
    case truncateAndEnd(Int)
    case flip(Int, UInt8)
    case flipInIDAT(Int, UInt8)

    var description: String {
      switch self {
      case .truncate(let length): "truncated to \(length) bytes"
      case .truncateAndEnd(let length): "truncated to \(length) bytes, end marker appended"
      case .flip(let offset, let bit): "bit \(bit) flipped at \(offset)"
      case .flipInIDAT(let offset, let bit): "bit \(bit) flipped at \(offset) in IDAT, CRC recomputed"
      }
    }
  }

  static func apply(_ mutation: Mutation, to valid: [UInt8], png: Bool) -> [UInt8] {
    switch mutation {
    case .truncate(let length): return Array(valid.prefix(length))
    case .truncateAndEnd(let length):
      return Array(valid.prefix(length)) + (png ? ImageDecoder.pngTrailer : [0xFF, 0xD9])
    case .flip(let offset, let bit):
      var bytes = valid
      bytes[offset] ^= 1 << bit
      return bytes
    case .flipInIDAT(let offset, let bit):
      var bytes = valid
      bytes[offset] ^= 1 << bit
      if let chunk = StrictDecodingTests.chunks(valid, named: "IDAT").first(where: { $0.offset <= offset && offset < $0.offset + $0.length }) {
        StrictDecodingTests.fixCRC(&bytes, dataOffset: chunk.offset, length: chunk.length)
      }
      return bytes
    }
  }

  /// `count` seeded mutations of `valid`.
  static func mutations(of valid: [UInt8], png: Bool, count: Int, generator: inout SplitMix) -> [Mutation] {
    let idat = png ? StrictDecodingTests.chunks(valid, named: "IDAT").filter { $0.length > 0 } : []
    return (0..<count).map { index in
      let bit = UInt8(generator.next() % 8)
      switch index % 5 {
      case 0: return .truncate(Int(generator.next() % UInt64(valid.count)))
      case 1: return .truncateAndEnd(Int(generator.next() % UInt64(valid.count)))
      case 2 where !idat.isEmpty, 3 where !idat.isEmpty:
        let chunk = idat[Int(generator.next() % UInt64(idat.count))]
        return .flipInIDAT(chunk.offset + Int(generator.next() % UInt64(chunk.length)), bit)
      default: return .flip(Int(generator.next() % UInt64(valid.count)), bit)
      }
    }
  }

  /// The strict reference's pixels, or why it refuses the file.
  static func reference(_ bytes: [UInt8], png: Bool, source: String) -> Result<DecodedImage, ImageCodecError> {
    if png {
      return bytes.withUnsafeBufferPointer { bytes in
        Result { () throws(ImageCodecError) in
          try PNGCodec.decodeWithLibpng(bytes, source: source, label: false, maxPixels: 1 << 28, strict: true).image
        }
      }
    }
    var pixels: UnsafeMutablePointer<UInt8>?
    var width: UInt32 = 0, height: UInt32 = 0
    var channels: Int32 = 0
    var warnings = 0
    var message = [CChar](repeating: 0, count: Int(CJPEG_MESSAGE_CAPACITY))
    let status = cjpeg_reference_decode(bytes, bytes.count, &pixels, &width, &height, &channels, &warnings, &message)
    defer { cjpeg_free(pixels) }
    guard status == CJPEG_OK, warnings == 0, let pixels else {
      let reason = status == CJPEG_OK ? "\(warnings) warnings" : String(cString: message)
      return .failure(.corrupt(source: source, codec: .jpeg, reason: reason))
    }
    let count = Int(width) * Int(height) * Int(channels)
    return .success(.uint8(Image8(
      width: Int(width), height: Int(height), channels: Int(channels),
      samples: Array(UnsafeBufferPointer(start: pixels, count: count)))))
  }

  struct Tally {
    var cases = 0
    var accepted = 0
    var slowest: Duration = .zero
  }

  /// One case: the strict decoder, whole and (for PNG) row by row, against the reference.
  static func check(_ bytes: [UInt8], png: Bool, label: String, tally: inout Tally) {
    let clock = ContinuousClock()
    let start = clock.now
    defer {
      tally.cases += 1
      tally.slowest = max(tally.slowest, clock.now - start)
    }
    let decoded: DecodedFile
    do throws(ImageCodecError) {
      decoded = try ImageDecoder().decode(bytes, source: label)
    } catch {
      #expect(error.source == label)
      return
    }
    tally.accepted += 1
    #expect(decoded.warnings.isEmpty, "\(label)")
    let expected: DecodedImage
    switch reference(bytes, png: png, source: label) {
    case .success(let image): expected = image
    case .failure(let refusal):
      Issue.record("\(label): accepted in strict mode, but the strict reference refuses it: \(refusal.reason)")
      return
    }
    #expect(decoded.image == expected, "\(label): accepted with pixels that differ from the reference")
    if png, case .uint8(let image) = decoded.image {
      var rows = RowDecodingTests.Collector()
      let header = bytes.withUnsafeBufferPointer { bytes in
        try? PNGCodec.decodeRows(bytes, source: label, options: DecodeOptions(), into: &rows)
      }
      if header != nil { #expect(Array(rows.rows.joined()) == image.samples, "\(label): rows differ") }
    }
  }

  /// Larger files than the fixtures, encoded here: PNGs with dynamic-Huffman blocks and several
  /// IDAT chunks (the PngSuite files are mostly one fixed-Huffman block), and JPEGs with several MCUs.
  static func generated() throws -> [(name: String, bytes: [UInt8])] {
    let rgb = RoundTripTests.pattern(width: 96, height: 64, channels: 3, seed: 5)
    let gray = RoundTripTests.pattern(width: 160, height: 120, channels: 1, seed: 6)
    return [
      ("generated-rgb.png", try PNGEncoder(compressionLevel: 6).encode(rgb)),
      ("generated-gray.png", try PNGEncoder(compressionLevel: 9, filter: .paeth).encode(gray)),
      ("generated-baseline.jpg", try JPEGEncoder(quality: 80).encode(rgb)),
      ("generated-progressive.jpg", try JPEGEncoder(quality: 60, subsampling: .s444, progressive: true).encode(rgb)),
    ]
  }

  @Test func mutatedFixturesAreRefusedOrDecodeLikeTheReference() throws {
    #expect(Self.files.count >= 50)
    let inputs = try Self.files.map { name in
      (name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/" + name))))
    } + Self.generated()
    let perFile = max(1, Self.totalCases / inputs.count)
    var generator = SplitMix(seed: Self.seed)
    var tally = Tally()
    for (name, valid) in inputs {
      let png = name.hasSuffix(".png")
      for mutation in Self.mutations(of: valid, png: png, count: perFile, generator: &generator) {
        Self.check(Self.apply(mutation, to: valid, png: png), png: png, label: "\(name), \(mutation)", tally: &tally)
      }
    }
    #expect(tally.cases >= Self.totalCases - inputs.count)
    #expect(tally.slowest < .seconds(2), "the slowest case took \(tally.slowest)")
    print("mutation test: \(tally.cases) cases, \(tally.accepted) accepted, slowest \(tally.slowest)")
  }

  /// Found by this test: one bit flipped in basn4a08's fixed-Huffman IDAT (CRC recomputed) turns a
  /// length code into the reserved literal/length code 286 or 287. zlib, and so libpng, refuses the
  /// stream; libdeflate read it as length 258, and the fast path accepted the file.
  @Test(arguments: [(100, 4), (82, 6)])
  func aReservedDeflateCodeIsRefusedAsZlibRefusesIt(offset: Int, bit: UInt8) throws {
    let valid = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/pngsuite/basn4a08.png")))
    let damaged = Self.apply(.flipInIDAT(offset, bit), to: valid, png: true)
    #expect(throws: ImageCodecError.self) { try ImageDecoder().decode(damaged, source: "basn4a08.png") }
    try damaged.withUnsafeBufferPointer { (bytes) throws in
      let layout = try #require(try PNGCodec.FastPath.probe(bytes, source: "m", label: false, maxPixels: 1 << 28))
      #expect(PNGCodec.FastPath.decode(bytes, layout) == nil)
    }
  }

  /// A zlib header that declares a 256-byte window while the stream reaches further back (CRC and
  /// header check recomputed): libpng, which inflates row by row, refuses it ("too far back"); an
  /// inflater given the whole output at once would not notice, so the fast path inflates row by row.
  @Test func aStreamReachingBeyondItsDeclaredWindowIsRefusedAsLibpngRefusesIt() throws {
    var png = try PNGEncoder(compressionLevel: 6, filter: .none).encode(
      RoundTripTests.pattern(width: 96, height: 64, channels: 3, seed: 9))
    let idat = try #require(StrictDecodingTests.chunks(png, named: "IDAT").first)
    png[idat.offset] = 0x08  // CM 8 (deflate), CINFO 0: a 256-byte window
    png[idat.offset + 1] = UInt8(31 - (0x08 * 256) % 31)  // FCHECK, no dictionary, fastest level
    StrictDecodingTests.fixCRC(&png, dataOffset: idat.offset, length: idat.length)
    let libpng = png.withUnsafeBufferPointer { bytes in
      Result { () throws(ImageCodecError) in
        try PNGCodec.decodeWithLibpng(bytes, source: "w.png", label: false, maxPixels: 1 << 28).image
      }
    }
    guard case .failure(let refusal) = libpng else {
      Issue.record("libpng accepted the stream, so this case tests nothing")
      return
    }
    #expect(refusal.reason.contains("too far back"))
    #expect(throws: ImageCodecError.self) { try ImageDecoder().decode(png, source: "w.png") }
    try png.withUnsafeBufferPointer { (bytes) throws in
      let layout = try #require(try PNGCodec.FastPath.probe(bytes, source: "w", label: false, maxPixels: 1 << 28))
      #expect(PNGCodec.FastPath.decode(bytes, layout) == nil)
      var rows = RowDecodingTests.Collector()
      #expect(!PNGCodec.FastPath.decodeRows(bytes, layout, into: &rows))
    }
  }
}

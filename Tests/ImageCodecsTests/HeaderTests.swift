import Foundation
import ImageCodecs
import TestSupport
import Testing

/// Header-only reading agrees with a full decode and rejects what it can see is wrong.
@Suite struct HeaderTests {
  static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path

  static let files: [String] = {
    let pngs = (try? FileManager.default.contentsOfDirectory(atPath: fixtures + "/pngsuite")) ?? []
    return pngs.filter { $0.hasSuffix(".png") }.map { "pngsuite/" + $0 }.sorted()
      + ["jpeg/baseline.jpg", "jpeg/progressive.jpg", "jpeg/gray.jpg"]
  }()

  @Test(arguments: files)
  func headerAgreesWithDecode(name: String) throws {
    let path = Self.fixtures + "/" + name
    let header = try ImageDecoder().readHeader(contentsOf: path)
    let decoded = try ImageDecoder().decode(contentsOf: path)
    #expect(header.width == decoded.image.width && header.height == decoded.image.height)
    #expect(header.bitDepth == decoded.image.bitDepth)
    #expect(header.storage == decoded.header.storage)
  }

  @Test func truncatedOrCorruptHeadersAreRefused() throws {
    let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/pngsuite/basn2c08.png")))
    try withTemporaryDirectory { directory in
      let path = directory + "/x.png"
      try writeFile(Array(png.prefix(30)), to: path)
      #expect(throws: ImageCodecError.corrupt(source: path, codec: .png, reason: "file ends inside the IHDR chunk (file truncated)")) {
        try ImageDecoder().readHeader(contentsOf: path)
      }
      var flipped = png
      flipped[17] ^= 0x10
      try writeFile(flipped, to: path)
      #expect(throws: ImageCodecError.corrupt(source: path, codec: .png, reason: "IHDR: CRC error")) {
        try ImageDecoder().readHeader(contentsOf: path)
      }
      try writeFile(png, to: path)
      #expect(throws: ImageCodecError.tooLarge(source: path, width: 32, height: 32, limit: 100)) {
        try ImageDecoder(options: DecodeOptions(maxPixels: 100)).readHeader(contentsOf: path)
      }
    }
  }
}

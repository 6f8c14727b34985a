import Foundation
import ImageCodecs
import Testing

/// JPEG files written by an independent encoder (Pillow): baseline, progressive, gray and CMYK.
@Suite struct JPEGFixtureTests {
  static let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path + "/jpeg/"

  @Test(arguments: [("baseline.jpg", 3, "YCbCr baseline"), ("progressive.jpg", 3, "YCbCr progressive"),
    ("gray.jpg", 1, "gray baseline")])
  func decodesFixture(name: String, channels: Int, storage: String) throws {
    let file = try ImageDecoder().decode(contentsOf: Self.directory + name)
    #expect(file.header.codec == .jpeg)
    #expect(file.header.storage == storage)
    #expect(file.image.width == 33 && file.image.height == 17 && file.image.channels == channels)
  }

  @Test func baselineAndProgressiveDecodeAlike() throws {
    let baseline = try ImageDecoder().decode(contentsOf: Self.directory + "baseline.jpg")
    let progressive = try ImageDecoder().decode(contentsOf: Self.directory + "progressive.jpg")
    guard case .uint8(let a) = baseline.image, case .uint8(let b) = progressive.image else {
      Issue.record("expected 8-bit images")
      return
    }
    #expect(zip(a.samples, b.samples).allSatisfy { abs(Int($0) - Int($1)) <= 3 })
  }

  @Test func cmykIsRefusedWithAClearError() {
    let path = Self.directory + "cmyk.jpg"
    #expect {
      try ImageDecoder().decode(contentsOf: path)
    } throws: { error in
      guard case .unsupported(let source, .jpeg, let reason) = error as? ImageCodecError else { return false }
      return source == path && reason.contains("CMYK")
    }
  }
}

import Foundation
import ImageCodecs
import TestSupport
import Testing

/// The PngSuite images (Willem van Schaik's test set, copied with its README) against reference
/// decodes made by an independent decoder "as stored, expanded" (see Fixtures/pngsuite/EXPECTED.md).
@Suite struct PngSuiteTests {
  struct Expectation: Decodable, Sendable, CustomTestStringConvertible {
    var name: String = ""
    var width: Int
    var height: Int
    var channels: Int
    var bitDepth: Int
    var pngColorType: Int
    var pngBitDepth: Int
    var sha256: String
    var testDescription: String { name }

    enum CodingKeys: String, CodingKey {
      case width, height, channels, bitDepth, pngColorType, pngBitDepth, sha256
    }
  }

  static let fixtures: String = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path + "/pngsuite"

  static let expectations: [Expectation] = {
    let url = URL(fileURLWithPath: fixtures + "/expected.json")
    guard let data = try? Data(contentsOf: url),
      let table = try? JSONDecoder().decode([String: Expectation].self, from: data)
    else { return [] }
    return table.map { name, expectation in
      var expectation = expectation
      expectation.name = name
      return expectation
    }.sorted { $0.name < $1.name }
  }()

  @Test func allSixtyReferenceImagesArePresent() {
    #expect(Self.expectations.count == 60)
  }

  @Test(arguments: expectations)
  func decodeMatchesReferenceHash(_ expected: Expectation) throws {
    let file = try ImageDecoder().decode(contentsOf: Self.fixtures + "/" + expected.name)
    #expect(file.image.width == expected.width)
    #expect(file.image.height == expected.height)
    #expect(file.image.channels == expected.channels)
    #expect(file.image.bitDepth == expected.bitDepth)
    #expect(file.header.storage.hasPrefix(Self.colorTypeName(expected.pngColorType) + " \(expected.pngBitDepth)-bit"))
    #expect(sha256Hex(file.image.bigEndianBytes) == expected.sha256)
  }

  static func colorTypeName(_ type: Int) -> String {
    ["gray", "?", "RGB", "palette", "gray+alpha", "?", "RGBA"][type]
  }

  @Test(arguments: ["basn3p01.png", "basn3p02.png", "basn3p04.png", "basn3p08.png", "ftbbn3p08.png"])
  func paletteLabelsAreReadAsIndices(_ name: String) throws {
    let label = try ImageDecoder().decodeLabel(contentsOf: Self.fixtures + "/" + name)
    let expanded = try ImageDecoder().decode(contentsOf: Self.fixtures + "/" + name)
    guard case .uint8(let indices) = label.image, case .uint8(let colours) = expanded.image else {
      Issue.record("expected 8-bit images")
      return
    }
    #expect(indices.channels == 1)
    // Equal indices must map to equal colours, and the indices must fit the stored bit depth.
    let bitDepth = Int(name.dropFirst(name.count - 6).prefix(2))!
    #expect(indices.samples.allSatisfy { Int($0) < 1 << bitDepth })
    var colourOfIndex: [UInt8: ArraySlice<UInt8>] = [:]
    for pixel in 0..<indices.pixelCount {
      let colour = colours.samples[pixel * colours.channels..<(pixel + 1) * colours.channels]
      if let known = colourOfIndex[indices.samples[pixel]] {
        #expect(Array(known) == Array(colour))
      } else {
        colourOfIndex[indices.samples[pixel]] = colour
      }
    }
    #expect(colourOfIndex.count > 1)
  }

  @Test func lowBitGrayLabelsKeepRawValues() throws {
    let label = try ImageDecoder().decodeLabel(contentsOf: Self.fixtures + "/basn0g04.png")
    let expanded = try ImageDecoder().decode(contentsOf: Self.fixtures + "/basn0g04.png")
    guard case .uint8(let raw) = label.image, case .uint8(let scaled) = expanded.image else {
      Issue.record("expected 8-bit images")
      return
    }
    #expect(raw.samples.allSatisfy { $0 < 16 })
    #expect(zip(raw.samples, scaled.samples).allSatisfy { $0 * 17 == $1 })
  }

  @Test func sixteenBitGrayLabelStaysSixteenBit() throws {
    let label = try ImageDecoder().decodeLabel(contentsOf: Self.fixtures + "/basn0g16.png")
    #expect(label.image.bitDepth == 16)
    #expect(label.image.channels == 1)
  }

  @Test func colourLabelsDropAlpha() throws {
    let label = try ImageDecoder().decodeLabel(contentsOf: Self.fixtures + "/basn6a08.png")
    #expect(label.image.channels == 3)
  }
}

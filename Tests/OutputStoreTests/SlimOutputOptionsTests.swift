import Foundation
import ImageCodecs
import OutputStore
import Testing

/// The PNG filter and deflater of slim's outputs (issue 29): the defaults, the encoder they make,
/// and their recorded form, which leaves the fingerprints of outputs written before them unchanged.
@Suite struct SlimOutputOptionsTests {
  /// What `SlimOutputOptions` recorded before the filter and deflater existed (sub and zlib implied).
  static let recordedBeforeIssue29 = #"{"imageCodec":"auto","jpegQuality":95,"kernel":"area","labelResampling":"nearest","pngLevel":3,"pngStrategy":"rle"}"#

  static func json(_ options: SlimOutputOptions) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(options), as: UTF8.self)
  }

  /// The defaults are ISA-L level 2 with the adaptive filter (issue 29), and they are recorded, so an
  /// output written before them (zlib, sub) is never resumed by them.
  @Test func theDefaultsAreISALLevelTwoWithTheAdaptiveFilter() throws {
    let encoder = SlimOutputOptions().pngEncoder
    #expect(encoder.deflater == .isal)
    #expect(encoder.filter == .adaptive)
    #expect(encoder.compressionLevel == 2)
    #expect(try Self.json(SlimOutputOptions()) != Self.recordedBeforeIssue29)
  }

  /// What outputs before issue 29 recorded reads as zlib level 3 with sub and writes back unchanged;
  /// the same settings given today (`--png-deflater zlib --png-filter sub --png-level 3`) record it too.
  @Test func olderRecordsReadAsSubAndZlibAndWriteBackUnchanged() throws {
    let options = try JSONDecoder().decode(SlimOutputOptions.self, from: Data(Self.recordedBeforeIssue29.utf8))
    #expect(options.pngFilter == .sub)
    #expect(options.pngDeflater == .zlib)
    #expect(options.pngLevel == 3)
    #expect(try Self.json(options) == Self.recordedBeforeIssue29)
    var given = SlimOutputOptions()
    given.pngDeflater = .zlib
    given.pngFilter = .sub
    given.pngLevel = 3
    #expect(try Self.json(given) == Self.recordedBeforeIssue29)
  }

  @Test func isalAndAdaptiveAreRecordedSoTheyDifferFromOlderOutputs() throws {
    var options = SlimOutputOptions()
    options.pngDeflater = .isal
    options.pngFilter = .adaptive
    let json = try Self.json(options)
    #expect(json.contains(#""pngDeflater":"isal""#) && json.contains(#""pngFilter":"adaptive""#))
    #expect(try JSONDecoder().decode(SlimOutputOptions.self, from: Data(json.utf8)) == options)
  }

  /// Each filter and deflater slim can be set to writes a PNG the strict decoder reads back exactly.
  @Test(arguments: SlimOutputOptions.PNGFilter.allCases, PNGEncoder.Deflater.allCases)
  func everyChoiceRoundTrips(filter: SlimOutputOptions.PNGFilter, deflater: PNGEncoder.Deflater) throws {
    var options = SlimOutputOptions()
    options.pngFilter = filter
    options.pngDeflater = deflater
    let image = Image8(width: 40, height: 30, channels: 3, samples: (0..<3600).map { UInt8(truncatingIfNeeded: $0 * 7 / 5) })
    let bytes = try options.pngEncoder.encode(image)
    #expect(try ImageDecoder().decode(bytes, source: "slim.png").image == .uint8(image))
    #expect(try options.pngEncoder.encode(image) == bytes)
  }
}

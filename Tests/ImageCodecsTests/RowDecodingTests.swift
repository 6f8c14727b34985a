import Foundation
import ImageCodecs
import TestSupport
import Testing

/// `ImageDecoder.decodeRows`: the rows it hands over are exactly the whole decode, for every kind
/// of file; broken files fail as the whole decode fails.
@Suite struct RowDecodingTests {
  /// Collects the rows it is given.
  struct Collector: ImageRowConsumer {
    var width = -1
    var height = -1
    var channels = -1
    var rows: [[UInt8]] = []

    mutating func begin(width: Int, height: Int, channels: Int) {
      #expect(rows.isEmpty, "begin comes before every row")
      self.width = width
      self.height = height
      self.channels = channels
    }

    mutating func consume(row: UnsafeBufferPointer<UInt8>) {
      #expect(row.count == width * channels)
      rows.append(Array(row))
    }
  }

  static let eightBitFiles = PngSuiteTests.expectations.filter { $0.bitDepth == 8 }.map { "pngsuite/" + $0.name }
    + ["jpeg/baseline.jpg", "jpeg/progressive.jpg", "jpeg/gray.jpg"]

  @Test(arguments: eightBitFiles)
  func rowsAreTheWholeDecode(name: String) throws {
    let path = CorruptInputTests.fixtures + "/" + name
    let whole = try ImageDecoder().decode(contentsOf: path)
    guard case .uint8(let image) = whole.image else {
      Issue.record("\(name) is not 8-bit")
      return
    }
    var collector = Collector()
    let header = try ImageDecoder().decodeRows(contentsOf: path, into: &collector)
    #expect(header == whole.header)
    #expect(collector.width == image.width && collector.height == image.height && collector.channels == image.channels)
    #expect(collector.rows.count == image.height)
    #expect(Array(collector.rows.joined()) == image.samples)
  }

  @Test func sixteenBitFilesAreRefused() throws {
    var collector = Collector()
    #expect(throws: ImageCodecError.self) {
      try ImageDecoder().decodeRows(contentsOf: CorruptInputTests.fixtures + "/pngsuite/basn0g16.png", into: &collector)
    }
    #expect(collector.rows.isEmpty)
  }

  @Test(arguments: ["pngsuite/basn2c08.png", "pngsuite/ibasn2c08.png", "jpeg/baseline.jpg"])
  func everyTruncationFails(name: String) throws {
    let valid = try CorruptInputTests.bytes(of: name)
    try withTemporaryDirectory { directory in
      let path = directory + "/" + (name as NSString).lastPathComponent
      for length in CorruptInputTests.prefixLengths(of: valid, count: 120) {
        try writeFile(Array(valid.prefix(length)), to: path)
        var collector = Collector()
        do throws(ImageCodecError) {
          _ = try ImageDecoder().decodeRows(contentsOf: path, into: &collector)
          Issue.record("a prefix of \(length) of \(valid.count) bytes of \(name) was accepted")
        } catch {
          #expect(error.source == path)
        }
      }
    }
  }
}

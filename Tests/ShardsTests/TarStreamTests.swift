import Shards
import Testing
import TestSupport

/// `TarReader.stream`: one pass gives every member's data in order and the SHA-256 of the whole
/// file, also when the archive is broken or followed by extra bytes.
@Suite struct TarStreamTests {
  static func archive(count: Int) throws -> (bytes: [UInt8], samples: [ShardSample], sha256: String) {
    let samples = (0..<count).map { Fixtures.sample($0, imageSize: 200 + $0 * 613) }
    let writer = try TarWriter()
    for sample in samples { _ = try writer.append(sample) }
    let summary = try writer.finish()
    return (writer.bytes, samples, summary.sha256)
  }

  @Test(arguments: [true, false])
  func streamGivesEveryMemberAndTheFileHash(fromFile: Bool) throws {
    let (bytes, samples, sha256) = try Self.archive(count: 9)
    try withTemporaryDirectory { directory in
      let path = directory + "/a.tar"
      try writeFile(bytes, to: path)
      let reader = fromFile ? try TarReader(path: path) : TarReader(bytes: bytes)
      var seen: [(TarMember, [UInt8])] = []
      let summary = reader.stream { seen.append(($0, $1)) }
      #expect(summary.failure == nil)
      #expect(summary.sha256 == sha256)
      #expect(summary.members == (try reader.members()))
      #expect(seen.map(\.0) == summary.members)
      let fields = samples.flatMap { sample in sample.fields.keys.sorted().map { sample.fields[$0]! } }
      #expect(seen.map(\.1) == fields)
    }
  }

  @Test func aTruncatedArchiveFailsButIsHashedToItsEnd() throws {
    let (bytes, _, _) = try Self.archive(count: 5)
    let cut = Array(bytes.prefix(bytes.count / 2 + 100))
    var count = 0
    let summary = TarReader(bytes: cut).stream { _, _ in count += 1 }
    #expect(summary.failure != nil)
    #expect(summary.sha256 == sha256Hex(cut))
    #expect(count == summary.members.count && count > 0)
  }

  @Test func bytesAfterTheEndOfTheArchiveAreHashed() throws {
    let (bytes, _, _) = try Self.archive(count: 3)
    let padded = bytes + [UInt8](repeating: 7, count: 3000)
    let summary = TarReader(bytes: padded).stream { _, _ in }
    #expect(summary.failure == nil)
    #expect(summary.sha256 == sha256Hex(padded))
  }
}

import DanceCore
import Shards
import TestSupport
import Testing

@Suite struct TarReaderTests {
  @Test func roundTripInMemory() throws {
    let samples = (0..<25).map { Fixtures.sample($0, imageSize: 300 + $0 * 37) }
    let writer = try TarWriter()
    var layouts: [SampleLayout] = []
    for sample in samples { layouts.append(try writer.append(sample)) }
    try writer.finish()

    let reader = TarReader(bytes: writer.bytes)
    #expect(try reader.samples() == samples)
    #expect(try reader.sampleLayouts() == layouts)
    #expect(try reader.members() == layouts.flatMap(\.members))
  }

  @Test func roundTripThroughAFileWithRandomAccess() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/a.tar"
      let samples = (0..<10).map { Fixtures.sample($0) }
      let writer = try TarWriter(path: path)
      let layouts = try samples.map { try writer.append($0) }
      let summary = try writer.finish()
      #expect(writer.bytes.isEmpty)

      let reader = try TarReader(path: path)
      #expect(reader.byteCount == summary.byteCount)
      #expect(try reader.samples() == samples)
      // Random access with offsets as the catalog stores them, in any order.
      for (sample, layout) in zip(samples, layouts).reversed() {
        for member in layout.members {
          let field = layout.field(of: member)
          #expect(try reader.read(dataOffset: member.dataOffset, size: member.size) == sample.fields[field])
        }
      }
      #expect(sha256Hex(try reader.read(dataOffset: 0, size: reader.byteCount)) == summary.sha256)
    }
  }

  @Test func fileOutputMatchesMemoryOutputForLargeMembers() throws {
    try withTemporaryDirectory { directory in
      // Members around the 1 MiB write-buffer threshold exercise buffered and direct writes.
      let sizes = [10, 1 << 20, 3, (1 << 20) + 513, 700_000, 600_000, 0, 2_500_000]
      let contents = sizes.enumerated().map { index, size in (0..<size).map { UInt8(($0 &* 31 &+ index) % 251) } }
      let memory = try TarWriter()
      let file = try TarWriter(path: directory + "/big.tar")
      for (index, data) in contents.enumerated() {
        #expect(try memory.append(name: "m\(index).bin", contents: data) == file.append(name: "m\(index).bin", contents: data))
      }
      let memorySummary = try memory.finish()
      #expect(try file.finish() == memorySummary)
      let reader = try TarReader(path: directory + "/big.tar")
      #expect(try reader.read(dataOffset: 0, size: reader.byteCount) == memory.bytes)
      #expect(sha256Hex(memory.bytes) == memorySummary.sha256)
      #expect(try reader.members().map(\.size) == sizes)
    }
  }

  @Test func readPastTheEndIsTruncated() throws {
    let reader = TarReader(bytes: try Fixtures.archive([Fixtures.vectorSample]), path: "x.tar")
    #expect(
      throws: ShardError.truncated(
        path: "x.tar", reason: "100 bytes at offset 10200 run past the end of the archive (length 10240)")
    ) {
      try reader.read(dataOffset: 10200, size: 100)
    }
  }

  @Test func missingFileIsAnIOError() {
    #expect(throws: ShardError.io(path: "/nonexistent/a.tar", reason: "open failed: No such file or directory")) {
      try TarReader(path: "/nonexistent/a.tar")
    }
  }
}

extension TarReaderTests {
  // MARK: - Damaged archives

  @Test(arguments: [0, 100, 511, 512, 1000, 1535, 1536, 2047, 2050, 2560, 3071, 3072])
  func truncationIsATypedError(length: Int) throws {
    let bytes = Array(try Fixtures.archive([Fixtures.vectorSample]).prefix(length))
    do {
      _ = try TarReader(bytes: bytes, path: "cut.tar").members()
      Issue.record("a \(length)-byte prefix was accepted")
    } catch {
      guard case .truncated(let path, _) = error else { Issue.record("\(error)"); return }
      #expect(path == "cut.tar")
    }
  }

  @Test func truncationMessageNamesMemberAndOffset() throws {
    let bytes = Array(try Fixtures.archive([Fixtures.vectorSample]).prefix(2050))
    #expect(
      throws: ShardError.truncated(
        path: "<memory>",
        reason: "member \"aachen_000000_000019.seg.png\" at offset 1536 needs 10 bytes of data (padded to 2560), archive length is 2050"
      )
    ) {
      try TarReader(bytes: bytes).members()
    }
  }

  @Test(arguments: [0, 57, 99, 100, 124, 130, 150, 156, 257, 262, 263, 300])
  func flippedHeaderBitIsATypedError(byte: Int) throws {
    var bytes = try Fixtures.archive([Fixtures.vectorSample])
    bytes[1536 + byte] ^= 0x10
    do {
      _ = try TarReader(bytes: bytes).samples()
      Issue.record("flipping byte \(byte) went unnoticed")
    } catch {
      guard case .corruptHeader(_, let reason) = error else { Issue.record("\(error)"); return }
      #expect(reason.hasPrefix("header at offset 1536: "))
    }
  }

  @Test func checksumMismatchNamesBothSums() throws {
    var bytes = try Fixtures.archive([Fixtures.vectorSample])
    bytes[0] = UInt8(ascii: "b")
    #expect(
      throws: ShardError.corruptHeader(
        path: "<memory>", reason: "header at offset 0: checksum mismatch (stored 6231, computed 6232)")
    ) {
      try TarReader(bytes: bytes).members()
    }
  }

  @Test(arguments: [1, 7, 42])
  func garbageIsATypedError(seed: UInt64) {
    var generator = SplitMix(seed: seed)
    let bytes = (0..<20480).map { _ in UInt8.random(in: 0...255, using: &generator) }
    #expect(throws: ShardError.self) { try TarReader(bytes: bytes).samples() }
  }

  @Test func nonRegularMemberIsRejected() throws {
    var bytes = try Fixtures.archive([Fixtures.vectorSample])
    bytes[156] = UInt8(ascii: "5")  // directory
    Self.fixChecksum(&bytes, header: 0)
    #expect(
      throws: ShardError.unsupportedMember(
        path: "<memory>",
        reason: "member \"aachen_000000_000019.jpg\" at offset 0 has typeflag '5'; only regular files are supported"
      )
    ) {
      try TarReader(bytes: bytes).members()
    }
  }

  @Test func gnuMagicIsAccepted() throws {
    var bytes = try Fixtures.archive([Fixtures.vectorSample])
    bytes.replaceSubrange(257..<265, with: Array("ustar  \0".utf8))
    Self.fixChecksum(&bytes, header: 0)
    #expect(try TarReader(bytes: bytes).members().count == 2)
  }

  @Test func duplicateFieldIsRejected() throws {
    let writer = try TarWriter()
    try writer.append(name: "a.png", contents: [1])
    try writer.append(name: "a.json", contents: [2])
    try writer.append(name: "a.png", contents: [3])
    try writer.finish()
    #expect(
      throws: ShardError.duplicateField(
        path: "<memory>", reason: "sample \"a\" has field \"png\" twice (headers at offsets 0 and 2048)")
    ) {
      try TarReader(bytes: writer.bytes).sampleLayouts()
    }
  }

  @Test func groupsConsecutiveMembersOnly() throws {
    let members = ["d/a.png", "d/a.seg.png", "d/b.png", "d/a.json", "x.y/c.png"].enumerated().map {
      TarMember(name: $1, headerOffset: $0 * 1024, size: 1)
    }
    let layouts = try TarSampleGrouper.group(members)
    #expect(layouts.map(\.key) == ["d/a", "d/b", "d/a", "x.y/c"])
    #expect(layouts[0].fields == ["png", "seg.png"])
    #expect(layouts[0].member(field: "seg.png") == members[1])
  }

  @Test func memberWithoutFieldIsRejected() {
    #expect(throws: ShardError.self) {
      try TarSampleGrouper.group([TarMember(name: "dir.v1/README", headerOffset: 0, size: 1)])
    }
  }

  /// Recomputes the checksum of the header at `header` after a deliberate edit.
  static func fixChecksum(_ bytes: inout [UInt8], header: Int) {
    bytes.replaceSubrange((header + 148)..<(header + 156), with: [UInt8](repeating: 0x20, count: 8))
    let sum = bytes[header..<(header + 512)].reduce(0) { $0 + Int($1) }
    let digits = Array(String(sum, radix: 8).utf8)
    let field = [UInt8](repeating: UInt8(ascii: "0"), count: 6 - digits.count) + digits + [0, 0x20]
    bytes.replaceSubrange((header + 148)..<(header + 156), with: field)
  }
}

import Shards
import Testing

@Suite struct TarWriterTests {
  @Test func reproducesTheFormatsVectorByteForByte() throws {
    let bytes = try Fixtures.archive([Fixtures.vectorSample])
    #expect(bytes.count == 10240)
    // First header: aachen_000000_000019.jpg, 1000 bytes.
    #expect(Fixtures.text(bytes, 0..<24) == "aachen_000000_000019.jpg")
    #expect(bytes[24..<100].allSatisfy { $0 == 0 })
    #expect(Fixtures.text(bytes, 100..<108) == "0000444\0")
    #expect(Fixtures.text(bytes, 108..<116) == "0000000\0")
    #expect(Fixtures.text(bytes, 116..<124) == "0000000\0")
    #expect(Fixtures.text(bytes, 124..<136) == "00000001750\0")
    #expect(Fixtures.text(bytes, 136..<148) == "00000000000\0")
    #expect(Fixtures.text(bytes, 148..<156) == "014127\0 ")
    #expect(Fixtures.text(bytes, 156..<157) == "0")
    #expect(bytes[157..<257].allSatisfy { $0 == 0 })
    #expect(Fixtures.text(bytes, 257..<265) == "ustar\u{0}00")
    #expect(Fixtures.text(bytes, 265..<272) == "bigdata")
    #expect(bytes[272..<297].allSatisfy { $0 == 0 })
    #expect(Fixtures.text(bytes, 297..<304) == "bigdata")
    #expect(bytes[304..<512].allSatisfy { $0 == 0 })
    // Data at 512, padded to 1024 bytes; the next header at 1536, its data at 2048.
    #expect(Array(bytes[512..<1512]) == Fixtures.vectorSample.fields["jpg"])
    #expect(bytes[1512..<1536].allSatisfy { $0 == 0 })
    #expect(Fixtures.text(bytes, 1536..<1564) == "aachen_000000_000019.seg.png")
    #expect(Fixtures.text(bytes, 1536 + 124..<1536 + 136) == "00000000012\0")
    #expect(Fixtures.text(bytes, 1536 + 148..<1536 + 156) == "014676\0 ")
    #expect(Fixtures.text(bytes, 2048..<2058) == "0123456789")
    // End-of-archive zeros from 2560 to the 10240-byte record boundary.
    #expect(bytes[2058..<10240].allSatisfy { $0 == 0 })
  }

  @Test func reportsMemberOffsets() throws {
    let writer = try TarWriter(userName: "bigdata", groupName: "bigdata")
    let layout = try writer.append(Fixtures.vectorSample)
    #expect(layout.key == "aachen_000000_000019")
    #expect(layout.fields == ["jpg", "seg.png"])
    #expect(layout.members.map(\.headerOffset) == [0, 1536])
    #expect(layout.members.map(\.dataOffset) == [512, 2048])
    #expect(layout.members.map(\.size) == [1000, 10])
    #expect(writer.offset == 2560)
    let summary = try writer.finish()
    #expect(summary.byteCount == 10240)
    #expect(summary.md5 == "fd5589ea52ee344efbd9a7c7036af0cd")  // Python tarfile's archive, hashed by hashlib
    #expect(summary.sha256.count == 64)
  }

  @Test func defaultOwnerIsEmpty() throws {
    let writer = try TarWriter()
    try writer.append(name: "a.txt", contents: [1, 2, 3])
    try writer.finish()
    #expect(writer.bytes[265..<329].allSatisfy { $0 == 0 })
    #expect(writer.userName.isEmpty && writer.groupName.isEmpty)
  }

  @Test func identicalInputGivesIdenticalBytes() throws {
    let samples = (0..<40).map { Fixtures.sample($0) }
    let first = try Fixtures.archive(samples)
    let second = try Fixtures.archive(samples.reversed().reversed())
    #expect(first == second)
    // Field order comes from the names, not from dictionary insertion order.
    var shuffled = samples
    for index in shuffled.indices {
      shuffled[index].fields = Dictionary(uniqueKeysWithValues: samples[index].fields.reversed())
    }
    #expect(try Fixtures.archive(shuffled) == first)
  }

  @Test func archiveSizeRoundsToRecords() {
    #expect(TarWriter.archiveSize(contentSize: 0) == 10240)
    #expect(TarWriter.archiveSize(contentSize: 2560) == 10240)
    #expect(TarWriter.archiveSize(contentSize: 9216) == 10240)
    #expect(TarWriter.archiveSize(contentSize: 9728) == 20480)
  }

  @Test func emptyArchiveIsOneRecordOfZeros() throws {
    let writer = try TarWriter()
    let summary = try writer.finish()
    #expect(writer.bytes == [UInt8](repeating: 0, count: 10240))
    #expect(summary.byteCount == 10240)
    #expect(try writer.finish() == summary)
  }

  @Test func dataExactlyOneBlockNeedsNoPadding() throws {
    let writer = try TarWriter()
    let first = try writer.append(name: "a.bin", contents: [UInt8](repeating: 7, count: 512))
    let second = try writer.append(name: "b.bin", contents: [])
    #expect(first.endOffset == 1024)
    #expect(second.headerOffset == 1024 && second.dataOffset == 1536 && second.endOffset == 1536)
  }
}

extension TarWriterTests {
  // MARK: - Names

  @Test func acceptsAHundredByteName() throws {
    let writer = try TarWriter()
    let name = String(repeating: "k", count: 96) + ".png"
    let member = try writer.append(name: name, contents: [1])
    try writer.finish()
    #expect(Fixtures.text(writer.bytes, 0..<100) == name)
    #expect(try TarReader(bytes: writer.bytes).members() == [member])
  }

  @Test func rejectsLongNamesWithoutWritingAnything() throws {
    let writer = try TarWriter()
    let name = String(repeating: "k", count: 97) + ".png"
    #expect(
      throws: ShardError.invalidName(
        path: "<memory>", reason: "member name \"\(name)\" is 101 bytes; plain USTAR allows at most 100")
    ) {
      try writer.append(name: name, contents: [1])
    }
    #expect(writer.offset == 0)
  }

  @Test func countsNameLengthInUTF8Bytes() throws {
    let writer = try TarWriter()
    let name = String(repeating: "é", count: 49) + ".png"  // 98 + 4 = 102 bytes, 53 characters
    #expect(throws: ShardError.self) { try writer.append(name: name, contents: []) }
  }

  @Test func rejectsEmptyAndNULNames() throws {
    let writer = try TarWriter()
    #expect(throws: ShardError.self) { try writer.append(name: "", contents: []) }
    #expect(throws: ShardError.self) { try writer.append(name: "a\0b.png", contents: []) }
  }

  @Test func rejectsSampleWhoseMemberNameIsTooLong() throws {
    let writer = try TarWriter()
    let sample = ShardSample(key: String(repeating: "k", count: 95), fields: ["png": [1], "seg.png": [2]])
    do {
      try writer.append(sample)
      Issue.record("expected an error")
    } catch {
      guard case .invalidName(let path, let reason) = error else { Issue.record("\(error)"); return }
      #expect(path == "<memory>")
      #expect(reason.contains("seg.png") && reason.contains("103 bytes"))
    }
    #expect(writer.offset == 0, "an invalid sample writes nothing, not even its valid fields")
  }

  @Test func rejectsOwnerNamesOver32Bytes() {
    #expect(throws: ShardError.self) { try TarWriter(userName: String(repeating: "u", count: 33)) }
  }
}

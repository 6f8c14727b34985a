import Shards
import Testing

@Suite struct ShardSampleTests {
  @Test(arguments: [
    "aachen_000000_000019",
    "cityscapes/train/aachen/aachen_000000_000019",
    "ade20k/ADE_train_00000001",
    "a",
    "__a",
  ])
  func acceptsKey(_ key: String) throws {
    try ShardSample.validate(key: key)
  }

  @Test(arguments: [
    ("", "is empty"),
    ("aachen.000019", "contains a dot"),
    ("train.v2/aachen", "contains a dot"),
    ("/train/aachen", "starts or ends with \"/\""),
    ("train/aachen/", "starts or ends with \"/\""),
    ("train//aachen", "has an empty path component"),
    ("train/aachen 1", "contains a space"),
    ("train/aachen\n", "contains a control character"),
    ("__meta__/aachen", "readers skip as metadata"),
  ])
  func rejectsKey(_ key: String, _ problem: String) {
    do {
      try ShardSample.validate(key: key, archive: "/out/a-000000.tar")
      Issue.record("key \"\(key)\" was accepted")
    } catch {
      guard case .invalidKey(let path, let reason) = error else { Issue.record("\(error)"); return }
      #expect(path == "/out/a-000000.tar")
      #expect(reason.hasPrefix("key \"\(key)\" "))
      #expect(reason.contains(problem), "\(reason)")
    }
  }

  @Test(arguments: ["", "PNG", "_meta", "seg/png", ".png", "png.", "seg png"])
  func rejectsField(_ field: String) {
    let sample = ShardSample(key: "a", fields: [field: [1]])
    #expect(throws: ShardError.self) { try sample.validate() }
  }

  @Test func rejectsSampleWithoutFields() {
    #expect(throws: ShardError.invalidKey(path: "<memory>", reason: "sample \"a\" has no fields")) {
      try ShardSample(key: "a", fields: [:]).validate()
    }
  }

  @Test func keyPlusFieldMayBeExactlyAHundredBytes() throws {
    try ShardSample(key: String(repeating: "k", count: 92), fields: ["seg.png": [0]]).validate()
    #expect(throws: ShardError.self) {
      try ShardSample(key: String(repeating: "k", count: 93), fields: ["seg.png": [0]]).validate()
    }
  }

  @Test func sortsFieldsByteWise() {
    let sample = ShardSample(key: "a", fields: ["seg.png": [], "json": [], "png": [], "cls": [], "jpg": []])
    #expect(sample.sortedFieldNames == ["cls", "jpg", "json", "png", "seg.png"])
    #expect(sample.memberName(field: "seg.png") == "a.seg.png")
  }

  @Test func sizesCountHeadersAndPadding() {
    let sample = ShardSample(key: "a", fields: ["png": [UInt8](repeating: 0, count: 513), "json": []])
    #expect(sample.payloadSize == 513)
    #expect(sample.archiveSize == 512 + 1024 + 512)
  }
}

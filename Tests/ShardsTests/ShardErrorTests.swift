import Shards
import Testing

@Suite struct ShardErrorTests {
  @Test func descriptionIsPathThenReason() {
    let error = ShardError.truncated(path: "/tmp/a-000000.tar", reason: "archive ends inside the header at offset 512")
    #expect(error.description == "/tmp/a-000000.tar: archive ends inside the header at offset 512")
    #expect(error.path == "/tmp/a-000000.tar")
  }
}

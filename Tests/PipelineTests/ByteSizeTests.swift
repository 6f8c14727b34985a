import Pipeline
import Testing

/// Issue 26, C7: sizes as people write them.
@Suite struct ByteSizeTests {
  @Test(arguments: [
    ("268435456", 268_435_456), ("64MiB", 64 << 20), ("64M", 64 << 20), ("64 mib", 64 << 20), ("500MB", 500_000_000),
    ("10KiB", 10240), ("10k", 10240), ("1.5GiB", 1_610_612_736), ("2T", 2 << 40), ("1_000", 1000), ("512B", 512), ("-5", -5),
  ])
  func sizesParse(text: String, bytes: Int) {
    #expect(ByteSize.parse(text) == bytes)
  }

  @Test(arguments: ["", "MiB", "64XB", "1.3B", "ten", "99999999999T"])
  func nonsenseIsNotASize(text: String) {
    #expect(ByteSize.parse(text) == nil)
  }

  @Test func sizesAreFormattedInTheirLargestExactUnit() {
    #expect(ByteSize.format(256 << 20) == "256 MiB")
    #expect(ByteSize.format(64 << 20) == "64 MiB")
    #expect(ByteSize.format(10000) == "10000 bytes")
  }
}

import CPNG
import DanceCore
import Datasets
import ImageCodecs
import Synthetic
import TestSupport
import Testing

@Suite("Photographic synthetic frames")
struct SyntheticPhotographicTests {
  /// The filter-type byte of every row of an 8-bit PNG, read through the fast path's own inflate.
  static func rowFilters(_ png: [UInt8]) throws -> [UInt8] {
    try png.withUnsafeBufferPointer { bytes in
      var layout = cpng_fast_layout()
      try #require(cpng_fast_probe(bytes.baseAddress, bytes.count, 0, 1 << 28, &layout) == CPNG_OK)
      let stride = layout.row_bytes + 1
      var gather = [UInt8](repeating: 0, count: max(1, layout.compressed_bytes))
      var filtered = [UInt8](repeating: 0, count: stride * Int(layout.height))
      let status = gather.withUnsafeMutableBufferPointer { gather in
        filtered.withUnsafeMutableBufferPointer { filtered in
          cpng_fast_inflate(bytes.baseAddress, bytes.count, &layout, gather.baseAddress, gather.count,
                            filtered.baseAddress, filtered.count)
        }
      }
      try #require(status == CPNG_OK)
      return (0..<Int(layout.height)).map { filtered[$0 * stride] }
    }
  }

  static func writer(_ style: SyntheticDatasetConfiguration.Style, format: DatasetFormat = .cityscapes,
                     seed: UInt64 = 11) -> SyntheticDatasetWriter {
    SyntheticDatasetWriter(configuration: .init(format: format, outputDirectory: "/unused", seed: seed, style: style))
  }

  @Test("photographic image PNGs use libpng's adaptive filters, classic ones the sub filter, labels none")
  func filters() throws {
    for index in 0..<3 {
      let photographic = try Self.writer(.photographic).encode(Self.writer(.photographic).render(split: .train, index: index))
      let classic = try Self.writer(.classic).encode(Self.writer(.classic).render(split: .train, index: index))
      let adaptive = Set(try Self.rowFilters(photographic[0].bytes))
      #expect(adaptive.count >= 2, "row filters \(adaptive.sorted())")
      #expect(adaptive.contains(3) || adaptive.contains(4), "average or Paeth rows: \(adaptive.sorted())")
      #expect(Set(try Self.rowFilters(classic[0].bytes)) == [1])
      #expect(Set(try Self.rowFilters(photographic[1].bytes)) == [0], "the label map is not filtered")
    }
  }

  @Test("photographic images decode to the rendered pixels", arguments: [DatasetFormat.cityscapes, .camvid])
  func roundTrip(format: DatasetFormat) throws {
    let writer = Self.writer(.photographic, format: format)
    let sample = writer.render(split: .val, index: 1)
    let files = try writer.encode(sample)
    #expect(try ImageDecoder().decode(files[0].bytes, source: files[0].relativePath).image == .uint8(sample.image))
  }

  /// Sensor noise and texture: neighbouring pixels of one class differ in every frame, the plainest
  /// (little texture, the lowest noise, the strongest blur) included.
  @Test("flat regions carry texture and sensor noise")
  func noiseInFlatRegions() {
    func neighbourDifference(_ sample: SyntheticSample) -> Double {
      var sum = 0.0
      var count = 0
      let label = sample.label
      let image = sample.image
      for y in 0..<label.height {
        for x in 1..<(label.width - 1) where label[x - 1, y] == label[x, y] && label[x + 1, y] == label[x, y] {
          let base = (y * image.width + x) * 3
          sum += abs(Double(image.samples[base + 1]) - Double(image.samples[base + 4]))
          count += 1
        }
      }
      return sum / Double(max(count, 1))
    }
    let photographic = (0..<6).map { neighbourDifference(Self.writer(.photographic).render(split: .train, index: $0)) }
    #expect((photographic.min() ?? 0) >= 0.8, "mean neighbour differences inside regions: \(photographic)")
  }

  @Test("the two styles render one scene to different pixels of the same size")
  func stylesDiffer() throws {
    let photographic = Self.writer(.photographic).render(split: .train, index: 0)
    let classic = Self.writer(.classic).render(split: .train, index: 0)
    #expect(photographic.image != classic.image)
    #expect(photographic.image.width == classic.image.width && photographic.image.height == classic.image.height)
  }
}

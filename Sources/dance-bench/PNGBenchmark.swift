import ArgumentParser
import Foundation
import ImageCodecs
import Synthetic

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `dance-bench png`: the PNG codec on real photographs (issue 29): the strict decoder's speed on
/// the files as stored, and each encoder configuration's time and bytes per frame, on the frames as
/// they are and on 2048×1024 frames built from them (four frames, each resized to 1024×512 with the
/// bilinear kernel, tiled 2×2). One thread, timed by its CPU time (so that other processes on a
/// loaded machine count less); configurations interleaved per frame, the minimum over rounds taken.
struct PNGBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "png",
    abstract: "PNG decode MB/s and encode ms and bytes per frame (zlib and ISA-L, sub and adaptive filters) on real photographs.")

  @Option(help: "A directory of real photographs stored as 8-bit RGB PNGs, searched recursively (e.g. CamVid). Default: $DANCE_PHOTOS; the case is skipped without either.")
  var root: String?

  @Option(help: "Photographs to measure (the first, in path order).")
  var frames = 48

  @Option(help: "Rounds per operation; the minimum is reported.")
  var rounds = 3

  /// The encoder configurations compared: today's slim default first.
  static let encoders: [(name: String, encoder: PNGEncoder)] = {
    var list: [(String, PNGEncoder)] = []
    for filter in [PNGEncoder.Filter.sub, .adaptive] {
      list.append(("zlib 3 RLE, \(filter)", PNGEncoder(compressionLevel: 3, filter: filter, strategy: .rle)))
      for level in 0...2 {
        list.append(("ISA-L \(level), \(filter)", PNGEncoder(compressionLevel: level, filter: filter, deflater: .isal)))
      }
    }
    return list
  }()

  func run() throws {
    guard let root = root ?? ProcessInfo.processInfo.environment["DANCE_PHOTOS"] else {
      print("skipped: no --root or DANCE_PHOTOS (a directory of real photographs as RGB PNGs, e.g. CamVid's frames)")
      return
    }
    let files = ((FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? [])
      .filter { $0.hasSuffix(".png") }.sorted().prefix(frames).map { root + "/" + $0 }
    let decoder = ImageDecoder()
    let stored = try files.map { try decoder.readFile($0) }
    let images = try stored.enumerated().compactMap { index, bytes -> Image8? in
      guard case .uint8(let image) = try decoder.decode(bytes, source: files[index]).image, image.channels == 3 else { return nil }
      return image
    }
    guard images.count >= 4 else { throw ValidationError("--root: fewer than 4 RGB PNGs under \(root)") }
    let tiled = stride(from: 0, to: images.count - 3, by: 4).map { Self.tile(images[$0..<($0 + 4)]) }
    print("photographs: \(images.count) from \(root) (\(images[0].width)x\(images[0].height)); \(tiled.count) tiled 2048x1024 frames; 1 thread, its CPU time, minimum of \(rounds) rounds")
    let decodeSeconds = try stored.reduce(0.0) { total, bytes in
      total + (try minimumSeconds { _ = try decoder.decode(bytes, source: "photo.png") })
    }
    let pixelBytes = images.reduce(0) { $0 + $1.samples.count }
    print(String(format: "decode as stored (strict, fast path): %.0f MB/s of pixels, %.2f ms per frame", Double(pixelBytes) / decodeSeconds / 1e6, 1e3 * decodeSeconds / Double(images.count)))
    for (title, set) in [("frames as they are", images), ("2048x1024 tiled frames", tiled)] {
      try measureEncoders(title: title, images: set)
    }
  }

  /// Every encoder on every image, interleaved per image; a table of ms and bytes per frame and the
  /// decode speed of what each wrote.
  func measureEncoders(title: String, images: [Image8]) throws {
    let count = Self.encoders.count
    var encode = [Double](repeating: 0, count: count), decode = encode, bytes = encode
    for image in images {
      for (index, entry) in Self.encoders.enumerated() {
        var encoded: [UInt8] = []
        encode[index] += try minimumSeconds { encoded = try entry.encoder.encode(image) }
        decode[index] += try minimumSeconds { _ = try ImageDecoder().decode(encoded, source: "encoded.png") }
        bytes[index] += Double(encoded.count)
      }
    }
    let frames = Double(images.count)
    print("\n\(title) (\(images.count)):")
    var table = [["encoder, filter", "encode ms/frame", "bytes/frame", "vs zlib sub", "decode MB/s"]]
    for (index, entry) in Self.encoders.enumerated() {
      let pixelBytes = Double(images.reduce(0) { $0 + $1.samples.count })
      table.append([
        entry.name, String(format: "%.2f", 1e3 * encode[index] / frames), String(format: "%.0f", bytes[index] / frames),
        String(format: "%.3f", bytes[index] / bytes[0]), String(format: "%.0f", pixelBytes / decode[index] / 1e6),
      ])
    }
    let widths = (0..<5).map { column in table.map { $0[column].count }.max() ?? 0 }
    for row in table {
      print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
  }

  /// The shortest of `rounds` runs of `body`, in seconds of this thread's CPU time.
  func minimumSeconds(_ body: () throws -> Void) throws -> Double {
    func now() -> Double {
      var time = timespec()
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
      return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
    var best = Double.infinity
    for _ in 0..<rounds {
      let start = now()
      try body()
      best = min(best, now() - start)
    }
    return best
  }

  /// Four photographs, each resized to 1024×512 with the bilinear kernel, as one 2048×1024 frame (2×2).
  static func tile(_ four: ArraySlice<Image8>) -> Image8 {
    CamVidCityscapesRoot.tile2x2(four.map { ImageResampler.resize($0, width: 1024, height: 512, kernel: .bilinear) })
  }
}

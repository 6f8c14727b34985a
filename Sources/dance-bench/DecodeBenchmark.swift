import ArgumentParser
import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Synthetic

/// `dance-bench decode`: the codec costs that design.md's performance budget is written in, on
/// synthetic 2048×1024 Cityscapes-format frames, one thread.
struct DecodeBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract: "Milliseconds per PNG/JPEG decode and encode of 2048×1024 street scenes (one thread).")

  @Option(help: "Frames to generate and measure (each operation runs once per frame per round).")
  var frames = 4

  @Option(help: "Rounds over all frames; the median over frames × rounds is reported.")
  var rounds = 3

  @Option(help: "Frame size, WxH in pixels.")
  var size = "2048x1024"

  func run() throws {
    guard let imageSize = SyntheticDatasetConfiguration.ImageSize(parsing: size) else {
      throw ValidationError("--size must look like 2048x1024")
    }
    let writer = SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
      format: .cityscapes, outputDirectory: "/dev/null", imageSize: imageSize, seed: 11, style: .classic))
    let samples = (0..<frames).map { writer.render(split: .train, index: $0) }
    let png = PNGEncoder(compressionLevel: 3, filter: .sub)
    let pngRLE = PNGEncoder(compressionLevel: 3, filter: .sub, strategy: .rle)  // dance slim's default
    let imagePNGs = try samples.map { try png.encode($0.image) }
    let labelPNGs = try samples.map { try PNGEncoder(compressionLevel: 3, filter: .none).encode($0.label) }
    let jpegs = try samples.map { try JPEGEncoder(quality: 95).encode($0.image) }
    let halves = samples.map { halfSize($0.image) }
    let decoder = ImageDecoder()
    let quarter = ImageDecoder(options: DecodeOptions(jpegScale: .quarter))

    print("frames: \(frames) synthetic Cityscapes \(imageSize) RGB, \(rounds) rounds, 1 thread; median ms per operation")
    let rows: [(String, (Int) throws -> Void)] = [
      ("decode RGB PNG", { _ = try decoder.decode(imagePNGs[$0], source: "image.png") }),
      ("decode label PNG", { _ = try decoder.decodeLabel(labelPNGs[$0], source: "label.png") }),
      ("decode JPEG q95", { _ = try decoder.decode(jpegs[$0], source: "image.jpg") }),
      ("decode JPEG q95 at 1/4", { _ = try quarter.decode(jpegs[$0], source: "image.jpg") }),
      ("encode PNG half size (zlib 3, sub)", { _ = try png.encode(halves[$0]) }),
      ("encode PNG half size (zlib 3, sub, RLE)", { _ = try pngRLE.encode(halves[$0]) }),
      ("encode PNG full size (zlib 3, sub)", { _ = try png.encode(samples[$0].image) }),
      ("encode PNG full size (zlib 3, sub, RLE)", { _ = try pngRLE.encode(samples[$0].image) }),
      ("encode JPEG q95 half size", { _ = try JPEGEncoder(quality: 95).encode(halves[$0]) }),
    ]
    var table = [["operation", "median ms", "min ms", "bytes (frame 0)"]]
    for (name, operation) in rows {
      var times: [Double] = []
      for _ in 0..<rounds {
        for frame in 0..<frames {
          let start = DispatchTime.now().uptimeNanoseconds
          try operation(frame)
          times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
      }
      times.sort()
      let bytes: String
      switch name {
      case "decode RGB PNG": bytes = "\(imagePNGs[0].count)"
      case "decode label PNG": bytes = "\(labelPNGs[0].count)"
      case "decode JPEG q95": bytes = "\(jpegs[0].count)"
      default: bytes = ""
      }
      table.append([name, String(format: "%.2f", times[times.count / 2]), String(format: "%.2f", times[0]), bytes])
    }
    let widths = (0..<4).map { column in table.map { $0[column].count }.max() ?? 0 }
    for row in table {
      print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
  }

  /// A 2× box-filtered copy (the benchmark's stand-in for the slimmer's area resampling).
  func halfSize(_ image: Image8) -> Image8 {
    var half = Image8(width: image.width / 2, height: image.height / 2, channels: image.channels)
    for y in 0..<half.height {
      for x in 0..<half.width {
        for c in 0..<image.channels {
          let sum = Int(image[2 * x, 2 * y, c]) + Int(image[2 * x + 1, 2 * y, c]) + Int(image[2 * x, 2 * y + 1, c])
            + Int(image[2 * x + 1, 2 * y + 1, c])
          half[x, y, c] = UInt8((sum + 2) / 4)
        }
      }
    }
    return half
  }
}

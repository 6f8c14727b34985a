import DanceCore
import Datasets
import Foundation
import ImageCodecs

/// Small PNG thumbnails of an image and of its label's class colours, for the audit report.
enum Thumbnails {
  /// The image and its label overlay, each at most `maxWidth` pixels wide, as base64 PNG; `nil`
  /// when a file cannot be read (the report then says so instead of showing a picture).
  static func make(_ extreme: AuditExtreme, maxWidth: Int = 192) -> (image: String, overlay: String?)? {
    let decoder = ImageDecoder()
    guard case .uint8(let full)? = try? decoder.decode(contentsOf: extreme.imagePath).image else { return nil }
    let rgb = full.rgb()
    let factor = max(1, (rgb.width + maxWidth - 1) / maxWidth)
    let small = boxDownsample(rgb, factor: factor)
    guard let imagePNG = try? PNGEncoder(compressionLevel: 6).encode(small) else { return nil }
    var overlay: String?
    if let labelPath = extreme.labelPath, let datasetLabels = extreme.labels,
      let labels = try? LabelFiles.convert(contentsOf: labelPath, labels: datasetLabels, decoder: decoder).labels.image,
      labels.width == rgb.width, labels.height == rgb.height
    {
      // Nearest pick of the label at each thumbnail pixel's centre, blended half and half with the image.
      var blended = small
      let space = datasetLabels.space
      for y in 0..<small.height {
        for x in 0..<small.width {
          let trainId = labels[min(labels.width - 1, x * factor + factor / 2), min(labels.height - 1, y * factor + factor / 2)]
          let color = space.color(of: trainId)
          for (c, component) in [color.red, color.green, color.blue].enumerated() {
            blended[x, y, c] = UInt8((Int(small[x, y, c]) + Int(component) + 1) / 2)
          }
        }
      }
      overlay = (try? PNGEncoder(compressionLevel: 6).encode(blended)).map { Data($0).base64EncodedString() }
    }
    return (Data(imagePNG).base64EncodedString(), overlay)
  }

  /// The mean of each `factor × factor` block (the last partial blocks averaged over what they hold).
  static func boxDownsample(_ image: Image8, factor: Int) -> Image8 {
    guard factor > 1 else { return image }
    let width = (image.width + factor - 1) / factor
    let height = (image.height + factor - 1) / factor
    var output = Image8(width: width, height: height, channels: image.channels)
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<image.channels {
          var sum = 0
          var count = 0
          for sy in (y * factor)..<min(image.height, (y + 1) * factor) {
            for sx in (x * factor)..<min(image.width, (x + 1) * factor) {
              sum += Int(image[sx, sy, c])
              count += 1
            }
          }
          output[x, y, c] = UInt8((sum + count / 2) / count)
        }
      }
    }
    return output
  }
}

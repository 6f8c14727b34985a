import DanceCore
import Datasets
import Foundation
import ImageCodecs
import OutputStore

/// Everything needed to turn one kept sample into its shard fields.
struct SlimSampleJob: Sendable {
  var key: SampleKey
  var split: DatasetSplit
  var root: String
  var imagePath: String
  var labelPath: String
  var labels: DatasetLabels
  var width: Int
  var height: Int
  var outputWidth: Int
  var outputHeight: Int
  var scale: Double
  var weight: Double
  var rank: Double
  var scores: [String: Double]

  /// Why a sample could not be encoded: `"<path>: <reason>"`.
  struct Failure: Error, Sendable {
    var reason: String
  }

  /// The encoded fields, and whether the image was copied without decoding.
  struct Output: Sendable {
    var fields: [String: [UInt8]]
    var copiedImage: Bool
  }

  /// Decodes, resamples and encodes the sample (copying the image bytes when nothing changes).
  func encode(options: SlimOutputOptions, decoder: ImageDecoder) -> Result<Output, Failure> {
    let imageFile = root + "/" + imagePath
    let sourceCodec = ImageCodec(fileExtension: (imagePath as NSString).pathExtension) ?? .png
    let codec: ImageCodec
    switch options.imageCodec {
    case .auto: codec = sourceCodec
    case .png: codec = .png
    case .jpg: codec = .jpeg
    }
    var fields: [String: [UInt8]] = [:]
    var copied = false
    do throws(ImageCodecError) {
      if outputWidth == width && outputHeight == height && codec == sourceCodec {
        fields[SampleMember(imageCodec: codec).rawValue] = try decoder.readFile(imageFile)
        copied = true
      } else {
        guard case .uint8(let decoded) = try decoder.decode(contentsOf: imageFile).image else {
          return .failure(Failure(reason: "\(imageFile): 16-bit images cannot be slimmed (convert to 8-bit)"))
        }
        let rgb = decoded.channels == 3 || decoded.channels == 1 ? decoded : dropAlpha(decoded)
        let resized = ImageResampler.resize(rgb, width: outputWidth, height: outputHeight, kernel: options.kernel)
        fields[SampleMember(imageCodec: codec).rawValue] = codec == .png
          ? try options.pngEncoder.encode(resized)
          : try JPEGEncoder(quality: options.jpegQuality).encode(resized)
      }
    } catch {
      return .failure(Failure(reason: error.description))
    }
    let labels: Image8  // the sample's train ids
    do throws(DatasetError) {
      labels = try LabelFiles.convert(contentsOf: root + "/" + labelPath, labels: self.labels, decoder: decoder).labels.image
      guard labels.width == width && labels.height == height else {
        return .failure(Failure(reason: "\(root)/\(labelPath): label size differs from the image (changed since the scan)"))
      }
      let resized = options.labelResampling == .nearest
        ? NearestResampler.resize(labels, width: outputWidth, height: outputHeight)
        : ModeResampler.resize(labels, width: outputWidth, height: outputHeight)
      fields[SampleMember.label.rawValue] = try LabelFiles.encode(resized)
    } catch {
      return .failure(Failure(reason: error.description))
    }
    let metadata = SampleMetadata(
      key: key.rawValue, dataset: self.labels.format.rawValue, split: split.rawValue, image: imagePath, label: labelPath,
      labelSpace: self.labels.space.id, ignoreIndex: Int(LabelSpace.ignoreValue),
      originalSize: [width, height], size: [outputWidth, outputHeight], scale: scale, weight: weight, rank: rank,
      scores: scores)
    guard let json = try? metadata.encoded() else {
      return .failure(Failure(reason: "\(key): cannot encode the metadata as JSON"))
    }
    fields[SampleMember.metadata.rawValue] = json
    return .success(Output(fields: fields, copiedImage: copied))
  }

  private func dropAlpha(_ image: Image8) -> Image8 {
    let keep = image.channels == 2 ? 1 : 3
    var output = Image8(width: image.width, height: image.height, channels: keep)
    output.samples.withUnsafeMutableBufferPointer { target in
      image.samples.withUnsafeBufferPointer { source in
        for pixel in 0..<image.pixelCount {
          for c in 0..<keep { target[pixel * keep + c] = source[pixel * image.channels + c] }
        }
      }
    }
    return output
  }
}

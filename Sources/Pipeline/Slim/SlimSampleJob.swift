import DanceCore
import Datasets
import Foundation
public import ImageCodecs
import Shards

/// How images and labels are stored in the shards.
public struct SlimOutputOptions: Sendable, Equatable, Codable {
  /// The image codec of the shards.
  public enum Codec: String, Sendable, Codable, CaseIterable {
    /// Lossless PNG.
    case png
    /// JPEG at ``SlimOutputOptions/jpegQuality``.
    case jpg
    /// The source file's codec (so samples kept at scale 1 are copied byte for byte).
    case auto
  }

  /// Label resampling: nearest with centre alignment, or the majority of the footprint.
  public enum LabelResampling: String, Sendable, Codable, CaseIterable {
    /// `src = floor((dst + 0.5) · W / W')`.
    case nearest
    /// Majority over the source footprint, ignore excluded, ties to the smaller class.
    case mode
  }

  /// Image codec. Default auto.
  public var imageCodec: Codec = .auto
  /// JPEG quality 1…100. Default 95.
  public var jpegQuality = 95
  /// zlib level of image PNGs. Default 3 (fast).
  public var pngLevel = 3
  /// zlib strategy of image PNGs. Default run-length (``PNGEncoder/Strategy/rle``): about twice as
  /// fast as the standard search on photographs, for files a few per cent larger.
  public var pngStrategy: PNGEncoder.Strategy = .rle
  /// Image resampling kernel. Default area.
  public var kernel: ImageResampler.Kernel = .area
  /// Label resampling. Default nearest.
  public var labelResampling: LabelResampling = .nearest

  /// Creates options with the defaults above.
  public init() {}
}

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
        fields[codec.fileExtension] = try decoder.readFile(imageFile)
        copied = true
      } else {
        guard case .uint8(let decoded) = try decoder.decode(contentsOf: imageFile).image else {
          return .failure(Failure(reason: "\(imageFile): 16-bit images cannot be slimmed (convert to 8-bit)"))
        }
        let rgb = decoded.channels == 3 || decoded.channels == 1 ? decoded : dropAlpha(decoded)
        let resized = ImageResampler.resize(rgb, width: outputWidth, height: outputHeight, kernel: options.kernel)
        fields[codec.fileExtension] = codec == .png
          ? try PNGEncoder(compressionLevel: options.pngLevel, filter: .sub, strategy: options.pngStrategy).encode(resized)
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
      fields["seg.png"] = try LabelFiles.encode(resized)
    } catch {
      return .failure(Failure(reason: error.description))
    }
    let metadata = SampleMetadata(
      key: key.rawValue, dataset: self.labels.format.rawValue, split: split.rawValue, image: imagePath, label: labelPath,
      labelSpace: self.labels.space.id, ignoreIndex: Int(LabelSpace.ignoreValue),
      originalSize: [width, height], size: [outputWidth, outputHeight], scale: scale, weight: weight, rank: rank,
      scores: scores)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let json = try? encoder.encode(metadata) else {
      return .failure(Failure(reason: "\(key): cannot encode the metadata as JSON"))
    }
    fields["json"] = [UInt8](json)
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

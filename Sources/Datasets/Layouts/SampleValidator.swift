import DanceCore
public import ImageCodecs

/// What validating one sample found.
public struct SampleValidation: Sendable, Equatable {
  /// Image width in pixels, when the header could be read.
  public var width: Int?
  /// Image height in pixels, when the header could be read.
  public var height: Int?
  /// Everything wrong with the sample; empty when it is usable.
  public var problems: [LayoutProblem]

  /// Whether the sample is usable.
  public var isValid: Bool { problems.isEmpty }
}

/// Checks one sample's files: both present, the image header readable (or the whole image
/// decodable with ``verifiesImages``), the label decodable in its encoding's format, the same size
/// as the image, and free of values the label space does not define.
public struct SampleValidator: Sendable {
  /// Limits for every decode.
  public var decoder: ImageDecoder
  /// Decode every image fully instead of reading its header only (slower, catches corrupt pixel data).
  public var verifiesImages: Bool

  /// Creates a validator.
  public init(decoder: ImageDecoder = ImageDecoder(), verifiesImages: Bool = false) {
    self.decoder = decoder
    self.verifiesImages = verifiesImages
  }

  /// Validates `sample` whose paths are relative to `root`.
  public func validate(_ sample: DiscoveredSample, root: String) -> SampleValidation {
    var result = SampleValidation(width: nil, height: nil, problems: [])
    func problem(_ kind: LayoutProblem.Kind, _ path: String, _ detail: String) {
      result.problems.append(LayoutProblem(kind, path: path, sampleKey: sample.key, detail: detail))
    }
    do throws(ImageCodecError) {
      let path = root + "/" + sample.imagePath
      let header = verifiesImages ? try decoder.decode(contentsOf: path).header : try decoder.readHeader(contentsOf: path)
      result.width = header.width
      result.height = header.height
    } catch {
      problem(.undecodableImage, sample.imagePath, error.reason)
    }
    guard let labelPath = sample.labelPath else {
      problem(.missingLabel, sample.imagePath, "no label file for this image")
      return result
    }
    let label: DecodedImage
    do throws(ImageCodecError) {
      label = try decoder.decodeLabel(contentsOf: root + "/" + labelPath).image
    } catch {
      problem(.undecodableLabel, labelPath, error.reason)
      return result
    }
    switch sample.labelEncoding.trainIds(from: label) {
    case .failure(let mismatch):
      problem(.wrongLabelFormat, labelPath, mismatch.reason)
    case .success(let converted):
      if !converted.unknownValues.isEmpty {
        let listed = converted.unknownValues.sorted { $0.key < $1.key }.map { value, count in
          let shown = converted.isColorCoded
            ? "RGB(\(value >> 16),\(value >> 8 & 0xFF),\(value & 0xFF))" : "\(value)"
          return "\(shown) (\(count) px)"
        }
        problem(.unknownLabelValues, labelPath, "values outside \(sample.labelEncoding.id): " + listed.joined(separator: ", "))
      }
    }
    if let width = result.width, let height = result.height, width != label.width || height != label.height {
      problem(.sizeMismatch, labelPath, "label is \(label.width)×\(label.height), image is \(width)×\(height)")
    }
    return result
  }
}

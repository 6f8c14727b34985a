import Foundation
import ImageCodecs

/// What one member of a shard holds, as `dance verify` reads it: why it is unusable, or what the
/// checks across a sample's members need (a size, or the metadata).
enum MemberContent: Equatable {
  /// It does not decode, or is not what its field says.
  case unusable(String)
  /// An image of this size.
  case image(width: Int, height: Int)
  /// An 8-bit one-channel label map of this size.
  case label(width: Int, height: Int)
  /// Dance's ``SampleMetadata``.
  case metadata(SampleMetadata)
  /// A field Dance does not write; not checked.
  case other

  /// Decodes the member `name` of field `field`.
  static func inspect(field: String, bytes: [UInt8], name: String) -> MemberContent {
    let decoder = ImageDecoder(options: DecodeOptions(rejectsExtensionMismatch: false))
    switch SampleMember(rawValue: field) {
    case .label?:
      guard let label = try? decoder.decodeLabel(bytes, source: name) else { return .unusable("member \(name) does not decode") }
      guard label.image.channels == 1 && label.image.bitDepth == 8 else { return .unusable("member \(name) is not an 8-bit one-channel label map") }
      return .label(width: label.image.width, height: label.image.height)
    case .png?, .jpg?:
      guard let image = try? decoder.decode(bytes, source: name) else { return .unusable("member \(name) does not decode") }
      return .image(width: image.image.width, height: image.image.height)
    case .metadata?:
      guard (try? JSONSerialization.jsonObject(with: Data(bytes))) != nil else { return .unusable("member \(name) is not valid JSON") }
      do {
        return .metadata(try SampleMetadata(member: bytes))
      } catch {
        return .unusable("member \(name) is not Dance's sample metadata (\(Self.missingKey(error) ?? "a field has the wrong type"))")
      }
    case nil:
      return .other
    }
  }

  /// The key a decoding error names, e.g. `no "weight"`.
  private static func missingKey(_ error: any Error) -> String? {
    switch error as? DecodingError {
    case .keyNotFound(let key, _)?: "no \"\(key.stringValue)\""
    case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
      context.codingPath.last.map { "\"\($0.stringValue)\" has the wrong type" }
    default: nil
    }
  }
}

/// The members of one sample, checked against each other: the metadata names the sample's key and
/// split, gives the image's stored size, a finite positive loss weight and a scale in (0, 1]; the
/// label map has the image's size. Only members that decoded take part.
struct SampleConsistency {
  /// The sample key of the members.
  let key: String
  var imageSize: (width: Int, height: Int)?
  var labelSize: (width: Int, height: Int)?
  var metadata: SampleMetadata?

  init(key: String) { self.key = key }

  /// Takes in one member's content.
  mutating func record(_ content: MemberContent) {
    switch content {
    case .image(let width, let height): imageSize = (width, height)
    case .label(let width, let height): labelSize = (width, height)
    case .metadata(let metadata): self.metadata = metadata
    case .unusable, .other: break
    }
  }

  /// What the members say that does not agree, for a sample in a shard of `split`.
  func problems(split: String) -> [String] {
    var problems: [String] = []
    if let image = imageSize, let label = labelSize, image != label {
      problems.append("sample \(key): the label map is \(label.width)×\(label.height), the image \(image.width)×\(image.height)")
    }
    guard let metadata else { return problems }
    let json = "member \(key).\(SampleMember.metadata.rawValue)"
    if metadata.key != key { problems.append("\(json) names sample \(metadata.key)") }
    if metadata.split != split { problems.append("\(json) says split \(metadata.split), the shard is in \(split)") }
    if let image = imageSize, metadata.size != [image.width, image.height] {
      problems.append("\(json) gives size \(metadata.size), the image is \(image.width)×\(image.height)")
    }
    if !(metadata.weight.isFinite && metadata.weight > 0) { problems.append("\(json) gives loss weight \(metadata.weight), not a positive number") }
    if !(metadata.scale > 0 && metadata.scale <= 1) { problems.append("\(json) gives scale \(metadata.scale), not in (0, 1]") }
    return problems
  }
}

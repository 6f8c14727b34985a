import Catalog
import DanceCore
import Foundation
import ImageCodecs
import Shards

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
      do {
        return .metadata(try SampleMetadata(member: bytes))
      } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
        return .unusable("member \(name) is not valid JSON")  // the one parse found no JSON document
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

/// The checks of a shard's members as they stream past, one at a time: each against the catalog's
/// member rows (when verifying against a catalog), that it decodes, and each sample's members
/// against each other (``SampleConsistency``); after ``finish()``, every catalog row the shard
/// does not hold.
struct MemberChecks {
  /// The catalog's member rows of the shard, or nil.
  let catalogMembers: [MemberRecord]?
  /// The split the shard is in.
  let split: String
  /// What is wrong, in the order found.
  private(set) var problems: [String] = []
  /// The members seen.
  private(set) var count = 0
  private var found: Set<String> = []
  private var sample: SampleConsistency?  // the sample being read: its members come one after another

  init(catalogMembers: [MemberRecord]?, split: String) {
    self.catalogMembers = catalogMembers
    self.split = split
  }

  /// Checks one member.
  mutating func take(_ member: TarMember, content: [UInt8]) {
    let (key, field) = TarSampleGrouper.split(member.name) ?? (member.name, "")
    found.insert(key + "\u{0}" + field)
    if let catalogMembers,
      !catalogMembers.contains(where: { $0.sampleKey.rawValue == key && $0.field == field && $0.dataOffset == member.dataOffset && $0.size == member.size })
    {
      problems.append("member \(member.name) at \(member.dataOffset) (\(member.size) bytes) is not in the catalog as such")
    }
    count += 1
    let inspected = MemberContent.inspect(field: field, bytes: content, name: member.name)
    if case .unusable(let reason) = inspected { problems.append(reason) }
    if sample?.key != key {
      problems += sample?.problems(split: split) ?? []
      sample = SampleConsistency(key: key)
    }
    sample?.record(inspected)
  }

  /// Checks the last sample, and that the shard held every member the catalog lists.
  mutating func finish() {
    problems += sample?.problems(split: split) ?? []
    sample = nil
    for member in catalogMembers ?? [] where !found.contains(member.sampleKey.rawValue + "\u{0}" + member.field) {
      problems.append("the catalog lists \(member.sampleKey).\(member.field), the shard does not hold it")
    }
  }
}

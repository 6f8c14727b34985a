public import ImageCodecs
public import Shards

/// The members of one sample in a shard Dance writes, by field (the member name after `KEY.`):
/// the image (`png` or `jpg`), the train-id label map (`seg.png`) and the metadata (`json`,
/// ``SampleMetadata``). The one definition of these names: the writer, the reader, verify, the
/// exports and the trainer all go through it.
public enum SampleMember: String, CaseIterable, Sendable {
  /// A PNG image.
  case png
  /// A JPEG image.
  case jpg
  /// The 8-bit train-id label map (255 = ignore), always PNG.
  case label = "seg.png"
  /// The sample's ``SampleMetadata`` as JSON.
  case metadata = "json"

  /// The image members, in the order a reader looks for them.
  public static let images: [SampleMember] = [.png, .jpg]

  /// The image member of `codec`.
  public init(imageCodec codec: ImageCodec) {
    self = codec == .png ? .png : .jpg
  }

  /// The codec of an image member (`nil` for the label map and the metadata).
  public var imageCodec: ImageCodec? {
    switch self {
    case .png: .png
    case .jpg: .jpeg
    case .label, .metadata: nil
    }
  }
}

extension ShardSample {
  /// The bytes of `member`, if the sample has it.
  public subscript(member: SampleMember) -> [UInt8]? { fields[member.rawValue] }

  /// The sample's image member and its bytes (PNG first), if it has one.
  public var image: (member: SampleMember, bytes: [UInt8])? {
    SampleMember.images.lazy.compactMap { member in self[member].map { (member, $0) } }.first
  }
}

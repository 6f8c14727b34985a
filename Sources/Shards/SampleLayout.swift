/// Where one sample's members sit in a shard: the sample key and its members in archive order.
///
/// The writer returns one layout per sample it wrote; ``TarSampleGrouper`` rebuilds the same
/// layouts from the members a ``TarReader`` lists. The catalog stores these offsets, and the
/// DALI index is written from them.
public struct SampleLayout: Hashable, Sendable {
  /// The sample key: the member names without their first-dot suffix.
  public var key: String
  /// The members, in archive order (fields sorted by name for shards this target writes).
  public var members: [TarMember]

  /// Creates a layout.
  public init(key: String, members: [TarMember]) {
    self.key = key
    self.members = members
  }

  /// The field of each member (its name after `key.`), in archive order, e.g. `["jpg", "json", "seg.png"]`.
  public var fields: [String] { members.map(field(of:)) }

  /// The field of `member`: everything after the first dot of its basename, e.g. `seg.png`.
  public func field(of member: TarMember) -> String {
    TarSampleGrouper.split(member.name)?.field ?? ""
  }

  /// The member holding `field`, if the sample has one.
  public func member(field: String) -> TarMember? {
    members.first { self.field(of: $0) == field }
  }
}

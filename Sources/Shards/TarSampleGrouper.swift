/// Groups consecutive tar members into WebDataset samples by key.
///
/// The WebDataset rule: a member's key is its name up to the first `.` of the basename
/// (directories included), its field is the rest: `train/aachen_000000_000019.seg.png` has key
/// `train/aachen_000000_000019` and field `seg.png`. Consecutive members with the same key form
/// one sample; a key that comes back later starts a new sample. Unlike the Python reader, fields
/// are not lower-cased (shards written here have lower-case fields only) and a member without a
/// field is an error rather than skipped.
public enum TarSampleGrouper {
  /// Splits a member name into key and field at the first dot of the basename.
  ///
  /// - Returns: `nil` if the basename has no dot, or nothing before or after it.
  public static func split(_ name: String) -> (key: String, field: String)? {
    let bytes = Array(name.utf8)
    let basenameStart = (bytes.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
    guard let dot = bytes[basenameStart...].firstIndex(of: UInt8(ascii: ".")),
      dot > basenameStart, dot < bytes.count - 1
    else { return nil }
    return (String(decoding: bytes[..<dot], as: UTF8.self), String(decoding: bytes[(dot + 1)...], as: UTF8.self))
  }

  /// Groups `members` (in archive order) into samples.
  ///
  /// - Parameters:
  ///   - members: the archive's members, as ``TarReader/members()`` lists them.
  ///   - path: the archive path named in errors.
  /// - Returns: one layout per run of members sharing a key.
  /// - Throws: ``ShardError/invalidName(path:reason:)`` for a member without key or field,
  ///   ``ShardError/duplicateField(path:reason:)`` when a field repeats within one sample.
  public static func group(_ members: [TarMember], path: String = "<memory>") throws(ShardError) -> [SampleLayout] {
    var samples: [SampleLayout] = []
    var fields: [String: TarMember] = [:]
    for member in members {
      guard let (key, field) = split(member.name) else {
        throw .invalidName(
          path: path,
          reason: "member \"\(member.name)\" at offset \(member.headerOffset) has no key.field form"
        )
      }
      if let last = samples.last, last.key == key {
        if let previous = fields[field] {
          throw .duplicateField(
            path: path,
            reason: "sample \"\(key)\" has field \"\(field)\" twice (headers at offsets \(previous.headerOffset) and \(member.headerOffset))"
          )
        }
        samples[samples.count - 1].members.append(member)
      } else {
        samples.append(SampleLayout(key: key, members: [member]))
        fields.removeAll(keepingCapacity: true)
      }
      fields[field] = member
    }
    return samples
  }
}

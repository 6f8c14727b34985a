/// One WebDataset sample: a key and named byte fields, stored as members `<key>.<field>`.
///
/// Typical fields are `png` or `jpg` (the image), `seg.png` (the label map) and `json`
/// (metadata). Writers emit the fields sorted by name (byte-wise, like Python's `sorted`), so
/// the member order does not depend on dictionary order.
///
/// Naming rules, checked by ``validate(archive:)`` before anything is written:
/// - the key is non-empty, has no `.` (WebDataset splits the key at the first dot of the
///   basename), no leading or trailing `/`, no empty path component, no space or control
///   character (DALI index lines are space-separated), and no component that starts and ends
///   with `__` (readers skip such metadata entries);
/// - a field is non-empty, has no `/`, no space or control character, no ASCII upper-case
///   letter (readers lower-case fields), does not start with `_` (the reference writer drops
///   those) and does not start or end with a dot;
/// - every member name `<key>.<field>` is at most 100 bytes of UTF-8, the USTAR `name` field.
public struct ShardSample: Equatable, Sendable {
  /// The sample key, e.g. `cityscapes/train/aachen/aachen_000000_000019`.
  public var key: String
  /// The payload of each field, by field name (e.g. `"seg.png"`).
  public var fields: [String: [UInt8]]

  /// Creates a sample; nothing is validated until it is written (or ``validate(archive:)`` is called).
  public init(key: String, fields: [String: [UInt8]]) {
    self.key = key
    self.fields = fields
  }

  /// The field names in the order they are written: sorted by their UTF-8 bytes.
  public var sortedFieldNames: [String] {
    fields.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }

  /// The member name of `field`: `<key>.<field>`.
  public func memberName(field: String) -> String { key + "." + field }

  /// The total payload of all fields in bytes (headers and padding not counted).
  public var payloadSize: Int { fields.values.reduce(0) { $0 + $1.count } }

  /// The bytes the sample occupies in a tar archive: per member a 512-byte header plus the data
  /// padded to 512 bytes.
  public var archiveSize: Int {
    fields.values.reduce(0) { $0 + 512 + TarMember.paddedSize($1.count) }
  }

  /// Checks the key, the fields and the member-name lengths against the rules above.
  ///
  /// - Parameter archive: the archive path named in the error (`<memory>` by default).
  /// - Throws: ``ShardError/invalidKey(path:reason:)`` for a bad key or field (or no field at
  ///   all), ``ShardError/invalidName(path:reason:)`` for a member name over 100 bytes.
  public func validate(archive path: String = "<memory>") throws(ShardError) {
    try Self.validate(key: key, archive: path)
    guard !fields.isEmpty else {
      throw .invalidKey(path: path, reason: "sample \"\(key)\" has no fields")
    }
    for field in sortedFieldNames {
      if let problem = Self.problem(field: field) {
        throw .invalidKey(path: path, reason: "sample \"\(key)\": field \"\(field)\" \(problem)")
      }
      let name = memberName(field: field)
      if name.utf8.count > TarHeader.maximumNameLength {
        throw .invalidName(
          path: path,
          reason: "member name \"\(name)\" is \(name.utf8.count) bytes; plain USTAR allows at most 100"
        )
      }
    }
  }

  /// Checks a key alone against the WebDataset naming rules.
  ///
  /// - Throws: ``ShardError/invalidKey(path:reason:)`` naming the key and the broken rule.
  public static func validate(key: String, archive path: String = "<memory>") throws(ShardError) {
    func invalid(_ problem: String) -> ShardError {
      .invalidKey(path: path, reason: "key \"\(key)\" \(problem)")
    }
    if key.isEmpty { throw invalid("is empty") }
    if key.utf8.contains(UInt8(ascii: ".")) {
      throw invalid("contains a dot; WebDataset readers split the key at the first dot")
    }
    if key.hasPrefix("/") || key.hasSuffix("/") { throw invalid("starts or ends with \"/\"") }
    if key.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) { throw invalid("contains a control character") }
    if key.utf8.contains(0x20) { throw invalid("contains a space; DALI index lines are space-separated") }
    for component in key.split(separator: "/", omittingEmptySubsequences: false) {
      if component.isEmpty { throw invalid("has an empty path component") }
      if component.count >= 4 && component.hasPrefix("__") && component.hasSuffix("__") {
        throw invalid("has a component \"\(component)\" that readers skip as metadata (__name__)")
      }
    }
  }

  /// Why `field` is not a valid field name, or `nil` when it is.
  private static func problem(field: String) -> String? {
    if field.isEmpty { return "is empty" }
    if field.utf8.contains(UInt8(ascii: "/")) { return "contains \"/\"" }
    if field.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) { return "contains a space or control character" }
    if field.utf8.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
      return "has upper-case letters; WebDataset readers lower-case field names"
    }
    if field.hasPrefix("_") { return "starts with \"_\"; WebDataset writers drop such fields" }
    if field.hasPrefix(".") || field.hasSuffix(".") { return "starts or ends with a dot" }
    return nil
  }
}

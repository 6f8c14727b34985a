/// The identity of a sample across the catalog, the shards and external trainers.
///
/// A key is a relative path without dots (WebDataset splits a member name at the first dot of its
/// basename), made of `A–Z a–z 0–9 _ -` and `/`, at most ``maxLength`` bytes, e.g.
/// `cityscapes/train/aachen/aachen_000000_000019`. A name that had to be changed to fit (other
/// characters, or too long) gets `_` and 8 hex digits of a stable hash of the original, so two
/// different files never share a key by accident.
///
/// Keys flow between the layouts, the catalog, the planner, the audit and the trainer as this type;
/// their stored forms are the key text alone: a TEXT column in the catalog (the `Catalog` target
/// conforms the type to GRDB's `DatabaseValueConvertible`) and a plain JSON string (single-value
/// `Codable`; as a dictionary key, a JSON object's key). The tar layer (`Shards`) keeps member names
/// as strings: a shard's key is any string, and ``rawValue`` converts at that boundary.
public struct SampleKey: RawRepresentable, Hashable, Comparable, Sendable, Codable, CodingKeyRepresentable,
  CustomStringConvertible, ExpressibleByStringInterpolation
{
  /// The longest key in bytes, so that key + `.` + the longest field (`seg.png`) stays far below
  /// the 100-byte USTAR name limit.
  public static let maxLength = 80

  /// The key text.
  public let rawValue: String

  /// Wraps an existing key (read back from a catalog or a shard); no sanitising.
  public init(rawValue: String) { self.rawValue = rawValue }

  /// Wraps a key written as a literal (tests, fixtures); no sanitising. Keys of files are made by
  /// ``init(prefix:relativePath:)``.
  public init(stringLiteral value: String) { self.init(rawValue: value) }

  /// Decodes the key from a plain JSON string.
  public init(from decoder: any Decoder) throws {
    self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
  }

  /// Encodes the key as a plain JSON string.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }

  /// The key as a JSON object's key, so that a dictionary keyed by sample keys encodes as an object.
  public var codingKey: any CodingKey { SampleKeyCodingKey(stringValue: rawValue) }

  /// The key a JSON object's key names.
  public init?<T: CodingKey>(codingKey: T) { self.init(rawValue: codingKey.stringValue) }

  /// The key of a file at `relativePath` (no extension) under the given prefix components.
  public init(prefix: [String], relativePath: String) {
    let original = (prefix + [relativePath]).joined(separator: "/")
    var sanitized = ""
    var changed = false
    for scalar in original.unicodeScalars {
      switch scalar {
      case "A"..."Z", "a"..."z", "0"..."9", "_", "-", "/":
        sanitized.unicodeScalars.append(scalar)
      default:
        sanitized.append("_")
        changed = true
      }
    }
    let suffixLength = 9
    if sanitized.utf8.count > Self.maxLength {
      sanitized = String(sanitized.utf8.prefix(Self.maxLength - suffixLength))!
      changed = true
    }
    rawValue = changed ? sanitized + "_" + stableHashHex(original) : sanitized
  }

  /// Sorts by the key text.
  public static func < (lhs: SampleKey, rhs: SampleKey) -> Bool { lhs.rawValue < rhs.rawValue }

  /// The key text.
  public var description: String { rawValue }
}

/// 64-bit FNV-1a of the UTF-8 bytes: stable across runs, machines and Swift versions (unlike
/// `Hasher`), used for key suffixes and partitioning.
public func stableHash(_ text: String) -> UInt64 {
  var hash: UInt64 = 0xCBF2_9CE4_8422_2325
  for byte in text.utf8 {
    hash ^= UInt64(byte)
    hash &*= 0x0000_0100_0000_01B3
  }
  return hash
}

/// The first 8 hex digits of ``stableHash(_:)``.
public func stableHashHex(_ text: String) -> String {
  let hex = String(stableHash(text), radix: 16)
  return String((String(repeating: "0", count: 16 - hex.count) + hex).prefix(8))
}

/// The coding key of a ``SampleKey`` used as a dictionary key.
private struct SampleKeyCodingKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

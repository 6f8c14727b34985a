import Foundation

/// The wids shard index, `shardindex.json`: every shard's URL, sample count, size and MD5.
///
/// Rendered exactly as `widsindex create` writes it, i.e. Python's
/// `json.dumps(index, indent=2, sort_keys=True)` (ASCII only, no trailing newline), with the
/// shard list sorted by URL:
///
/// ```json
/// {
///   "__kind__": "wids-shard-index-v1",
///   "name": "cityscapes-train",
///   "shardlist": [
///     {
///       "filesize": 10240,
///       "md5sum": "fd5589ea52ee344efbd9a7c7036af0cd",
///       "nsamples": 1,
///       "url": "train-000000.tar"
///     }
///   ],
///   "wids_version": 1
/// }
/// ```
///
/// URLs are relative to the index file's directory, which is how wids resolves them.
public struct ShardIndexJSON: Hashable, Sendable {
  /// The conventional file name, `shardindex.json`.
  public static let defaultFileName = "shardindex.json"

  /// One entry of the shard list.
  public struct Shard: Hashable, Sendable {
    /// The shard's URL, usually its file name relative to the index.
    public var url: String
    /// The number of samples (key groups) in the shard; wids maps global indices with it.
    public var sampleCount: Int
    /// The shard's size in bytes.
    public var byteCount: Int
    /// The shard's lowercase hexadecimal MD5, or `nil` to leave `md5sum` out.
    public var md5: String?

    /// Creates an entry.
    public init(url: String, sampleCount: Int, byteCount: Int, md5: String? = nil) {
      self.url = url
      self.sampleCount = sampleCount
      self.byteCount = byteCount
      self.md5 = md5
    }
  }

  /// The dataset name (`name`).
  public var name: String
  /// The shards, in any order (rendering sorts them by URL).
  public var shards: [Shard]

  /// Creates an index from explicit entries.
  public init(name: String, shards: [Shard]) {
    self.name = name
    self.shards = shards
  }

  /// Creates an index of finished shards, each referenced by its file name.
  public init(name: String, finishedShards: [FinishedShard]) {
    self.init(
      name: name,
      shards: finishedShards.map {
        Shard(url: $0.fileName, sampleCount: $0.sampleCount, byteCount: $0.byteCount, md5: $0.md5)
      })
  }

  /// The JSON text, byte-identical to Python's `json.dumps(…, indent=2, sort_keys=True)`.
  public func rendered() -> String {
    let sorted = shards.sorted { $0.url.utf8.lexicographicallyPrecedes($1.url.utf8) }
    var lines = ["{", "  \"__kind__\": \"wids-shard-index-v1\",", "  \"name\": \(Self.quoted(name)),"]
    if sorted.isEmpty {
      lines.append("  \"shardlist\": [],")
    } else {
      lines.append("  \"shardlist\": [")
      for (position, shard) in sorted.enumerated() {
        lines.append("    {")
        lines.append("      \"filesize\": \(shard.byteCount),")
        if let md5 = shard.md5 { lines.append("      \"md5sum\": \(Self.quoted(md5)),") }
        lines.append("      \"nsamples\": \(shard.sampleCount),")
        lines.append("      \"url\": \(Self.quoted(shard.url))")
        lines.append(position == sorted.count - 1 ? "    }" : "    },")
      }
      lines.append("  ],")
    }
    lines.append("  \"wids_version\": 1")
    lines.append("}")
    return lines.joined(separator: "\n")
  }

  /// Writes ``rendered()`` to `path` atomically (temporary file, `fsync`, rename).
  ///
  /// - Throws: ``ShardError/io(path:reason:)`` if writing fails.
  public func write(to path: String) throws(ShardError) {
    try PosixFile.writeAtomically(Array(rendered().utf8), to: path)
  }

  /// A JSON string literal escaped as Python's `json.dumps` does with `ensure_ascii=True`.
  static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case "\u{08}": result += "\\b"
      case "\u{0C}": result += "\\f"
      case " "..."~": result.unicodeScalars.append(scalar)
      default:
        for unit in String(scalar).utf16 {
          let hex = String(unit, radix: 16)
          result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
      }
    }
    return result + "\""
  }
}

extension ShardIndexJSON {
  /// The JSON form of an index, as wids and ``rendered()`` spell it.
  private struct Document: Decodable {
    struct Entry: Decodable {
      var url: String
      var nsamples: Int
      var filesize: Int
      var md5sum: String?
    }
    var name: String?
    var shardlist: [Entry]
  }

  /// Parses an index (wids' `shardlist` of `url`, `nsamples`, `filesize` and optional `md5sum`).
  ///
  /// - Parameter path: the file the bytes came from, for errors.
  /// - Throws: ``ShardError/corruptHeader(path:reason:)`` when the bytes are not a wids index or
  ///   an entry lacks one of its fields.
  public init(parsing bytes: [UInt8], path: String) throws(ShardError) {
    let document: Document
    do { document = try JSONDecoder().decode(Document.self, from: Data(bytes)) } catch {
      throw .corruptHeader(path: path, reason: "not a wids shard index (a shardlist of url, filesize and nsamples): \(error)")
    }
    self.init(
      name: document.name ?? "",
      shards: document.shardlist.map { Shard(url: $0.url, sampleCount: $0.nsamples, byteCount: $0.filesize, md5: $0.md5sum) })
  }
}

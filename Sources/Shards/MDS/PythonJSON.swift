/// A JSON value rendered exactly as Python's `json.dumps(value, sort_keys=True)` renders it:
/// keys sorted, separators `", "` and `": "`, no indentation, ASCII only. MosaicML Streaming writes
/// its `index.json` and shard configs this way, and the bytes of an MDS shard include the config.
public indirect enum PythonJSON: Sendable, Equatable {
  /// `null`.
  case null
  /// An integer.
  case int(Int)
  /// A string.
  case string(String)
  /// An array.
  case array([PythonJSON])
  /// An object; rendered with its keys sorted.
  case object([String: PythonJSON])

  /// The rendered text.
  public var rendered: String {
    switch self {
    case .null: "null"
    case .int(let value): String(value)
    case .string(let text): ShardIndexJSON.quoted(text)
    case .array(let items): "[" + items.map(\.rendered).joined(separator: ", ") + "]"
    case .object(let members):
      "{" + members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }.map { key in
        ShardIndexJSON.quoted(key) + ": " + members[key]!.rendered
      }.joined(separator: ", ") + "}"
    }
  }
}

import Foundation

/// One column of an MDS dataset: its name and its MosaicML Streaming encoding.
public struct MDSColumn: Sendable, Equatable {
  /// The encodings this writer stores, with their fixed sizes (`nil`: variable size).
  public static let encodings: [String: Int?] = ["bytes": nil, "str": nil, "png": nil, "jpeg": nil, "float32": 4, "int32": 4]

  /// The column name.
  public var name: String
  /// The encoding, e.g. `png`, `str`, `float32`.
  public var encoding: String

  /// Creates a column; the encoding must be one of ``encodings``.
  public init(_ name: String, _ encoding: String) {
    self.name = name
    self.encoding = encoding
  }

  /// The fixed byte size of the encoding, or `nil` for a variable-size one.
  var fixedSize: Int? { Self.encodings[encoding] ?? nil }
}

/// One value of an MDS sample.
public enum MDSValue: Sendable, Equatable {
  /// Already-encoded bytes (`bytes`, `png`, `jpeg`: a PNG or JPEG file's bytes).
  case bytes([UInt8])
  /// UTF-8 text (`str`).
  case string(String)
  /// A 32-bit float, little-endian (`float32`).
  case float32(Float)
  /// A 32-bit integer, little-endian (`int32`).
  case int32(Int32)

  var encoded: [UInt8] {
    switch self {
    case .bytes(let bytes): bytes
    case .string(let text): Array(text.utf8)
    case .float32(let value): withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init)
    case .int32(let value): withUnsafeBytes(of: value.littleEndian, Array.init)
    }
  }
}

/// Writes a MosaicML Streaming (MDS, version 2) dataset: `shard.00000.mds`, … and `index.json`,
/// byte for byte as `streaming.MDSWriter` writes them without compression or hashes.
///
/// A shard file is a `uint32` sample count, `count + 1` `uint32` absolute sample offsets, the
/// config JSON, then the samples; a sample is one `uint32` size per variable-size column followed
/// by the column payloads, columns in alphabetical order. Shards roll over exactly as the Python
/// writer's do: before adding a sample of `L` bytes when `sizeLimit < shardSize + L + 4`
/// (formats.md §B2).
public struct MDSWriter {
  /// The default shard size limit of the Python writer, 64 MiB.
  public static let defaultSizeLimit = 1 << 26

  /// The dataset directory.
  public let directory: String
  /// The columns, sorted by name.
  public let columns: [MDSColumn]
  /// The shard size limit in bytes (below 2^32).
  public let sizeLimit: Int
  private let config: [UInt8]
  private var samples: [[UInt8]] = []
  private var shardSize: Int
  private var shards: [PythonJSON] = []

  /// Called with each file's name (`shard.00000.mds`, `index.json`) before the file is written,
  /// so a caller can record or refuse it.
  public var beforeWriting: ((String) throws(ShardError) -> Void)?

  /// Starts a dataset in `directory` (which must exist).
  /// - Throws: ``ShardError/invalidConfiguration(path:reason:)`` for an unknown encoding, duplicate column or a bad limit.
  public init(directory: String, columns: [MDSColumn], sizeLimit: Int = defaultSizeLimit) throws(ShardError) {
    let sorted = columns.sorted { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }
    for column in sorted where MDSColumn.encodings[column.encoding] == nil {
      throw .invalidConfiguration(path: directory, reason: "MDS column '\(column.name)': unsupported encoding '\(column.encoding)'")
    }
    guard Set(sorted.map(\.name)).count == sorted.count, !sorted.isEmpty else {
      throw .invalidConfiguration(path: directory, reason: "MDS columns must be non-empty and have distinct names")
    }
    guard sizeLimit > 0, sizeLimit < 1 << 32 else {
      throw .invalidConfiguration(path: directory, reason: "the MDS shard size limit must be between 1 and 2^32 - 1 bytes")
    }
    self.directory = directory
    self.columns = sorted
    self.sizeLimit = sizeLimit
    config = Array(Self.configuration(sorted, sizeLimit: sizeLimit).rendered.utf8)
    shardSize = 8 + config.count
  }

  /// Adds one sample: a value for every column.
  /// - Throws: ``ShardError/invalidConfiguration(path:reason:)`` for a missing or mistyped value, and
  ///   ``ShardError/io(path:reason:)`` when a full shard cannot be written.
  public mutating func write(_ sample: [String: MDSValue], key: String) throws(ShardError) {
    var sizes: [UInt8] = []
    var payload: [UInt8] = []
    for column in columns {
      guard let value = sample[column.name] else { throw .invalidConfiguration(path: directory, reason: "sample \(key): no value for MDS column '\(column.name)'") }
      let bytes = value.encoded
      if let fixed = column.fixedSize {
        guard bytes.count == fixed else {
          throw .invalidConfiguration(path: directory, reason: "sample \(key): MDS column '\(column.name)' (\(column.encoding)) takes \(fixed) bytes")
        }
      } else {
        sizes += Self.uint32(bytes.count)
      }
      payload += bytes
    }
    let encoded = sizes + payload
    // A sample never shares a shard it does not fit, and a shard never exceeds the limit: a sample
    // too large for a shard of its own is refused (no empty shard, no shard over the limit).
    guard 8 + config.count + encoded.count + 4 <= sizeLimit else {
      throw .invalidConfiguration(
        path: directory,
        reason: "sample \(key) needs \(8 + config.count + encoded.count + 4) bytes in a shard of its own, more than the shard size "
          + "limit of \(sizeLimit) bytes; give a larger limit")
    }
    if sizeLimit < shardSize + encoded.count + 4 { try flush() }
    samples.append(encoded)
    shardSize += encoded.count + 4
  }

  /// Writes the last shard and `index.json`.
  public mutating func finish() throws(ShardError) {
    if !samples.isEmpty { try flush() }
    try beforeWriting?("index.json")
    let index = PythonJSON.object(["shards": .array(shards), "version": .int(2)])
    try PosixFile.writeAtomically(Array(index.rendered.utf8), to: directory + "/index.json")
  }

  private mutating func flush() throws(ShardError) {
    let basename = "shard." + String(repeating: "0", count: max(0, 5 - String(shards.count).count)) + String(shards.count) + ".mds"
    var offsets: [Int] = []
    var position = 4 + 4 * (samples.count + 1) + config.count
    offsets.append(position)
    for sample in samples {
      position += sample.count
      offsets.append(position)
    }
    var file = Self.uint32(samples.count)
    file.reserveCapacity(position)
    for offset in offsets { file += Self.uint32(offset) }
    file += config
    for sample in samples { file += sample }
    try beforeWriting?(basename)
    try PosixFile.writeAtomically(file, to: directory + "/" + basename)
    guard case .object(var entry) = Self.configuration(columns, sizeLimit: sizeLimit) else { return }
    entry["raw_data"] = .object(["basename": .string(basename), "bytes": .int(file.count), "hashes": .object([:])])
    entry["samples"] = .int(samples.count)
    entry["zip_data"] = .null
    shards.append(.object(entry))
    samples = []
    shardSize = 8 + config.count
  }

  /// The config every shard embeds (and its index entry starts from).
  static func configuration(_ columns: [MDSColumn], sizeLimit: Int) -> PythonJSON {
    .object([
      "column_encodings": .array(columns.map { .string($0.encoding) }),
      "column_names": .array(columns.map { .string($0.name) }),
      "column_sizes": .array(columns.map { $0.fixedSize.map(PythonJSON.int) ?? .null }),
      "compression": .null, "format": .string("mds"), "hashes": .array([]), "size_limit": .int(sizeLimit),
      "version": .int(2),
    ])
  }

  static func uint32(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(value).littleEndian, Array.init) }
}

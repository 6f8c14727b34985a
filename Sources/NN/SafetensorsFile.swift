import DanceCore
import Foundation
public import Tensors

/// The contents of a safetensors file: named little-endian tensors and string metadata.
///
/// Layout (huggingface/safetensors): an 8-byte little-endian header length `H`, `H` bytes of JSON
/// `{"__metadata__": {…}, "<name>": {"dtype": "F32", "shape": […], "data_offsets": [begin, end]}, …}`
/// (padded with spaces to a multiple of 8), then the data buffer, offsets relative to its start.
/// Written tensors are sorted by name and packed without gaps; readers here accept any order but
/// reject overlaps, holes and out-of-range offsets. Supported dtypes: `F32`, `I64`.
public struct SafetensorsFile: Equatable {
  /// One stored tensor.
  public struct Entry: Equatable {
    /// The element type as named in the header.
    public var dtype: DType
    /// The shape; `[]` is a scalar.
    public var shape: [Int]
    /// The raw little-endian bytes.
    public var bytes: [UInt8]

    /// A float32 tensor.
    public init(_ tensor: Tensor) {
      dtype = .f32
      shape = tensor.shape
      bytes = tensor.storage.withUnsafeBytes { Array($0) }
    }

    /// A scalar int64.
    public init(scalar value: Int64) {
      dtype = .i64
      shape = []
      bytes = withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// Creates an entry from raw parts; `bytes.count` must be `dtype.size · Π shape`.
    public init(dtype: DType, shape: [Int], bytes: [UInt8]) {
      precondition(SafetensorsFile.byteCount(dtype, shape) == bytes.count, "entry of \(bytes.count) bytes for \(dtype) \(shape)")
      self.dtype = dtype
      self.shape = shape
      self.bytes = bytes
    }

    /// The values as a float32 tensor, or nil if the dtype is not `F32`.
    public var tensor: Tensor? {
      guard dtype == .f32 else { return nil }
      let values = bytes.withUnsafeBytes { raw in
        (0..<raw.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
      }
      return Tensor(shape: shape, storage: values)
    }

    /// The value of a one-element `I64` entry, or nil.
    public var int64: Int64? {
      guard dtype == .i64, bytes.count == 8 else { return nil }
      return bytes.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }
    }
  }

  /// The element types this reader and writer handle.
  public enum DType: String, Sendable {
    /// IEEE float32.
    case f32 = "F32"
    /// Signed 64-bit integer.
    case i64 = "I64"
    /// Bytes per element.
    public var size: Int { self == .f32 ? 4 : 8 }
  }

  /// The tensors by name.
  public var entries: [String: Entry]
  /// The `__metadata__` map.
  public var metadata: [String: String]

  /// Creates a file from entries and metadata.
  public init(entries: [String: Entry] = [:], metadata: [String: String] = [:]) {
    self.entries = entries
    self.metadata = metadata
  }

  /// The integer a JSON number holds, or nil for a fraction, a non-finite value or one beyond 64 bits.
  static func integer(_ number: NSNumber) -> Int? {
    let value = number.doubleValue
    guard value.isFinite, value == value.rounded(), abs(value) < 9.2e18 else { return nil }
    return Int(number.int64Value)
  }

  /// `dtype.size · Π shape`, or nil when a side is negative or the product overflows.
  public static func byteCount(_ dtype: DType, _ shape: [Int]) -> Int? {
    var count = dtype.size
    for side in shape {
      guard side >= 0 else { return nil }
      let (product, overflow) = count.multipliedReportingOverflow(by: side)
      if overflow { return nil }
      count = product
    }
    return count
  }

  /// The serialized bytes.
  public func serialized() -> [UInt8] {
    var header: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map { "\(jsonStringLiteral($0)):\(jsonStringLiteral(metadata[$0]!))" }
      header.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    let names = entries.keys.sorted()
    for name in names {
      let entry = entries[name]!
      let shape = entry.shape.map(String.init).joined(separator: ",")
      header.append("\(jsonStringLiteral(name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + entry.bytes.count)]}")
      offset += entry.bytes.count
    }
    var json = Array(("{" + header.joined(separator: ",") + "}").utf8)
    while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
    var bytes = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) }
    bytes.reserveCapacity(8 + json.count + offset)
    bytes += json
    for name in names { bytes += entries[name]!.bytes }
    return bytes
  }

  /// Writes the file to `path` atomically: a reader (or a run killed mid-write) sees either the old
  /// file or the new one, never a mix.
  public func write(to path: String) throws(CheckpointError) {
    do {
      try Data(serialized()).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw .io(path: path, reason: "cannot write: \(error.localizedDescription)")
    }
  }

  /// Reads and validates the file at `path`.
  public static func read(from path: String) throws(CheckpointError) -> SafetensorsFile {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw .io(path: path, reason: "cannot read: \(error.localizedDescription)")
    }
    return try SafetensorsFile(bytes: [UInt8](data), path: path)
  }

  /// Parses and validates serialized bytes; `path` names them in errors.
  public init(bytes: [UInt8], path: String) throws(CheckpointError) {
    func fail(_ reason: String) -> CheckpointError { .malformed(path: path, reason: reason) }
    guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes, shorter than the 8-byte header length") }
    let headerLength = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    guard headerLength <= UInt64(bytes.count - 8), headerLength <= 100_000_000 else {
      throw fail("header length \(headerLength) exceeds the file (\(bytes.count) bytes)")
    }
    let dataStart = 8 + Int(headerLength)
    guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])), let header = object as? [String: Any] else {
      throw fail("the header is not a JSON object")
    }
    var metadata: [String: String] = [:]
    var entries: [String: Entry] = [:]
    var ranges: [(Int, Int, String)] = []
    for (name, value) in header {
      if name == "__metadata__" {
        guard let map = value as? [String: Any], let strings = map as? [String: String] else { throw fail("__metadata__ must map strings to strings") }
        metadata = strings
        continue
      }
      guard let info = value as? [String: Any], let dtypeName = info["dtype"] as? String,
            let shapeValues = info["shape"] as? [NSNumber], let offsetValues = info["data_offsets"] as? [NSNumber], offsetValues.count == 2
      else { throw fail("tensor \"\(name)\" needs dtype, shape and two data_offsets") }
      guard let dtype = DType(rawValue: dtypeName) else { throw fail("tensor \"\(name)\" has unsupported dtype \(dtypeName)") }
      let exact = (shapeValues + offsetValues).compactMap(Self.integer)
      guard exact.count == shapeValues.count + 2 else { throw fail("tensor \"\(name)\" has a shape or an offset that is not an integer") }
      let shape = Array(exact.dropLast(2)), begin = exact[exact.count - 2], end = exact[exact.count - 1]
      guard shape.allSatisfy({ $0 >= 0 }), begin >= 0, end >= begin, end <= bytes.count - dataStart else {
        throw fail("tensor \"\(name)\" has offsets [\(begin), \(end)] outside the \(bytes.count - dataStart)-byte buffer")
      }
      guard let needed = Self.byteCount(dtype, shape) else {
        throw fail("tensor \"\(name)\" has shape \(shape), too large for any file")
      }
      guard end - begin == needed else {
        throw fail("tensor \"\(name)\" holds \(end - begin) bytes, but \(dtypeName) \(shape) needs \(needed)")
      }
      entries[name] = Entry(dtype: dtype, shape: shape, bytes: Array(bytes[(dataStart + begin)..<(dataStart + end)]))
      ranges.append((begin, end, name))
    }
    var position = 0
    for (begin, end, name) in ranges.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
      guard begin == position else { throw fail("tensor \"\(name)\" starts at \(begin), expected \(position) (overlap or hole)") }
      position = end
    }
    guard position == bytes.count - dataStart else { throw fail("\(bytes.count - dataStart - position) trailing bytes after the last tensor") }
    self.entries = entries
    self.metadata = metadata
  }
}

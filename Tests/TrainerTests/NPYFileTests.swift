import Foundation
import Tensors
import Testing
@testable import Trainer

/// `.npy` files of `dance predict --logits`, read back by a reader of the format written here
/// (NumPy reads them in `make test`'s ONNX check).
@Suite struct NPYFileTests {
  /// The shape and values of a version 1.0 little-endian float32 `.npy`.
  static func read(_ bytes: [UInt8]) throws -> (shape: [Int], values: [Float]) {
    try #require(Array(bytes[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
    let length = Int(bytes[8]) | Int(bytes[9]) << 8
    try #require((10 + length) % 64 == 0, "the data starts 64-byte aligned")
    let header = String(decoding: bytes[10..<(10 + length)], as: UTF8.self)
    try #require(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (") && header.hasSuffix("\n"))
    let inside = header.split(separator: "(")[1].split(separator: ")")[0]
    let shape = inside.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let values = stride(from: 10 + length, to: bytes.count, by: 4).map { offset in
      Float(bitPattern: UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
    }
    return (shape, values)
  }

  @Test(arguments: [[3], [2, 3, 4], [1, 19, 5, 7]])
  func tensorsRoundTripAndEncodeTheSameBytesTwice(shape: [Int]) throws {
    let count = shape.reduce(1, *)
    let tensor = Tensor(shape: shape, storage: (0..<count).map { Float($0) * 0.37 - 2 })
    let bytes = NPYFile.encode(tensor)
    let (readShape, values) = try Self.read(bytes)
    #expect(readShape == shape && values == tensor.storage)
    #expect(NPYFile.encode(tensor) == bytes)
  }
}

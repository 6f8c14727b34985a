import Foundation
public import Tensors

/// NumPy's `.npy` format (version 1.0) for float32 tensors, so that Python reads Dance's logits
/// with `numpy.load`: the magic `\x93NUMPY`, the version, a little-endian header length, the header
/// dictionary (`descr '<f4'`, C order, the shape) padded with spaces to a multiple of 64 bytes and
/// ending in a newline, then the values in little-endian order.
public enum NPYFile {
  /// The bytes of `tensor` as a `.npy` file with `tensor`'s shape.
  public static func encode(_ tensor: Tensor) -> [UInt8] {
    let shape = tensor.shape.map(String.init).joined(separator: ", ") + (tensor.shape.count == 1 ? "," : "")
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape)), }"
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    bytes += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
    bytes += Array(header.utf8)
    bytes.reserveCapacity(bytes.count + tensor.count * 4)
    for value in tensor.storage { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
    return bytes
  }
}

public import Tensors

/// Joins `[N, Cᵢ, H, W]` tensors along the channel axis into `[N, ΣCᵢ, H, W]`.
public func concatChannels(_ inputs: [Tensor]) -> Tensor {
  precondition(!inputs.isEmpty, "concatChannels of nothing")
  let first = inputs[0].shape
  precondition(inputs.allSatisfy { $0.rank == 4 && $0.shape[0] == first[0] && $0.shape[2] == first[2] && $0.shape[3] == first[3] },
               "concatChannels: mismatched shapes \(inputs.map(\.shape))")
  let n = first[0], plane = first[2] * first[3]
  let total = inputs.reduce(0) { $0 + $1.shape[1] }
  return Tensor(shape: [n, total, first[2], first[3]]) { y in
    for image in 0..<n {
      var channel = 0
      for input in inputs {
        let c = input.shape[1]
        input.withUnsafeBufferPointer { x in
          (y.baseAddress! + (image * total + channel) * plane)
            .update(from: x.baseAddress! + image * c * plane, count: c * plane)
        }
        channel += c
      }
    }
  }
}

/// Splits a `[N, ΣCᵢ, H, W]` tensor into `[N, Cᵢ, H, W]` parts: the adjoint of ``concatChannels(_:)``.
public func splitChannels(_ input: Tensor, sizes: [Int]) -> [Tensor] {
  precondition(input.rank == 4 && sizes.reduce(0, +) == input.shape[1], "splitChannels: \(input.shape) into \(sizes)")
  let n = input.shape[0], total = input.shape[1], plane = input.shape[2] * input.shape[3]
  var channel = 0
  return sizes.map { c in
    defer { channel += c }
    let start = channel
    return Tensor(shape: [n, c, input.shape[2], input.shape[3]]) { y in
      input.withUnsafeBufferPointer { x in
        for image in 0..<n {
          (y.baseAddress! + image * c * plane).update(from: x.baseAddress! + (image * total + start) * plane, count: c * plane)
        }
      }
    }
  }
}

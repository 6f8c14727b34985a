import Foundation

/// A dense float32 tensor in row-major order; 4-D tensors are images in NCHW layout.
///
/// Dimension letters used throughout `Tensors` and `NN`: N = batch, C = channels, H = height,
/// W = width, K = classes. A `[N, C, H, W]` tensor stores element `(n, c, h, w)` at
/// `((n * C + c) * H + h) * W + w`. `Tensor` is a value type with copy-on-write storage.
public struct Tensor: Sendable, Equatable {
  /// The extent of each dimension, outermost first.
  public private(set) var shape: [Int]
  /// The elements in row-major order; `storage.count` is the product of `shape`.
  public var storage: [Float]

  /// Creates a tensor of `shape` filled with `value`.
  public init(shape: [Int], repeating value: Float = 0) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
    self.shape = shape
    self.storage = [Float](repeating: value, count: shape.reduce(1, *))
  }

  /// Creates a tensor of `shape` over `storage`, which must hold exactly the product of `shape`.
  public init(shape: [Int], storage: [Float]) {
    precondition(shape.reduce(1, *) == storage.count, "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(storage.count)")
    self.shape = shape
    self.storage = storage
  }

  /// Creates a tensor of `shape` whose elements `initializer` writes; every element must be written.
  public init(shape: [Int], unsafeUninitialized initializer: (UnsafeMutableBufferPointer<Float>) -> Void) {
    let count = shape.reduce(1, *)
    self.shape = shape
    self.storage = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      initializer(buffer)
      initialized = count
    }
  }

  /// Creates a tensor with normally distributed elements of mean 0 and standard deviation `std`.
  public static func randomNormal<G: RandomNumberGenerator>(
    shape: [Int], std: Float = 1, using generator: inout G
  ) -> Tensor {
    var values = [Float]()
    let count = shape.reduce(1, *)
    values.reserveCapacity(count + 1)
    while values.count < count {
      // Box–Muller: two uniforms in (0, 1] give two independent normals.
      let u1 = Double.random(in: Double.ulpOfOne...1, using: &generator)
      let u2 = Double.random(in: 0..<1, using: &generator)
      let radius = (-2 * log(u1)).squareRoot()
      values.append(Float(radius * cos(2 * .pi * u2)) * std)
      values.append(Float(radius * sin(2 * .pi * u2)) * std)
    }
    values.removeLast(values.count - count)
    return Tensor(shape: shape, storage: values)
  }

  /// The number of elements.
  public var count: Int { storage.count }

  /// The number of dimensions.
  public var rank: Int { shape.count }

  /// The element at `(n, c, h, w)` of a `[N, C, H, W]` tensor.
  public subscript(n: Int, c: Int, h: Int, w: Int) -> Float {
    get { storage[offset(n, c, h, w)] }
    set { storage[offset(n, c, h, w)] = newValue }
  }

  private func offset(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int {
    precondition(shape.count == 4, "4-D subscript on a tensor of shape \(shape)")
    return ((n * shape[1] + c) * shape[2] + h) * shape[3] + w
  }

  /// Calls `body` with a pointer to the elements.
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
    try storage.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with a mutable pointer to the elements.
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    try storage.withUnsafeMutableBufferPointer(body)
  }

  /// Adds `other` element-wise; the shapes must match.
  public mutating func add(_ other: Tensor) {
    precondition(shape == other.shape, "add: shape \(shape) vs \(other.shape)")
    storage.withUnsafeMutableBufferPointer { a in
      other.storage.withUnsafeBufferPointer { b in
        BatchParallel.forElements(a.count) { range in
          VectorKernels.add(b.baseAddress! + range.lowerBound, into: a.baseAddress! + range.lowerBound, count: range.count)
        }
      }
    }
  }

  /// Sets every element to zero, keeping the shape.
  public mutating func zero() {
    storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
  }
}

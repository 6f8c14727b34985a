public import Tensors

/// A differentiable map from one `[N, C, H, W]` tensor to another.
///
/// `forward` caches what `backward` needs; `backward` takes the gradient of the loss with respect
/// to the last forward's output, **adds** the parameter gradients into ``parameters`` and returns
/// the gradient with respect to that forward's input.
public protocol Layer: AnyObject {
  /// Computes the output and caches what ``backward(_:)`` needs.
  func forward(_ input: Tensor) -> Tensor
  /// Accumulates parameter gradients and returns the gradient with respect to the input.
  func backward(_ gradOutput: Tensor) -> Tensor
  /// The trainable parameters, in a stable order.
  var parameters: [Parameter] { get }
  /// Training (batch statistics, dropout on) or evaluation mode.
  var isTraining: Bool { get set }
  /// The named tensors a checkpoint holds, with PyTorch-style names relative to this layer.
  var state: [StateEntry] { get }
  /// Appends one summary row per leaf layer for an input of `inputShape` and returns the output shape.
  func summarize(_ inputShape: [Int], name: String, into rows: inout [SummaryRow]) -> [Int]
  /// The layers this one is made of, in forward order; empty for a leaf layer.
  var sublayers: [any Layer] { get }
  /// Forgets what the last forward pass kept for ``backward(_:)`` (inputs, outputs, masks), here
  /// and in every sublayer; a backward pass needs a new forward pass first. A trainer calls it
  /// after each step's backward pass, so that the step's activations are freed before the next
  /// step allocates its own, instead of being freed one layer at a time while the next step runs
  /// (which interleaves old and new buffers and fragments the heap step after step). Parameters,
  /// gradients and prepared oneDNN primitives stay.
  func discardForwardCache()
  /// The bytes the last forward pass kept for ``backward(_:)``, here and in every sublayer (a
  /// buffer two layers share counts twice); 0 after ``discardForwardCache()``.
  var forwardCacheBytes: Int { get }
}

extension Layer {
  /// Sets every parameter gradient to zero.
  public func zeroGrad() { for parameter in parameters { parameter.zeroGrad() } }
  /// The number of trainable scalars.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
  /// None: a leaf layer.
  public var sublayers: [any Layer] { [] }
  /// Forgets the forward caches of the sublayers (a leaf layer with a cache has its own).
  public func discardForwardCache() { for layer in sublayers { layer.discardForwardCache() } }
  /// The sublayers' forward caches (a leaf layer with a cache counts its own).
  public var forwardCacheBytes: Int { sublayers.reduce(0) { $0 + $1.forwardCacheBytes } }
  /// Every leaf layer below this one (itself when it is a leaf), in forward order.
  public var leaves: [any Layer] { sublayers.isEmpty ? [self] : sublayers.flatMap(\.leaves) }
}

/// A layer with nothing to save or train; leaf layers without parameters use these defaults.
public protocol StatelessLayer: Layer {}

extension StatelessLayer {
  /// No parameters.
  public var parameters: [Parameter] { [] }
  /// No checkpoint state.
  public var state: [StateEntry] { [] }
}

/// One named tensor of a checkpoint: a parameter, a float buffer or an integer counter.
public struct StateEntry {
  /// The PyTorch-style name, e.g. `backbone.stem.0.weight`.
  public var name: String
  /// Reads the current value.
  public var get: () -> StateValue
  /// Replaces the value (the shape must match).
  public var set: (StateValue) -> Void

  /// Creates an entry from accessors.
  public init(name: String, get: @escaping () -> StateValue, set: @escaping (StateValue) -> Void) {
    self.name = name
    self.get = get
    self.set = set
  }

  /// The same entry with `prefix.` in front of its name.
  public func prefixed(_ prefix: String) -> StateEntry {
    StateEntry(name: prefix.isEmpty ? name : prefix + "." + name, get: get, set: set)
  }

  /// An entry for a parameter's value.
  public static func parameter(_ name: String, _ parameter: Parameter) -> StateEntry {
    StateEntry(
      name: name,
      get: { .float(parameter.value) },
      set: { if case .float(let t) = $0 { parameter.value = t } })
  }
}

/// The value of a ``StateEntry``.
public enum StateValue: Equatable, Sendable {
  /// A float32 tensor (parameters, running statistics).
  case float(Tensor)
  /// A scalar int64 counter (`num_batches_tracked`).
  case int64(Int64)
}

extension Array where Element == StateEntry {
  /// The entries with `prefix.` in front of their names.
  func prefixed(_ prefix: String) -> [StateEntry] { map { $0.prefixed(prefix) } }
}

/// How a dataset's label files encode classes, and how to map them to its ``LabelSpace``.
///
/// An encoding is a total function from stored values to train ids: every stored value maps to a
/// train id or to ``LabelSpace/ignoreValue``. Values the dataset never defines are mapped to the
/// ignore value too, but they are *unknown*: scanning counts them per value and reports them.
public struct LabelEncoding: Sendable, Equatable {
  /// How the stored label file is laid out.
  public enum Storage: Sendable, Equatable {
    /// One 8-bit gray (or palette-index) value per pixel.
    case gray8
    /// 16-bit values `id * 1000 + instance` (or a plain `id` below 1000), as Cityscapes `instanceIds`.
    case instance16
    /// RGB colours, one per class (CamVid's original 32-class release).
    case colorCoded
    /// Either, chosen per file by its channels: one 8-bit channel holds values, RGB holds colours
    /// (a generic dataset's masks, ``ClassesFile``).
    case indexOrColor
  }

  /// A stable identifier, e.g. `cityscapes-labelIds`.
  public var id: String
  /// The file layout.
  public var storage: Storage
  /// The label space the encoding maps into.
  public var space: LabelSpace
  /// For gray storage: stored value → train id (256 entries).
  public var lookup: [UInt8]
  /// For gray storage: whether the dataset defines each stored value (256 entries).
  public var known: [Bool]
  /// For colour-coded storage: colour → train id; any other colour is unknown.
  public var colorLookup: [RGB: UInt8]

  /// A gray encoding from an explicit value → train-id table; values absent from it are unknown.
  init(id: String, space: LabelSpace, storage: Storage = .gray8, mapping: [UInt8: UInt8]) {
    self.id = id
    self.storage = storage
    self.space = space
    var lookup = [UInt8](repeating: LabelSpace.ignoreValue, count: 256)
    var known = [Bool](repeating: false, count: 256)
    for (value, trainId) in mapping {
      lookup[Int(value)] = trainId
      known[Int(value)] = true
    }
    self.lookup = lookup
    self.known = known
    colorLookup = [:]
  }

  /// A colour-coded encoding.
  init(id: String, space: LabelSpace, colors: [RGB: UInt8]) {
    self.id = id
    storage = .colorCoded
    self.space = space
    lookup = []
    known = []
    colorLookup = colors
  }

  /// An encoding of files holding either values (`mapping`) or colours (`colors`).
  init(id: String, space: LabelSpace, mapping: [UInt8: UInt8], colors: [RGB: UInt8]) {
    self.init(id: id, space: space, storage: .indexOrColor, mapping: mapping)
    colorLookup = colors
  }
}

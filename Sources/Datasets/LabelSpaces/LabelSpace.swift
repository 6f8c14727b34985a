/// An RGB colour, used for class colours and colour-coded label files.
public struct RGB: Hashable, Sendable, Codable, CustomStringConvertible {
  /// Red, 0…255.
  public var red: UInt8
  /// Green, 0…255.
  public var green: UInt8
  /// Blue, 0…255.
  public var blue: UInt8

  /// Creates a colour from its three components.
  public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  /// `(r,g,b)`.
  public var description: String { "(\(red),\(green),\(blue))" }
}

/// One class of a training label space.
public struct LabelClass: Sendable, Codable, Equatable {
  /// The class name as the dataset's own tools spell it.
  public var name: String
  /// The display colour (the dataset's palette).
  public var color: RGB
  /// Whether the class counts in the evaluation mean IoU.
  public var evaluated: Bool
}

/// The training label space of a dataset: train ids `0..<classes.count`, and ``ignoreValue`` for
/// pixels that carry no class.
///
/// Dance stores every label map in this space (8-bit, 255 = ignore), so every downstream stage
/// and external trainer sees one convention whatever the source dataset encoded.
public struct LabelSpace: Sendable, Equatable {
  /// A stable identifier recorded with every stored label map, e.g. `cityscapes-trainid-19`.
  public var id: String
  /// The classes, indexed by train id.
  public var classes: [LabelClass]

  /// The train id of pixels that are ignored in training and evaluation.
  public static let ignoreValue: UInt8 = 255

  /// The class names, indexed by train id.
  public var classNames: [String] { classes.map(\.name) }

  /// Train ids that count in the evaluation.
  public var evaluatedClasses: [Int] { classes.indices.filter { classes[$0].evaluated } }

  /// The colour of a train id (black for the ignore value and unknown ids).
  public func color(of trainId: UInt8) -> RGB {
    Int(trainId) < classes.count ? classes[Int(trainId)].color : RGB(0, 0, 0)
  }
}

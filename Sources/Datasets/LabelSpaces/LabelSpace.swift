public import ImageCodecs

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

  /// An RGB image of one 8-bit channel of values, each pixel its value's colour in `palette` (256 entries).
  public static func paint(_ values: Image8, palette: [RGB]) -> Image8 {
    precondition(values.channels == 1 && palette.count == 256, "paint takes one channel of values and 256 colours")
    var output = Image8(width: values.width, height: values.height, channels: 3)
    for (pixel, value) in values.samples.enumerated() {
      let color = palette[Int(value)]
      output.samples[pixel * 3] = color.red
      output.samples[pixel * 3 + 1] = color.green
      output.samples[pixel * 3 + 2] = color.blue
    }
    return output
  }
}

/// One class of a training label space.
public struct LabelClass: Sendable, Codable, Equatable {
  /// The class name as the dataset's own tools spell it.
  public var name: String
  /// The display colour (the dataset's palette).
  public var color: RGB
  /// Whether the class counts in the evaluation mean IoU.
  public var evaluated: Bool
  /// The category the dataset groups the class into (Cityscapes: flat, construction, object,
  /// nature, sky, human, vehicle), or nil.
  public var category: String?

  /// Creates a class.
  public init(name: String, color: RGB, evaluated: Bool, category: String? = nil) {
    self.name = name
    self.color = color
    self.evaluated = evaluated
    self.category = category
  }
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

  /// The categories of the evaluated classes, in the order they first appear, each with its
  /// train ids; empty for a space without categories.
  public var categories: [(name: String, trainIds: [Int])] {
    var result: [(name: String, trainIds: [Int])] = []
    for trainId in evaluatedClasses {
      guard let category = classes[trainId].category else { continue }
      if let index = result.firstIndex(where: { $0.name == category }) {
        result[index].trainIds.append(trainId)
      } else {
        result.append((category, [trainId]))
      }
    }
    return result
  }

  /// The colour of a train id (black for the ignore value and unknown ids).
  public func color(of trainId: UInt8) -> RGB {
    Int(trainId) < classes.count ? classes[Int(trainId)].color : RGB(0, 0, 0)
  }
}

extension LabelSpace {
  /// A label space as an output or checkpoint recorded it: a standard space by its id, otherwise
  /// the recorded classes' names and `[R, G, B]` colours (all evaluated); `nil` when neither works.
  public static func recorded(id: String, classes: [(name: String, color: [Int])]?) -> LabelSpace? {
    if let standard = named(id) { return standard }
    guard let classes, !classes.isEmpty, classes.count < Int(ignoreValue) else { return nil }
    var entries: [LabelClass] = []
    for (name, color) in classes {
      guard color.count == 3, let red = UInt8(exactly: color[0]), let green = UInt8(exactly: color[1]),
        let blue = UInt8(exactly: color[2])
      else { return nil }
      entries.append(LabelClass(name: name, color: RGB(red, green, blue), evaluated: true))
    }
    return LabelSpace(id: id, classes: entries)
  }

  /// The classes as ``recorded(id:classes:)`` reads them: nil for a standard space.
  public var recordedClasses: [(name: String, color: [Int])]? {
    LabelSpace.named(id) != nil ? nil : classes.map { ($0.name, [Int($0.color.red), Int($0.color.green), Int($0.color.blue)]) }
  }
}

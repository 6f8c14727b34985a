import DanceCore
import Foundation

/// The 11 SegNet CamVid classes in index order, with CamVid's `label_colors.txt` colours.
let camvidSegNetClasses: [(name: String, color: RGB)] = [
  ("Sky", RGB(128, 128, 128)), ("Building", RGB(128, 0, 0)), ("Pole", RGB(192, 192, 128)),
  ("Road", RGB(128, 64, 128)), ("Sidewalk", RGB(0, 0, 192)), ("Tree", RGB(128, 128, 0)),
  ("SignSymbol", RGB(192, 128, 128)), ("Fence", RGB(64, 64, 128)), ("Car", RGB(64, 0, 128)),
  ("Pedestrian", RGB(64, 64, 0)), ("Bicyclist", RGB(0, 128, 192)),
]

/// The 32 classes of CamVid's original colour-coded release (`label_colors.txt`; formats.md §A2).
public let camvid32Classes: [(name: String, color: RGB)] = [
  ("Animal", RGB(64, 128, 64)), ("Archway", RGB(192, 0, 128)), ("Bicyclist", RGB(0, 128, 192)),
  ("Bridge", RGB(0, 128, 64)), ("Building", RGB(128, 0, 0)), ("Car", RGB(64, 0, 128)),
  ("CartLuggagePram", RGB(64, 0, 192)), ("Child", RGB(192, 128, 64)), ("Column_Pole", RGB(192, 192, 128)),
  ("Fence", RGB(64, 64, 128)), ("LaneMkgsDriv", RGB(128, 0, 192)), ("LaneMkgsNonDriv", RGB(192, 0, 64)),
  ("Misc_Text", RGB(128, 128, 64)), ("MotorcycleScooter", RGB(192, 0, 192)), ("OtherMoving", RGB(128, 64, 64)),
  ("ParkingBlock", RGB(64, 192, 128)), ("Pedestrian", RGB(64, 64, 0)), ("Road", RGB(128, 64, 128)),
  ("RoadShoulder", RGB(128, 128, 192)), ("Sidewalk", RGB(0, 0, 192)), ("SignSymbol", RGB(192, 128, 128)),
  ("Sky", RGB(128, 128, 128)), ("SUVPickupTruck", RGB(64, 128, 192)), ("TrafficCone", RGB(0, 0, 64)),
  ("TrafficLight", RGB(0, 64, 64)), ("Train", RGB(192, 64, 128)), ("Tree", RGB(128, 128, 0)),
  ("Truck_Bus", RGB(192, 128, 192)), ("Tunnel", RGB(64, 0, 64)), ("VegetationMisc", RGB(192, 192, 0)),
  ("Void", RGB(0, 0, 0)), ("Wall", RGB(64, 192, 0)),
]

/// How CamVid's 32 colour-coded classes group into the 11 SegNet classes.
///
/// No authoritative machine-readable table exists (formats.md §A2). The standard grouping follows
/// the usual attribution to Sturgess et al. (2009) and settles the rows public code disagrees on as
/// follows, each overridable with ``init(overrides:)`` (CLI: `--camvid-grouping FILE`):
///
/// | 32-class name | standard target | why |
/// |---|---|---|
/// | Animal | void | neither a pedestrian nor a vehicle; rare |
/// | Archway | Building | built structure spanning the road |
/// | CartLuggagePram | Pedestrian | pushed by, and moving with, pedestrians |
/// | OtherMoving | Car | road vehicles not listed elsewhere |
/// | RoadShoulder | Road | drivable surface at the road's edge |
/// | TrafficCone | void | small, neither a pole nor a sign |
/// | Train | Car | a rail vehicle; the 11-class set has no other vehicle class |
/// | Tunnel | void | mostly dark interior without a structural class |
///
/// The unambiguous rows: Bicyclist, MotorcycleScooter → Bicyclist; Bridge, Building, Wall → Building;
/// Car, SUVPickupTruck, Truck_Bus → Car; Child, Pedestrian → Pedestrian; Column_Pole → Pole;
/// Fence → Fence; LaneMkgsDriv, LaneMkgsNonDriv, Road → Road; Misc_Text, SignSymbol, TrafficLight →
/// SignSymbol; ParkingBlock, Sidewalk → Sidewalk; Sky → Sky; Tree, VegetationMisc → Tree; Void → void.
public struct CamVidGrouping: Sendable, Equatable {
  /// 32-class name → SegNet class name, or `nil` for void.
  public private(set) var targets: [String: String?]
  /// `standard`, or `custom-<hash>` once overridden.
  public private(set) var id: String
  /// The override text this grouping was made from (`nil` for the standard grouping).
  public private(set) var overrides: String?
  /// 32-class name → colour in the label files (from the dataset's `label_colors.txt` when it has one).
  public private(set) var colors: [String: RGB] = Dictionary(uniqueKeysWithValues: camvid32Classes.map { ($0.name, $0.color) })

  /// The grouping documented above.
  public static let standard = CamVidGrouping(
    targets: [
      "Animal": nil, "Archway": "Building", "Bicyclist": "Bicyclist", "Bridge": "Building",
      "Building": "Building", "Car": "Car", "CartLuggagePram": "Pedestrian", "Child": "Pedestrian",
      "Column_Pole": "Pole", "Fence": "Fence", "LaneMkgsDriv": "Road", "LaneMkgsNonDriv": "Road",
      "Misc_Text": "SignSymbol", "MotorcycleScooter": "Bicyclist", "OtherMoving": "Car",
      "ParkingBlock": "Sidewalk", "Pedestrian": "Pedestrian", "Road": "Road", "RoadShoulder": "Road",
      "Sidewalk": "Sidewalk", "SignSymbol": "SignSymbol", "Sky": "Sky", "SUVPickupTruck": "Car",
      "TrafficCone": nil, "TrafficLight": "SignSymbol", "Train": "Car", "Tree": "Tree", "Truck_Bus": "Car",
      "Tunnel": nil, "VegetationMisc": "Tree", "Void": nil, "Wall": "Building",
    ], id: "standard")

  private init(targets: [String: String?], id: String) {
    self.targets = targets
    self.id = id
  }

  /// The standard grouping with some rows changed.
  ///
  /// The text has one override per line, `<32-class name> <SegNet class name | void>`; blank lines
  /// and lines starting with `#` are ignored.
  /// - Throws: ``DatasetError/invalidConfiguration(path:reason:)`` naming the line when a name is unknown.
  public init(overrides text: String, source: String) throws(DatasetError) {
    var targets = Self.standard.targets
    let segNetNames = Set(camvidSegNetClasses.map(\.name))
    for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = rawLine.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard words.count == 2, targets.keys.contains(words[0]) else {
        throw .invalidConfiguration(
          path: source, reason: "line \(number + 1): expected '<one of the 32 CamVid class names> <target>', got '\(line)'")
      }
      if words[1].lowercased() == "void" {
        targets[words[0]] = .some(nil)
      } else if segNetNames.contains(words[1]) {
        targets[words[0]] = words[1]
      } else {
        throw .invalidConfiguration(
          path: source,
          reason: "line \(number + 1): '\(words[1])' is not a SegNet class (\(camvidSegNetClasses.map(\.name).joined(separator: ", ")), void)")
      }
    }
    let signature = targets.keys.sorted().map { "\($0)=\(targets[$0]!.map { $0 } ?? "void")" }.joined(separator: ",")
    self.init(targets: targets, id: targets == Self.standard.targets ? "standard" : "custom-" + stableHashHex(signature))
    if id != "standard" { overrides = text }
  }

  /// The same grouping with class colours taken from a `label_colors.txt`; every name must be one
  /// of the 32 CamVid classes.
  public func withColors(_ fileColors: [(name: String, color: RGB)], source: String) throws(DatasetError) -> CamVidGrouping {
    var grouping = self
    for (name, color) in fileColors {
      guard grouping.colors[name] != nil else {
        throw .invalidConfiguration(path: source, reason: "'\(name)' is not one of the 32 CamVid classes")
      }
      grouping.colors[name] = color
    }
    return grouping
  }

  /// Colour → SegNet train id (void → the ignore value).
  var colorLookup: [RGB: UInt8] {
    var lookup: [RGB: UInt8] = [:]
    for (name, color) in colors {
      let target = targets[name] ?? nil
      lookup[color] = target.flatMap { name in camvidSegNetClasses.firstIndex { $0.name == name } }
        .map { UInt8($0) } ?? LabelSpace.ignoreValue
    }
    return lookup
  }
}

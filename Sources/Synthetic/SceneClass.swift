public import DanceCore
public import Datasets

/// The classes of a synthetic street scene, before they are mapped to a dataset's label values.
///
/// The generator models every scene once in these abstract classes; ``labelValue(in:)`` maps
/// them to Cityscapes label ids, CamVid SegNet indices, ADE20K annotation values, Pascal VOC
/// indices or the generic layout's class ids.
public enum SceneClass: UInt8, CaseIterable, Sendable {
  /// Clutter that no class covers (Cityscapes `unlabeled`, CamVid void, ADE20K "other").
  case unlabeled
  /// The hood of the recording car at the bottom of the frame.
  case egoVehicle
  /// Sky, with clouds.
  case sky
  /// Building facades, windows included.
  case building
  /// Free-standing walls.
  case wall
  /// Fences: rails and slats.
  case fence
  /// The drivable road, lane markings included.
  case road
  /// Sidewalks and pavements.
  case sidewalk
  /// Trees and hedges.
  case vegetation
  /// Grass and soil.
  case terrain
  /// Bare poles.
  case pole
  /// Street lamps (a pole with a lamp head; a pole in Cityscapes and CamVid).
  case streetlight
  /// Traffic signs.
  case trafficSign
  /// Traffic lights.
  case trafficLight
  /// Pedestrians.
  case person
  /// People riding a bicycle.
  case rider
  /// Cars.
  case car
  /// Bicycles.
  case bicycle

  /// Whether Cityscapes annotates this class per instance (`hasInstances` in its label table).
  public var hasInstances: Bool {
    switch self {
    case .person, .rider, .car, .bicycle: true
    default: false
    }
  }

  /// The label value `format` stores for this class.
  ///
  /// - Cityscapes: the label `id` (not the train id), e.g. road 7, sky 23, car 26; ego vehicle 1,
  ///   unlabeled 0; street lamps are poles (17).
  /// - CamVid (SegNet): Sky 0, Building 1, Pole 2, Road 3, Sidewalk 4, Tree 5, SignSymbol 6,
  ///   Fence 7, Car 8, Pedestrian 9, Bicyclist 10, void 11. Walls are Building, terrain is Tree,
  ///   traffic lights are SignSymbol, riders and bicycles are Bicyclist.
  /// - ADE20K: wall 1, building 2, sky 3, tree 5, road 7, grass 10, sidewalk 12, person 13 (riders
  ///   too), car 21, fence 33, signboard 44, streetlight 88, pole 94, bicycle 128, traffic light 137;
  ///   0 ("other") for unlabeled and the ego vehicle.
  /// - Pascal VOC: person 15 (riders too), car 7, bicycle 2, background 0 for the street itself;
  ///   255 (void) for unlabeled and the ego vehicle.
  /// - Generic: the class's id in ``genericClasses`` (road 0 … bicycle 15); 255 (ignored) for
  ///   unlabeled and the ego vehicle.
  public func labelValue(in format: DatasetFormat) -> UInt8 {
    switch format {
    case .cityscapes: cityscapesID
    case .camvid: camvidIndex
    case .ade20k: ade20kValue
    case .voc: vocIndex
    case .generic: Self.genericOrder.firstIndex(of: self).map(UInt8.init) ?? Self.genericIgnore
    }
  }

  /// The ignore value of the generic layout's masks.
  static let genericIgnore: UInt8 = 255
  /// The classes of the generic layout, in id order.
  static let genericOrder: [SceneClass] = [
    .road, .sidewalk, .building, .wall, .fence, .pole, .streetlight, .trafficLight, .trafficSign, .vegetation, .terrain, .sky,
    .person, .rider, .car, .bicycle,
  ]

  /// The generic layout's class table (`classes.yaml`): the classes with Cityscapes' names and
  /// colours (street lamps get their own colour), black for ignored pixels in colour masks.
  public static var genericClasses: ClassesFile {
    let entries = genericOrder.enumerated().map { index, sceneClass in
      let color = sceneClass == .streetlight ? (red: UInt8(180), green: UInt8(180), blue: UInt8(120)) : sceneClass.cityscapesColor
      return ClassesFile.Entry(id: UInt8(index), name: sceneClass.genericName, color: RGB(color.red, color.green, color.blue))
    }
    do {
      return try ClassesFile(name: "street", classes: entries, ignore: genericIgnore, ignoreColor: RGB(0, 0, 0), source: "synthetic")
    } catch {
      preconditionFailure("the synthetic class table is fixed and valid: \(error)")
    }
  }

  private var genericName: String {
    switch self {
    case .trafficLight: "traffic light"
    case .trafficSign: "traffic sign"
    case .egoVehicle: "ego vehicle"
    default: "\(self)"
    }
  }

  private var vocIndex: UInt8 {
    switch self {
    case .unlabeled, .egoVehicle: 255
    case .person, .rider: 15
    case .car: 7
    case .bicycle: 2
    default: 0
    }
  }

  private var cityscapesID: UInt8 {
    switch self {
    case .unlabeled: 0
    case .egoVehicle: 1
    case .road: 7
    case .sidewalk: 8
    case .building: 11
    case .wall: 12
    case .fence: 13
    case .pole, .streetlight: 17
    case .trafficLight: 19
    case .trafficSign: 20
    case .vegetation: 21
    case .terrain: 22
    case .sky: 23
    case .person: 24
    case .rider: 25
    case .car: 26
    case .bicycle: 33
    }
  }

  private var camvidIndex: UInt8 {
    switch self {
    case .sky: 0
    case .building, .wall: 1
    case .pole, .streetlight: 2
    case .road: 3
    case .sidewalk: 4
    case .vegetation, .terrain: 5
    case .trafficSign, .trafficLight: 6
    case .fence: 7
    case .car: 8
    case .person: 9
    case .rider, .bicycle: 10
    case .unlabeled, .egoVehicle: 11
    }
  }

  private var ade20kValue: UInt8 {
    switch self {
    case .unlabeled, .egoVehicle: 0
    case .wall: 1
    case .building: 2
    case .sky: 3
    case .vegetation: 5
    case .road: 7
    case .terrain: 10
    case .sidewalk: 12
    case .person, .rider: 13
    case .car: 21
    case .fence: 33
    case .trafficSign: 44
    case .streetlight: 88
    case .pole: 94
    case .bicycle: 128
    case .trafficLight: 137
    }
  }

  /// The Cityscapes colour of this class's label id (`color` in its label table), as `_gtFine_color.png`
  /// stores it.
  public var cityscapesColor: (red: UInt8, green: UInt8, blue: UInt8) {
    switch self {
    case .unlabeled, .egoVehicle: (0, 0, 0)
    case .road: (128, 64, 128)
    case .sidewalk: (244, 35, 232)
    case .building: (70, 70, 70)
    case .wall: (102, 102, 156)
    case .fence: (190, 153, 153)
    case .pole, .streetlight: (153, 153, 153)
    case .trafficLight: (250, 170, 30)
    case .trafficSign: (220, 220, 0)
    case .vegetation: (107, 142, 35)
    case .terrain: (152, 251, 152)
    case .sky: (70, 130, 180)
    case .person: (220, 20, 60)
    case .rider: (255, 0, 0)
    case .car: (0, 0, 142)
    case .bicycle: (119, 11, 32)
    }
  }
}

import DanceCore
import Datasets
import ImageCodecs
import Testing

/// Every entry of every lookup table, against the tables of formats.md §A.
@Suite struct LabelSpaceTests {
  /// formats.md §A1: `[0..6]→255, 7→0, 8→1, 9→255, 10→255, 11→2, 12→3, 13→4, 14→255, 15→255,
  /// 16→255, 17→5, 18→255, 19→6, 20→7, 21→8, 22→9, 23→10, 24→11, 25→12, 26→13, 27→14, 28→15,
  /// 29→255, 30→255, 31→16, 32→17, 33→18, 34..255→255`.
  static let cityscapesTrainIdOfId: [Int: Int] = [
    7: 0, 8: 1, 11: 2, 12: 3, 13: 4, 17: 5, 19: 6, 20: 7, 21: 8, 22: 9, 23: 10, 24: 11, 25: 12, 26: 13, 27: 14,
    28: 15, 31: 16, 32: 17, 33: 18,
  ]

  @Test(arguments: 0...255)
  func cityscapesLabelIds(value: Int) {
    let encoding = LabelEncoding.cityscapesLabelIds
    #expect(Int(encoding.trainId(ofValue: UInt8(value))) == Self.cityscapesTrainIdOfId[value] ?? 255)
    #expect(encoding.known[value] == (value <= 33))
  }

  @Test(arguments: 0...255)
  func cityscapesTrainIds(value: Int) {
    let encoding = LabelEncoding.cityscapesTrainIds
    #expect(Int(encoding.trainId(ofValue: UInt8(value))) == (value < 19 ? value : 255))
    #expect(encoding.known[value] == (value < 19 || value == 255))
  }

  @Test(arguments: 0...255)
  func camvidSegNet(value: Int) {
    let encoding = LabelEncoding.camvidSegNet
    #expect(Int(encoding.trainId(ofValue: UInt8(value))) == (value <= 10 ? value : 255))
    #expect(encoding.known[value] == (value <= 11))
  }

  @Test(arguments: 0...255)
  func ade20kReduceZeroLabel(value: Int) {
    let encoding = LabelEncoding.ade20k
    let expected = value == 0 || value > 150 ? 255 : value - 1
    #expect(Int(encoding.trainId(ofValue: UInt8(value))) == expected)
    #expect(encoding.known[value] == (value <= 150))
  }

  /// The whole-map conversion (16 equal pixels at a time, mixed blocks pixel by pixel, a tail)
  /// against the table applied pixel by pixel, with unknown values counted exactly.
  @Test(arguments: [1, 15, 16, 17, 33, 1000, 4099])
  func grayMapsConvertLikeTheTable(width: Int) throws {
    let encoding = LabelEncoding.cityscapesLabelIds
    var state: UInt64 = 7
    var samples: [UInt8] = []
    while samples.count < width * 3 {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      // Runs of 1 to 40 pixels, mostly known ids, some unknown values (34…255).
      let value = UInt8(truncatingIfNeeded: state >> 56) % 5 == 0 ? UInt8(34 + (state >> 40) % 200) : UInt8((state >> 32) % 34)
      samples += [UInt8](repeating: value, count: Int(1 + (state >> 20) % 40))
    }
    let image = Image8(width: width, height: 3, channels: 1, samples: Array(samples.prefix(width * 3)))
    let converted = try encoding.trainIds(from: .uint8(image)).get()
    #expect(converted.image.samples == image.samples.map { encoding.trainId(ofValue: $0) })
    var unknown: [Int: Int] = [:]
    for value in image.samples where !encoding.known[Int(value)] { unknown[Int(value), default: 0] += 1 }
    #expect(converted.unknownValues == unknown)
  }

  @Test(arguments: [(26001, 13), (26000, 13), (24017, 11), (7, 0), (23, 10), (1, 255), (33999, 18), (34000, nil), (200, nil)])
  func cityscapesInstanceIds(value: Int, trainId: Int?) {
    #expect(LabelEncoding.cityscapesInstanceIds.trainId(ofInstanceValue: UInt16(value)).map(Int.init) == trainId)
  }

  @Test func cityscapesClassesFollowTheNineteenClassTable() {
    let space = LabelSpace.cityscapes
    #expect(space.id == "cityscapes-trainid-19")
    #expect(space.classNames == [
      "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain",
      "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle",
    ])
    #expect(space.classes[0].color == RGB(128, 64, 128))
    #expect(space.classes[18].color == RGB(119, 11, 32))
    #expect(space.evaluatedClasses == Array(0..<19))
  }

  @Test func camvidAndADE20KClasses() {
    #expect(LabelSpace.camvid.classNames == [
      "Sky", "Building", "Pole", "Road", "Sidewalk", "Tree", "SignSymbol", "Fence", "Car", "Pedestrian", "Bicyclist",
    ])
    #expect(LabelSpace.ade20k.classes.count == 150)
    #expect(LabelSpace.ade20k.classes[0].name == "wall" && LabelSpace.ade20k.classes[0].color == RGB(120, 120, 120))
    #expect(LabelSpace.ade20k.classes[149].name == "flag" && LabelSpace.ade20k.classes[149].color == RGB(92, 0, 255))
    #expect(LabelSpace.ade20k.classes[7].name == "bed")
  }

  /// The 32 colours and where the standard grouping sends each (formats.md §A2 plus the documented choices).
  static let camvidGroups: [(String, UInt8, UInt8, UInt8, String?)] = [
    ("Animal", 64, 128, 64, nil), ("Archway", 192, 0, 128, "Building"), ("Bicyclist", 0, 128, 192, "Bicyclist"),
    ("Bridge", 0, 128, 64, "Building"), ("Building", 128, 0, 0, "Building"), ("Car", 64, 0, 128, "Car"),
    ("CartLuggagePram", 64, 0, 192, "Pedestrian"), ("Child", 192, 128, 64, "Pedestrian"),
    ("Column_Pole", 192, 192, 128, "Pole"), ("Fence", 64, 64, 128, "Fence"), ("LaneMkgsDriv", 128, 0, 192, "Road"),
    ("LaneMkgsNonDriv", 192, 0, 64, "Road"), ("Misc_Text", 128, 128, 64, "SignSymbol"),
    ("MotorcycleScooter", 192, 0, 192, "Bicyclist"), ("OtherMoving", 128, 64, 64, "Car"),
    ("ParkingBlock", 64, 192, 128, "Sidewalk"), ("Pedestrian", 64, 64, 0, "Pedestrian"), ("Road", 128, 64, 128, "Road"),
    ("RoadShoulder", 128, 128, 192, "Road"), ("Sidewalk", 0, 0, 192, "Sidewalk"),
    ("SignSymbol", 192, 128, 128, "SignSymbol"), ("Sky", 128, 128, 128, "Sky"), ("SUVPickupTruck", 64, 128, 192, "Car"),
    ("TrafficCone", 0, 0, 64, nil), ("TrafficLight", 0, 64, 64, "SignSymbol"), ("Train", 192, 64, 128, "Car"),
    ("Tree", 128, 128, 0, "Tree"), ("Truck_Bus", 192, 128, 192, "Car"), ("Tunnel", 64, 0, 64, nil),
    ("VegetationMisc", 192, 192, 0, "Tree"), ("Void", 0, 0, 0, nil), ("Wall", 64, 192, 0, "Building"),
  ]

  @Test(arguments: camvidGroups)
  func camvidColourGrouping(_ row: (String, UInt8, UInt8, UInt8, String?)) throws {
    let (_, red, green, blue, target) = row
    let image = Image8(width: 1, height: 1, channels: 3, samples: [red, green, blue])
    let converted = try LabelEncoding.camvidColors().trainIds(from: .uint8(image)).get()
    let expected = target.map { UInt8(LabelSpace.camvid.classNames.firstIndex(of: $0)!) } ?? 255
    #expect(converted.image.samples == [expected])
    #expect(converted.unknownValues.isEmpty)
  }

  @Test func anUnlistedColourIsUnknownAndIgnored() throws {
    let image = Image8(width: 2, height: 1, channels: 3, samples: [1, 2, 3, 128, 64, 128])
    let converted = try LabelEncoding.camvidColors().trainIds(from: .uint8(image)).get()
    #expect(converted.image.samples == [255, 3])
    #expect(converted.unknownValues == [0x010203: 1])
  }

  @Test func groupingOverridesChangeTargetsAndId() throws {
    let grouping = try CamVidGrouping(overrides: "# mine\nTrain void\nAnimal Pedestrian\n", source: "g.txt")
    #expect(grouping.id.hasPrefix("custom-"))
    let train = Image8(width: 2, height: 1, channels: 3, samples: [192, 64, 128, 64, 128, 64])
    #expect(try LabelEncoding.camvidColors(grouping).trainIds(from: .uint8(train)).get().image.samples == [255, 9])
    #expect(try CamVidGrouping(overrides: "", source: "g.txt") == .standard)
  }

  @Test(arguments: ["Trian void", "Train Lorry", "Train"])
  func badGroupingLinesNameTheLine(line: String) {
    #expect(throws: DatasetError.self) { try CamVidGrouping(overrides: "\n" + line, source: "g.txt") }
    do {
      _ = try CamVidGrouping(overrides: "\n" + line, source: "g.txt")
    } catch {
      #expect(error.description.hasPrefix("g.txt: invalid configuration: line 2"))
    }
  }

  @Test func labelColorsFileParses() throws {
    let rows = try LabelColorsFile.parse("64 128 64\tAnimal\n192 0 128\tArchway\n\n", source: "label_colors.txt")
    #expect(rows.map(\.name) == ["Animal", "Archway"])
    #expect(rows[1].color == RGB(192, 0, 128))
    #expect(throws: DatasetError.self) { try LabelColorsFile.parse("64 128\tAnimal", source: "l.txt") }
  }

  @Test func wrongLabelFormatIsRefused() {
    let rgb = Image8(width: 1, height: 1, channels: 3)
    #expect(throws: LabelFormatMismatch.self) { try LabelEncoding.cityscapesLabelIds.trainIds(from: .uint8(rgb)).get() }
    let gray = Image8(width: 1, height: 1, channels: 1)
    #expect(throws: LabelFormatMismatch.self) { try LabelEncoding.camvidColors().trainIds(from: .uint8(gray)).get() }
  }

  @Test func grayConversionCountsUnknownValues() throws {
    let image = Image8(width: 4, height: 1, channels: 1, samples: [7, 26, 200, 200])
    let converted = try LabelEncoding.cityscapesLabelIds.trainIds(from: .uint8(image)).get()
    #expect(converted.image.samples == [0, 13, 255, 255])
    #expect(converted.unknownValues == [200: 2])
  }
}

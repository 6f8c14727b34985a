extension LabelSpace {
  /// Cityscapes' 19 training classes (`cityscapes-trainid-19`), all evaluated, each in its
  /// cityscapesScripts category.
  public static let cityscapes = LabelSpace(
    id: "cityscapes-trainid-19",
    classes: (0..<19).map { trainId in
      // The first label in list order with this train id names the class (cityscapesScripts' rule).
      let label = cityscapesLabels.first { $0.trainId == trainId }!
      return LabelClass(name: label.name, color: label.color, evaluated: true, category: cityscapesCategory(ofId: label.id))
    })

  /// CamVid's 11 SegNet classes (`camvid-segnet-11`), all evaluated; void is the ignore value.
  public static let camvid = LabelSpace(
    id: "camvid-segnet-11",
    classes: camvidSegNetClasses.map { LabelClass(name: $0.name, color: $0.color, evaluated: true) })

  /// ADE20K's 150 SceneParsing classes after reduce-zero-label (`ade20k-150-reduced`), all evaluated.
  public static let ade20k = LabelSpace(
    id: "ade20k-150-reduced",
    classes: ade20kClasses.map { LabelClass(name: $0.name, color: $0.color, evaluated: true) })

  /// Pascal VOC 2012's 21 classes (`voc2012-21`: background and 20 objects), all evaluated, in
  /// the devkit's palette colours.
  public static let voc = LabelSpace(
    id: "voc2012-21",
    classes: vocClassNames.enumerated().map { index, name in
      LabelClass(name: name, color: vocPaletteColor(UInt8(index)), evaluated: true)
    })

  /// The standard label spaces: Cityscapes, CamVid, ADE20K and Pascal VOC.
  public static let standard: [LabelSpace] = [.cityscapes, .camvid, .ade20k, .voc]

  /// The standard label space with the given ``id``, if any.
  public static func named(_ id: String) -> LabelSpace? {
    standard.first { $0.id == id }
  }
}

extension LabelEncoding {
  /// Cityscapes `*_gtFine_labelIds.png`: label ids 0…33 through the id → trainId table.
  public static let cityscapesLabelIds = LabelEncoding(
    id: "cityscapes-labelIds", space: .cityscapes,
    mapping: Dictionary(uniqueKeysWithValues: cityscapesLabels.filter { $0.id >= 0 }.map {
      (UInt8($0.id), UInt8(truncatingIfNeeded: $0.trainId))
    }))

  /// Cityscapes `*_gtFine_labelTrainIds.png` (made by cityscapesScripts or mmsegmentation): train ids
  /// 0…18 and 255 as they are.
  public static let cityscapesTrainIds = LabelEncoding(
    id: "cityscapes-labelTrainIds", space: .cityscapes,
    mapping: Dictionary(uniqueKeysWithValues: ((0..<19).map { UInt8($0) } + [255]).map { ($0, $0) }))

  /// Cityscapes `*_gtFine_instanceIds.png`: 16-bit `id * 1000 + instance`, or a plain id below 1000.
  public static let cityscapesInstanceIds: LabelEncoding = {
    var encoding = cityscapesLabelIds
    encoding.id = "cityscapes-instanceIds"
    encoding.storage = .instance16
    return encoding
  }()

  /// CamVid SegNet annotations: 0…10 are classes, 11 (void) is ignored.
  public static let camvidSegNet = LabelEncoding(
    id: "camvid-segnet", space: .camvid,
    mapping: Dictionary(uniqueKeysWithValues: (0...10).map { (UInt8($0), UInt8($0)) } + [(11, 255)]))

  /// ADE20K annotations with reduce-zero-label: 0 ("other") → ignore, 1…150 → 0…149.
  public static let ade20k = LabelEncoding(
    id: "ade20k-reduce-zero-label", space: .ade20k,
    mapping: Dictionary(uniqueKeysWithValues: [(0, 255)] + (1...150).map { (UInt8($0), UInt8($0 - 1)) }))

  /// Pascal VOC `SegmentationClass/*.png`: palette indices 0…20 are the classes, 255 (the void
  /// border around objects) is ignored.
  public static let voc = LabelEncoding(
    id: "voc-segmentation-class", space: .voc,
    mapping: Dictionary(uniqueKeysWithValues: (0...20).map { (UInt8($0), UInt8($0)) } + [(255, 255)]))

  /// CamVid's original release: 32 colour-coded classes grouped into the 11 SegNet classes by
  /// `grouping` (see ``CamVidGrouping``).
  public static func camvidColors(_ grouping: CamVidGrouping = .standard) -> LabelEncoding {
    LabelEncoding(id: "camvid-32-colors/" + grouping.id, space: .camvid, colors: grouping.colorLookup)
  }

  /// Maps one stored gray value to a train id.
  @inline(__always) public func trainId(ofValue value: UInt8) -> UInt8 { lookup[Int(value)] }

  /// Maps one 16-bit instance value (`id * 1000 + instance`, or a plain id) to a train id;
  /// `nil` when the id is not a Cityscapes id.
  @inline(__always) public func trainId(ofInstanceValue value: UInt16) -> UInt8? {
    let id = value >= 1000 ? Int(value / 1000) : Int(value)
    return id < 256 && known[id] ? lookup[id] : nil
  }
}

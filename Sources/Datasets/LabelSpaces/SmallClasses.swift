extension LabelSpace {
  /// The names of the small classes, in the spelling of each standard label space.
  ///
  /// Small classes are the thin or typically distant objects that downscaling erases first, and
  /// whose IoU a slimming method must not trade away: person, rider, pole, traffic light, traffic
  /// sign, bicycle and motorcycle (Cityscapes names). In CamVid (SegNet) they are Pole, SignSymbol
  /// (signs and lights), Pedestrian and Bicyclist; in ADE20K person, pole, streetlight, traffic
  /// light, signboard, bicycle and minibike; in Pascal VOC person, bicycle and motorbike; in a
  /// generic dataset the classes with one of these names. This list is the one definition that the
  /// audit's small-class figures and the synthetic generator's targets use.
  public static let smallClassNames: Set<String> = [
    "person", "rider", "pole", "traffic light", "traffic sign", "bicycle", "motorcycle",
    "Pole", "SignSymbol", "Pedestrian", "Bicyclist",
    "streetlight", "signboard", "minibike", "motorbike",
  ]

  /// The train ids of this space's small classes (``smallClassNames``), ascending.
  public var smallClasses: [Int] { classes.indices.filter { Self.smallClassNames.contains(classes[$0].name) } }
}

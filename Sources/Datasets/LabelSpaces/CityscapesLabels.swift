/// Every Cityscapes label (cityscapesScripts `helpers/labels.py`; formats.md §A1), in id order.
/// `trainId` 255 means ignored in training; `-1` (license plate) never appears in label files.
let cityscapesLabels: [(name: String, id: Int, trainId: Int, hasInstances: Bool, color: RGB)] = [
  ("unlabeled", 0, 255, false, RGB(0, 0, 0)),
  ("ego vehicle", 1, 255, false, RGB(0, 0, 0)),
  ("rectification border", 2, 255, false, RGB(0, 0, 0)),
  ("out of roi", 3, 255, false, RGB(0, 0, 0)),
  ("static", 4, 255, false, RGB(0, 0, 0)),
  ("dynamic", 5, 255, false, RGB(111, 74, 0)),
  ("ground", 6, 255, false, RGB(81, 0, 81)),
  ("road", 7, 0, false, RGB(128, 64, 128)),
  ("sidewalk", 8, 1, false, RGB(244, 35, 232)),
  ("parking", 9, 255, false, RGB(250, 170, 160)),
  ("rail track", 10, 255, false, RGB(230, 150, 140)),
  ("building", 11, 2, false, RGB(70, 70, 70)),
  ("wall", 12, 3, false, RGB(102, 102, 156)),
  ("fence", 13, 4, false, RGB(190, 153, 153)),
  ("guard rail", 14, 255, false, RGB(180, 165, 180)),
  ("bridge", 15, 255, false, RGB(150, 100, 100)),
  ("tunnel", 16, 255, false, RGB(150, 120, 90)),
  ("pole", 17, 5, false, RGB(153, 153, 153)),
  ("polegroup", 18, 255, false, RGB(153, 153, 153)),
  ("traffic light", 19, 6, false, RGB(250, 170, 30)),
  ("traffic sign", 20, 7, false, RGB(220, 220, 0)),
  ("vegetation", 21, 8, false, RGB(107, 142, 35)),
  ("terrain", 22, 9, false, RGB(152, 251, 152)),
  ("sky", 23, 10, false, RGB(70, 130, 180)),
  ("person", 24, 11, true, RGB(220, 20, 60)),
  ("rider", 25, 12, true, RGB(255, 0, 0)),
  ("car", 26, 13, true, RGB(0, 0, 142)),
  ("truck", 27, 14, true, RGB(0, 0, 70)),
  ("bus", 28, 15, true, RGB(0, 60, 100)),
  ("caravan", 29, 255, true, RGB(0, 0, 90)),
  ("trailer", 30, 255, true, RGB(0, 0, 110)),
  ("train", 31, 16, true, RGB(0, 80, 100)),
  ("motorcycle", 32, 17, true, RGB(0, 0, 230)),
  ("bicycle", 33, 18, true, RGB(119, 11, 32)),
  ("license plate", -1, -1, false, RGB(0, 0, 142)),
]

/// The cityscapesScripts category of a Cityscapes label id (`category` in its label table): void
/// 0…6, flat 7…10, construction 11…16, object 17…20, nature 21…22, sky 23, human 24…25, vehicle
/// 26…33 and −1 (license plate).
func cityscapesCategory(ofId id: Int) -> String {
  switch id {
  case 7...10: "flat"
  case 11...16: "construction"
  case 17...20: "object"
  case 21...22: "nature"
  case 23: "sky"
  case 24...25: "human"
  case 26...33, -1: "vehicle"
  default: "void"
  }
}

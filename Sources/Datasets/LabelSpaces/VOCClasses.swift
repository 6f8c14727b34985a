/// Pascal VOC 2012's 21 segmentation classes (background and the 20 object classes), in index
/// order, as the devkit's `VOCinit.m` lists them.
let vocClassNames = [
  "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
  "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
]

/// The colour of palette index `index` in VOC's label PNGs (the devkit's `VOClabelcolormap.m`):
/// the index's bits spread over the three channels, most significant first (0 black, 1
/// (128,0,0), 2 (0,128,0), …, 255 (224,224,192), the void border).
public func vocPaletteColor(_ index: UInt8) -> RGB {
  var red: UInt8 = 0, green: UInt8 = 0, blue: UInt8 = 0
  var bits = index
  for shift: UInt8 in [7, 6, 5, 4, 3, 2, 1, 0] {
    red |= (bits & 1) << shift
    green |= (bits >> 1 & 1) << shift
    blue |= (bits >> 2 & 1) << shift
    bits >>= 3
  }
  return RGB(red, green, blue)
}

import DanceCore
public import Datasets
import Foundation
public import ImageCodecs

/// Cityscapes-format roots built from CamVid's real photographs (SegNet's release: `train/`, `val/`,
/// `test/` images with 11-class labels in `trainannot/`, `valannot/`, `testannot/`), so that the
/// benchmarks and a Python + OpenCV reference that reads the Cityscapes layout measure on real
/// frames. Every sample goes to the `train` split, under `leftImg8bit/train/CITY/` and
/// `gtFine/train/CITY/`, with the label as Cityscapes label ids (`*_gtFine_labelIds.png`).
public enum CamVidCityscapesRoot {
  /// The Cityscapes label id of each SegNet CamVid class, in class order: Sky → 23 sky, Building →
  /// 11 building, Pole → 17 pole, Road → 7 road, Pavement → 8 sidewalk, Tree → 21 vegetation,
  /// SignSymbol → 20 traffic sign, Fence → 13 fence, Car → 26 car, Pedestrian → 24 person,
  /// Bicyclist → 33 bicycle. Every other value (11, void) becomes 0 (unlabeled).
  public static let cityscapesLabelIDs: [UInt8] = [23, 11, 17, 7, 8, 21, 20, 13, 26, 24, 33]

  /// The Cityscapes label id of CamVid class `camVidClass` (0 for void and anything unknown).
  public static func cityscapesLabelID(camVidClass: UInt8) -> UInt8 {
    Int(camVidClass) < cityscapesLabelIDs.count ? cityscapesLabelIDs[Int(camVidClass)] : 0
  }

  /// One CamVid frame: its image and label files, its sequence (the name up to the first `_`) and
  /// its name without extension.
  public struct Frame: Sendable, Equatable {
    /// The image PNG.
    public var image: String
    /// The 11-class label PNG.
    public var label: String
    /// The sequence, e.g. `0001TP`: the Cityscapes "city" folder of the sample.
    public var sequence: String
    /// The file name without `.png`, e.g. `0001TP_006690`.
    public var name: String
  }

  /// Every frame of `camvid`'s `train`, `val` and `test` splits that has its label, split by split
  /// and by name, as the CamVid layout discovers them (``DatasetLayout/discover(root:options:)``).
  ///
  /// - Throws: ``DatasetError`` when `camvid` is not a CamVid root, has no labelled frames, or two
  ///   share a name.
  public static func frames(in camvid: String) throws -> [Frame] {
    let discovery = try DatasetLayout.discover(root: camvid, options: DiscoveryOptions(format: .camvid))
    let splits = DatasetSplit.allCases
    let frames = discovery.samples.compactMap { sample -> (split: Int, frame: Frame)? in
      guard let label = sample.labelPath else { return nil }
      let name = ((sample.imagePath as NSString).lastPathComponent as NSString).deletingPathExtension
      let sequence = name.split(separator: "_").first.map(String.init) ?? name
      let frame = Frame(image: discovery.root + "/" + sample.imagePath, label: discovery.root + "/" + label, sequence: sequence, name: name)
      return (splits.firstIndex(of: sample.split) ?? splits.count, frame)
    }.sorted { ($0.split, $0.frame.name) < ($1.split, $1.frame.name) }.map(\.frame)
    guard !frames.isEmpty else { throw DatasetError.invalidConfiguration(path: camvid, reason: "no CamVid frames with labels") }
    guard Set(frames.map(\.name)).count == frames.count else { throw DatasetError.invalidConfiguration(path: camvid, reason: "CamVid frame names repeat") }
    return frames
  }

  /// The CamVid label at `path` as Cityscapes label ids (8-bit gray).
  public static func cityscapesLabel(contentsOf path: String) throws -> Image8 {
    guard case .uint8(var label) = try ImageDecoder().decodeLabel(contentsOf: path).image, label.channels == 1 else {
      throw DatasetError.invalidLabel(path: path, reason: "not an 8-bit gray CamVid label")
    }
    for index in label.samples.indices { label.samples[index] = labelIDOfByte[Int(label.samples[index])] }
    return label
  }

  /// ``cityscapesLabelID(camVidClass:)`` for every byte value, made once.
  static let labelIDOfByte: [UInt8] = (0...255).map { cityscapesLabelID(camVidClass: UInt8($0)) }

  /// The encoder of the label files written: no filter, zlib level 6.
  static let labelEncoder = PNGEncoder(compressionLevel: 6, filter: .none)

  /// Writes every frame as it is: the image PNG's bytes copied as stored to
  /// `leftImg8bit/train/SEQ/NAME_leftImg8bit.png`, the label converted to Cityscapes label ids in
  /// `gtFine/train/SEQ/NAME_gtFine_labelIds.png`.
  public static func writeAsStored(_ frames: [Frame], into root: String, workers: Int) throws {
    try write(count: frames.count, into: root, workers: workers) { index in
      let frame = frames[index]
      let image = try ImageDecoder().readFile(frame.image)
      let label = try labelEncoder.encode(try cityscapesLabel(contentsOf: frame.label))
      return (frame.sequence, frame.name, image, label)
    }
  }

  /// Writes `count` 2048×1024 frames, each four CamVid frames (`index`, and `index` plus one,
  /// two and three quarters of the list) resized to 1024×512 and tiled 2×2: images with the area
  /// kernel, encoded with `imageEncoder`; labels with the nearest rule, as Cityscapes label ids.
  /// Sample `k` is `leftImg8bit/train/camvid/camvid_00000k_000019_leftImg8bit.png`.
  public static func writeTiled(_ frames: [Frame], count: Int, imageEncoder: PNGEncoder, into root: String, workers: Int) throws {
    guard count > 0, frames.count >= 4 else { throw DatasetError.invalidConfiguration(path: root, reason: "tiling needs at least 4 frames and a positive count") }
    let quarter = frames.count / 4
    try write(count: count, into: root, workers: workers) { index in
      let four = (0..<4).map { frames[(index + $0 * quarter) % frames.count] }
      let images = try four.map { frame -> Image8 in
        guard case .uint8(let image) = try ImageDecoder().decode(contentsOf: frame.image).image, image.channels == 3 else {
          throw DatasetError.invalidConfiguration(path: frame.image, reason: "not an 8-bit RGB photograph")
        }
        return ImageResampler.resize(image, width: 1024, height: 512, kernel: .area)
      }
      let labels = try four.map { try cityscapesLabel(contentsOf: $0.label).resizedNearest(width: 1024, height: 512) }
      let name = "camvid_" + String(format: "%06d", index) + "_000019"
      return ("camvid", name, try imageEncoder.encode(tile2x2(images)), try labelEncoder.encode(tile2x2(labels)))
    }
  }

  /// Four images of the same size and channel count as one image twice as wide and tall: the
  /// first top left, the second top right, then bottom left and bottom right.
  public static func tile2x2(_ four: [Image8]) -> Image8 {
    precondition(four.count == 4, "tile2x2 takes four images")
    let width = four[0].width, height = four[0].height, channels = four[0].channels
    var frame = Image8(width: 2 * width, height: 2 * height, channels: channels)
    let row = width * channels
    for (index, image) in four.enumerated() {
      precondition(image.width == width && image.height == height && image.channels == channels, "tiles differ in size")
      let left = (index % 2) * row, top = (index / 2) * height
      for y in 0..<height {
        let target = (top + y) * 2 * row + left
        frame.samples.replaceSubrange(target..<(target + row), with: image.samples[(y * row)..<((y + 1) * row)])
      }
    }
    return frame
  }

  /// Makes `count` samples with `make` (city, stem, image PNG, label PNG) on `workers` threads and
  /// writes them under `root`'s train split.
  static func write(
    count: Int, into root: String, workers: Int,
    make: @escaping @Sendable (Int) throws -> (String, String, [UInt8], [UInt8])
  ) throws {
    try OrderedParallelMap(workers: workers).run(Array(0..<count)) { index -> Result<(String, String, [UInt8], [UInt8]), any Error> in
      Result { try make(index) }
    } consume: { _, result in
      let (city, stem, image, label) = try result.get()
      for (folder, suffix, bytes) in [("leftImg8bit", "_leftImg8bit.png", image), ("gtFine", "_gtFine_labelIds.png", label)] {
        let directory = "\(root)/\(folder)/\(DatasetSplit.train.rawValue)/\(city)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: directory + "/" + stem + suffix, contents: Data(bytes)) else {
          throw DatasetError.cannotWriteFile(path: directory + "/" + stem + suffix, reason: "createFile failed")
        }
      }
    }
  }
}

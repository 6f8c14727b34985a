import DanceCore
import Datasets

/// File names and folders of synthetic samples, exactly as the real datasets name them
/// (`formats.md`, section A).
///
/// A sample's names depend only on its format, split and index, never on how many samples are
/// written, so sample `k` is the same file in every run.
enum SyntheticDatasetLayout {
  /// The 18 Cityscapes training cities.
  static let cityscapesTrainCities = [
    "aachen", "bochum", "bremen", "cologne", "darmstadt", "dusseldorf", "erfurt", "hamburg", "hanover", "jena",
    "krefeld", "monchengladbach", "strasbourg", "stuttgart", "tubingen", "ulm", "weimar", "zurich",
  ]
  /// The 3 Cityscapes validation cities.
  static let cityscapesValCities = ["frankfurt", "lindau", "munster"]

  /// A CamVid sequence: its name, the frame-number prefix and width, and its first frame.
  struct CamVidSequence {
    var name: String
    var framePrefix: String
    var digits: Int
    var firstFrame: Int
  }

  /// CamVid sequences per split. Frame numbers step by 30 like the SegNet release; the residues
  /// keep every basename unique across splits (each sequence-and-residue pair belongs to one split).
  static func camvidSequences(for split: DatasetSplit) -> [CamVidSequence] {
    switch split {
    case .train:
      [CamVidSequence(name: "0001TP", framePrefix: "", digits: 6, firstFrame: 6690),
       CamVidSequence(name: "0006R0", framePrefix: "f", digits: 5, firstFrame: 930),
       CamVidSequence(name: "0016E5", framePrefix: "", digits: 5, firstFrame: 390)]
    case .val:
      [CamVidSequence(name: "0016E5", framePrefix: "", digits: 5, firstFrame: 7959)]
    case .test:
      [CamVidSequence(name: "Seq05VD", framePrefix: "f", digits: 5, firstFrame: 0)]
    }
  }

  /// The folder Pascal VOC's archive unpacks to; synthetic VOC datasets live in it.
  static let vocRoot = "VOCdevkit/VOC2012"

  /// The files of one sample, relative to the output directory.
  struct SamplePaths: Equatable {
    /// The RGB image.
    var image: String
    /// The label map (Cityscapes `labelIds`, CamVid annotation, ADE20K annotation, VOC palette
    /// PNG, generic mask).
    var label: String
    /// Cityscapes only: the 16-bit instance-id map.
    var instanceIDs: String?
    /// Cityscapes only: the RGBA colour rendering of the labels.
    var color: String?
  }

  /// The paths of sample `index` of `split` in `format`.
  static func paths(format: DatasetFormat, split: DatasetSplit, index: Int) -> SamplePaths {
    switch format {
    case .cityscapes:
      let cities = split == .train ? cityscapesTrainCities : cityscapesValCities
      let city = cities[index % cities.count]
      let stem = "\(city)_\(zeroPadded(index / cities.count, 6))_000019"
      let folder = "\(split.folderName(in: format))/\(city)"
      let gt = "gtFine/\(folder)/\(stem)_gtFine_"
      return SamplePaths(
        image: "leftImg8bit/\(folder)/\(stem)_leftImg8bit.png", label: gt + "labelIds.png",
        instanceIDs: gt + "instanceIds.png", color: gt + "color.png")
    case .camvid:
      let basename = camvidBasename(split: split, index: index)
      let folder = split.folderName(in: format)
      return SamplePaths(image: "\(folder)/\(basename).png", label: "\(folder)annot/\(basename).png")
    case .ade20k:
      let folder = split.folderName(in: format)
      let stem = "ADE_\(split.rawValue)_\(zeroPadded(index + 1, 8))"
      return SamplePaths(
        image: "ADEChallengeData2016/images/\(folder)/\(stem).jpg",
        label: "ADEChallengeData2016/annotations/\(folder)/\(stem).png")
    case .voc:
      let id = vocImageId(split: split, index: index)
      return SamplePaths(image: "\(vocRoot)/JPEGImages/\(id).jpg", label: "\(vocRoot)/SegmentationClass/\(id).png")
    case .generic:
      let stem = "street_\(zeroPadded(index, 6))"
      return SamplePaths(image: "images/\(split.rawValue)/\(stem).png", label: "masks/\(split.rawValue)/\(stem).png")
    }
  }

  /// The VOC image id of sample `index` of `split`, like VOC's own (`2007_000032`): training
  /// samples in 2007, validation samples in 2008, so ids never repeat across splits.
  static func vocImageId(split: DatasetSplit, index: Int) -> String {
    "\(split == .train ? 2007 : split == .val ? 2008 : 2009)_\(zeroPadded(index, 6))"
  }

  /// The VOC split list of `split` (`ImageSets/Segmentation/train.txt`, …).
  static func vocListFile(split: String) -> String { "\(vocRoot)/ImageSets/Segmentation/\(split).txt" }

  /// The SegNet basename of CamVid sample `index` of `split`, e.g. `0001TP_006690`.
  static func camvidBasename(split: DatasetSplit, index: Int) -> String {
    let sequences = camvidSequences(for: split)
    let sequence = sequences[index % sequences.count]
    let frame = sequence.firstFrame + 30 * (index / sequences.count)
    return "\(sequence.name)_\(sequence.framePrefix)\(zeroPadded(frame, sequence.digits))"
  }

  /// The CamVid list file of `split` (`train.txt`, …) and its line for sample `index`:
  /// `/SegNet/CamVid/train/X.png /SegNet/CamVid/trainannot/X.png`, as the SegNet release has them.
  static func camvidListLine(split: DatasetSplit, index: Int) -> String {
    let paths = paths(format: .camvid, split: split, index: index)
    return "/SegNet/CamVid/\(paths.image) /SegNet/CamVid/\(paths.label)"
  }

  /// The name of the CamVid list file of `split`.
  static func camvidListFile(split: DatasetSplit) -> String { "\(split.rawValue).txt" }

  /// `value` in decimal, left-padded with zeros to `digits` digits (longer numbers are kept whole).
  static func zeroPadded(_ value: Int, _ digits: Int) -> String {
    let text = String(value)
    return text.count >= digits ? text : String(repeating: "0", count: digits - text.count) + text
  }
}

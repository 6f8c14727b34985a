import DanceCore
import Foundation

/// Pascal VOC 2012 segmentation: `JPEGImages/<id>.jpg` with `SegmentationClass/<id>.png` (palette
/// indices 0…20, 255 = the void border around objects), the splits listed one id per line in
/// `ImageSets/Segmentation/{train,val,test}.txt`.
///
/// The root may be `VOC2012` itself or a folder holding `VOC2012/` or `VOCdevkit/VOC2012/`. Only
/// the listed ids are samples: VOC's other images (detection only) and folders (`Annotations/`,
/// `SegmentationObject/`, `ImageSets/Main/`, …) belong to the layout and are not strays; a
/// `SegmentationClass` file no list names is. A listed split without any label files (VOC's test
/// set) is reported once and not cataloged. `trainval.txt` is the union of train and val and is
/// not read.
enum VOCLayout {
  /// The folders a root may hold the dataset in, innermost first.
  static let folders = ["VOC2012", "VOCdevkit/VOC2012"]
  /// The folder of the split lists.
  static let listFolder = "ImageSets/Segmentation"
  /// The folder of the label files.
  static let labelFolder = "SegmentationClass"
  /// The folder of the images.
  static let imageFolder = "JPEGImages"
  /// Image extensions tried for a listed id, in order (VOC ships `.jpg`; an export of PNG-stored
  /// samples writes `.png`).
  static let imageExtensions = ["jpg", "jpeg", "png"]

  /// The folder under `root` holding `JPEGImages/` and `SegmentationClass/`, or nil.
  static func locate(root: String) -> String? {
    for candidate in [root] + folders.map({ root + "/" + $0 }) {
      let manager = FileManager.default
      if manager.fileExists(atPath: candidate + "/" + imageFolder) && manager.fileExists(atPath: candidate + "/" + labelFolder) {
        return candidate
      }
    }
    return nil
  }

  static func discover(root given: String, name: String) throws(DatasetError) -> Discovery {
    guard let root = locate(root: given) else {
      throw .invalidConfiguration(
        path: given, reason: "not a Pascal VOC root: expected \(imageFolder)/ and \(labelFolder)/ (here, in VOC2012/ or in VOCdevkit/VOC2012/)")
    }
    let lists = try splitLists(root: root)
    let labelTree = FileTree(root: root, subdirectory: labelFolder)
    var problems = labelTree.problems
    let labels = Set(labelTree.files)
    var used = Set<String>()
    var samples: [DiscoveredSample] = []
    for (split, ids) in lists {
      let listPath = listFolder + "/" + split.rawValue + ".txt"
      guard ids.contains(where: { labels.contains(labelPath($0)) }) else {
        problems.append(LayoutProblem(
          .noAnnotations, path: listPath, detail: "\(counted(ids.count, "id")) without \(labelFolder)/ files (test labels are not public); not cataloged"))
        continue
      }
      for id in ids {
        let label = labelPath(id)
        guard let image = imagePath(id, root: root) else {
          problems.append(LayoutProblem(
            .missingImage, path: listPath, detail: "lists '\(id)', but \(imageFolder)/\(id).jpg is missing"))
          continue
        }
        if labels.contains(label) { used.insert(label) }
        samples.append(DiscoveredSample(
          key: SampleKey(prefix: [name, split.rawValue], relativePath: id), split: split, imagePath: image,
          labelPath: labels.contains(label) ? label : nil, labelEncoding: .voc))
      }
    }
    for path in labels.subtracting(used).sorted() where !path.hasSuffix("_labelTrainIds.png") {
      problems.append(LayoutProblem(.strayFile, path: path, detail: "a label file that no \(listFolder)/*.txt list names"))
    }
    samples = DatasetLayout.removingDuplicateKeys(samples, problems: &problems)
    return Discovery(format: .voc, root: root, name: name, samples: samples, problems: problems, labels: DatasetLabels(format: .voc))
  }

  static func labelPath(_ id: String) -> String { labelFolder + "/" + id + ".png" }

  /// The image of a listed id, relative to the root, or nil when none exists.
  static func imagePath(_ id: String, root: String) -> String? {
    imageExtensions.map { imageFolder + "/" + id + "." + $0 }.first { FileManager.default.fileExists(atPath: root + "/" + $0) }
  }

  /// The ids of every split list that exists, in split order; at least train or val must.
  static func splitLists(root: String) throws(DatasetError) -> [(split: DatasetSplit, ids: [String])] {
    var lists: [(split: DatasetSplit, ids: [String])] = []
    for split in DatasetSplit.allCases {
      let path = root + "/" + listFolder + "/" + split.rawValue + ".txt"
      guard FileManager.default.fileExists(atPath: path) else { continue }
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw .invalidConfiguration(path: path, reason: "cannot read the split list as UTF-8 text")
      }
      var ids: [String] = []
      for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let id = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if id.isEmpty { continue }
        guard !id.contains("/"), !id.contains(" "), id != ".", id != ".." else {
          throw .invalidConfiguration(path: path, reason: "line \(number + 1): expected one image id per line (e.g. 2007_000032), got '\(id)'")
        }
        ids.append(id)
      }
      lists.append((split, ids))
    }
    guard lists.contains(where: { $0.split != .test }) else {
      throw .invalidConfiguration(
        path: root + "/" + listFolder, reason: "expected the split lists train.txt and val.txt (one image id per line)")
    }
    return lists
  }
}

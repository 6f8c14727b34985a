import DanceCore
import Foundation

/// Cityscapes: `leftImg8bit/SPLIT/CITY/CITY_SEQ_FRAME_leftImg8bit.png` with labels in `gtFine/`
/// (or `gtCoarse/` where no fine annotation exists) under the same split, city and stem.
///
/// The label is the first of `_gtFine_labelIds.png`, `_gtFine_labelTrainIds.png`,
/// `_gtCoarse_labelIds.png`, `_gtCoarse_labelTrainIds.png` that exists. The other annotation files
/// of a stem (`_color.png`, `_instanceIds.png`, `_polygons.json`) belong to the layout and are not
/// strays. Split folders `train`, `val`, `test` map to themselves, `train_extra` to train.
enum CityscapesLayout {
  static let annotationSuffixes = ["_color.png", "_instanceIds.png", "_labelIds.png", "_labelTrainIds.png", "_polygons.json"]
  static let splits = DatasetSplit.byFolderName(in: .cityscapes).merging(["train_extra": .train]) { first, _ in first }

  static func discover(root: String, name: String) -> Discovery {
    let images = FileTree(root: root, subdirectory: "leftImg8bit")
    var problems = images.problems
    var annotations = Set<String>()
    for folder in ["gtFine", "gtCoarse"] where FileManager.default.fileExists(atPath: root + "/" + folder) {
      let tree = FileTree(root: root, subdirectory: folder)
      annotations.formUnion(tree.files)
      problems += tree.problems
    }
    var used = Set<String>()
    var samples: [DiscoveredSample] = []
    for path in images.files {
      let parts = path.split(separator: "/").map(String.init)
      guard parts.count == 4, parts[3].hasSuffix("_leftImg8bit.png") else {
        problems.append(LayoutProblem(
          .strayFile, path: path, detail: "not a Cityscapes image (expected leftImg8bit/SPLIT/CITY/*_leftImg8bit.png)"))
        continue
      }
      guard let split = splits[parts[1]] else {
        problems.append(LayoutProblem(.strayFile, path: path, detail: "unknown split folder '\(parts[1])'"))
        continue
      }
      let stem = String(parts[3].dropLast("_leftImg8bit.png".count))
      var label: (path: String, encoding: LabelEncoding)?
      for folder in ["gtFine", "gtCoarse"] {
        let base = "\(folder)/\(parts[1])/\(parts[2])/\(stem)_\(folder)"
        for suffix in annotationSuffixes where annotations.contains(base + suffix) { used.insert(base + suffix) }
        if label == nil, annotations.contains(base + "_labelIds.png") {
          label = (base + "_labelIds.png", .cityscapesLabelIds)
        } else if label == nil, annotations.contains(base + "_labelTrainIds.png") {
          label = (base + "_labelTrainIds.png", .cityscapesTrainIds)
        }
      }
      samples.append(DiscoveredSample(
        key: SampleKey(prefix: [name, parts[1]], relativePath: parts[2] + "/" + stem), split: split,
        imagePath: path, labelPath: label?.path, labelEncoding: label?.encoding ?? .cityscapesLabelIds))
    }
    for path in annotations.subtracting(used).sorted() {
      if annotationSuffixes.contains(where: path.hasSuffix) {
        problems.append(LayoutProblem(.missingImage, path: path, detail: "annotation without its leftImg8bit image"))
      } else {
        problems.append(LayoutProblem(.strayFile, path: path, detail: "not a Cityscapes annotation file"))
      }
    }
    samples = DatasetLayout.removingDuplicateKeys(samples, problems: &problems)
    return Discovery(
      format: .cityscapes, root: root, name: name, samples: samples, problems: problems, labels: DatasetLabels(format: .cityscapes))
  }
}

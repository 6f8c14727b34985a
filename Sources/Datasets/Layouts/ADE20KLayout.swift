import DanceCore
import Foundation

/// ADE20K SceneParsing: `ADEChallengeData2016/images/{training,validation}/*.jpg` with
/// `annotations/{training,validation}/<same name>.png` (0 = other, 1…150 classes).
///
/// The root may be `ADEChallengeData2016` itself or the folder holding it. A split folder without
/// an annotations folder (`images/testing`) is reported once and not cataloged.
enum ADE20KLayout {
  /// The folder the archive unpacks to; a root holding it is read through it.
  static let folder = "ADEChallengeData2016"
  static let splits: [(folder: String, split: DatasetSplit)] = [("training", .train), ("validation", .val), ("testing", .test)]
  static let topLevelFiles: Set<String> = [
    "objectInfo150.txt", "sceneCategories.txt", "README.md", "index_ade20k.pkl", DatasetLayout.exportSidecar,
  ]

  static func discover(root: String, name datasetName: String) throws(DatasetError) -> Discovery {
    var root = root
    if FileManager.default.fileExists(atPath: root + "/" + folder + "/images") {
      root += "/" + folder
    }
    guard FileManager.default.fileExists(atPath: root + "/images") else {
      throw .invalidConfiguration(path: root, reason: "not an ADE20K root: images/ is missing")
    }
    var problems: [LayoutProblem] = []
    var samples: [DiscoveredSample] = []
    let top = FileTree(root: root)
    problems += top.problems.filter { !$0.path.hasPrefix("images/") && !$0.path.hasPrefix("annotations/") }
    var layoutFiles = Set<String>()
    for (folder, split) in splits {
      let imageFolder = "images/" + folder
      let annotationFolder = "annotations/" + folder
      let images = top.files.filter { $0.hasPrefix(imageFolder + "/") }
      let annotations = Set(top.files.filter { $0.hasPrefix(annotationFolder + "/") })
      layoutFiles.formUnion(images)
      layoutFiles.formUnion(annotations)
      if images.isEmpty && annotations.isEmpty { continue }
      guard FileManager.default.fileExists(atPath: root + "/" + annotationFolder) else {
        problems.append(LayoutProblem(
          .noAnnotations, path: imageFolder,
          detail: "\(images.count) images without an \(annotationFolder)/ folder (test labels are not public); not cataloged"))
        continue
      }
      var used = Set<String>()
      for path in images {
        let name = path.dropFirst(imageFolder.count + 1)
        guard !name.contains("/"), ["jpg", "jpeg", "png"].contains((path as NSString).pathExtension.lowercased()) else {
          problems.append(LayoutProblem(.strayFile, path: path, detail: "not an ADE20K image (expected \(imageFolder)/*.jpg)"))
          continue
        }
        let label = annotationFolder + "/" + String(name).deletingPathExtension + ".png"
        let hasLabel = annotations.contains(label)
        if hasLabel { used.insert(label) }
        samples.append(DiscoveredSample(
          key: SampleKey(prefix: [datasetName, folder], relativePath: String(name).deletingPathExtension), split: split,
          imagePath: path, labelPath: hasLabel ? label : nil, labelEncoding: .ade20k))
      }
      for path in annotations.subtracting(used).sorted() where !path.hasSuffix("_labelTrainIds.png") {
        problems.append(path.hasSuffix(".png")
          ? LayoutProblem(.missingImage, path: path, detail: "annotation without its image")
          : LayoutProblem(.strayFile, path: path, detail: "not an ADE20K annotation"))
      }
    }
    for path in top.files where !layoutFiles.contains(path) && !topLevelFiles.contains(path) {
      problems.append(LayoutProblem(.strayFile, path: path, detail: "not part of the ADE20K layout"))
    }
    samples = DatasetLayout.removingDuplicateKeys(samples, problems: &problems)
    return Discovery(
      format: .ade20k, root: root, name: datasetName, samples: samples, problems: problems, labels: DatasetLabels(format: .ade20k))
  }
}

import DanceCore
import Foundation

/// CamVid, in either release.
///
/// - SegNet (`train/` + `trainannot/`, `val/` + `valannot/`, `test/` + `testannot/`, same basenames;
///   annotations 0…10, 11 = void), with the optional list files `train.txt` etc.
/// - The original 32-class release: `701_StillsRaw_full/X.png` with colour-coded
///   `LabeledApproved_full/X_L.png` and `label_colors.txt`. Splits come from `train.txt`, `val.txt`,
///   `test.txt` when present (one sample per line; the first path's basename is used, so SegNet's
///   list files work as they are); without them every sample is in the training split.
enum CamVidLayout {
  static let listFiles = ["train.txt", "val.txt", "test.txt"]
  static let topLevelFiles: Set<String> = Set(
    listFiles + ["label_colors.txt", "README", "README.md", "LICENSE", DatasetLayout.exportSidecar])
  static let originalImages = "701_StillsRaw_full"
  static let originalLabels = "LabeledApproved_full"

  static func discover(root: String, name datasetName: String, grouping: CamVidGrouping) throws(DatasetError) -> Discovery {
    let tree = FileTree(root: root)
    var found = Found(problems: tree.problems)
    if FileManager.default.fileExists(atPath: root + "/" + originalImages) {
      try discoverOriginal(tree, root: root, name: datasetName, grouping: grouping, into: &found)
    } else {
      discoverSegNet(tree, name: datasetName, into: &found)
    }
    var problems = found.problems
    for path in tree.files where !found.layoutFiles.contains(path) && !topLevelFiles.contains(path) {
      problems.append(LayoutProblem(.strayFile, path: path, detail: "not part of the CamVid layout"))
    }
    let samples = DatasetLayout.removingDuplicateKeys(found.samples, problems: &problems)
    return Discovery(
      format: .camvid, root: root, name: datasetName, samples: samples, problems: problems,
      labels: DatasetLabels(format: .camvid, camvidGrouping: grouping))
  }

  /// What discovery has found so far.
  private struct Found {
    var samples: [DiscoveredSample] = []
    var problems: [LayoutProblem]
    /// The files that belong to the layout (images and labels, used or not).
    var layoutFiles = Set<String>()
  }

  /// The 32-class release: each image of `701_StillsRaw_full/` with its `_L.png` label, in the split
  /// the list files give it (the training split without list files).
  private static func discoverOriginal(
    _ tree: FileTree, root: String, name datasetName: String, grouping: CamVidGrouping, into found: inout Found
  ) throws(DatasetError) {
    let encoding = LabelEncoding.camvidColors(try colorGrouping(root: root, grouping: grouping))
    let splitOf = try listedSplits(root: root)
    let images = tree.files.filter { $0.hasPrefix(originalImages + "/") }
    let labels = Set(tree.files.filter { $0.hasPrefix(originalLabels + "/") })
    found.layoutFiles.formUnion(images)
    found.layoutFiles.formUnion(labels)
    var used = Set<String>()
    for path in images {
      let stem = path.lastPathComponent.deletingPathExtension
      let label = "\(originalLabels)/\(stem)_L.png"
      if labels.contains(label) { used.insert(label) }
      let split = splitOf.isEmpty ? .train : splitOf[stem]
      guard let split else {
        found.problems.append(LayoutProblem(.strayFile, path: path, detail: "listed in none of \(listFiles.joined(separator: ", "))"))
        continue
      }
      found.samples.append(DiscoveredSample(
        key: SampleKey(prefix: [datasetName, split.rawValue], relativePath: stem), split: split, imagePath: path,
        labelPath: labels.contains(label) ? label : nil, labelEncoding: encoding))
    }
    for path in labels.subtracting(used).sorted() where !path.hasSuffix("_labelTrainIds.png") {
      found.problems.append(LayoutProblem(.missingImage, path: path, detail: "label without its image in \(originalImages)/"))
    }
  }

  /// The SegNet release: per split, each `<split>/X.png` with its `<split>annot/X.png` annotation.
  private static func discoverSegNet(_ tree: FileTree, name datasetName: String, into found: inout Found) {
    for split in DatasetSplit.allCases {
      let images = tree.files.filter { $0.hasPrefix(split.rawValue + "/") }
      let annotationFolder = split.rawValue + "annot"
      let labels = Set(tree.files.filter { $0.hasPrefix(annotationFolder + "/") })
      found.layoutFiles.formUnion(images)
      found.layoutFiles.formUnion(labels)
      var used = Set<String>()
      for path in images {
        let name = String(path.dropFirst(split.rawValue.count + 1))
        guard !name.contains("/"), path.hasSuffix(".png") else {
          found.problems.append(LayoutProblem(.strayFile, path: path, detail: "not a CamVid image (expected \(split.rawValue)/*.png)"))
          continue
        }
        let label = annotationFolder + "/" + name
        if labels.contains(label) { used.insert(label) }
        found.samples.append(DiscoveredSample(
          key: SampleKey(prefix: [datasetName, split.rawValue], relativePath: name.deletingPathExtension), split: split,
          imagePath: path, labelPath: labels.contains(label) ? label : nil, labelEncoding: .camvidSegNet))
      }
      for path in labels.subtracting(used).sorted() where !path.hasSuffix("_labelTrainIds.png") {
        found.problems.append(LayoutProblem(.missingImage, path: path, detail: "annotation without its image in \(split.rawValue)/"))
      }
    }
  }

  /// The split of every listed stem, from whichever list files exist.
  static func listedSplits(root: String) throws(DatasetError) -> [String: DatasetSplit] {
    var splits: [String: DatasetSplit] = [:]
    for split in DatasetSplit.allCases {
      let path = root + "/" + split.rawValue + ".txt"
      guard FileManager.default.fileExists(atPath: path) else { continue }
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw .invalidConfiguration(path: path, reason: "cannot read the list file as UTF-8 text")
      }
      for line in text.split(whereSeparator: \.isNewline) {
        guard let first = line.split(separator: " ").first else { continue }
        splits[String(first).lastPathComponent.deletingPathExtension] = split
      }
    }
    return splits
  }

  /// The grouping with colours taken from the dataset's own `label_colors.txt` when it has one.
  static func colorGrouping(root: String, grouping: CamVidGrouping) throws(DatasetError) -> CamVidGrouping {
    let path = root + "/label_colors.txt"
    guard FileManager.default.fileExists(atPath: path) else { return grouping }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw .invalidConfiguration(path: path, reason: "cannot read label_colors.txt as UTF-8 text")
    }
    let colors = try LabelColorsFile.parse(text, source: path)
    return try grouping.withColors(colors, source: path)
  }
}

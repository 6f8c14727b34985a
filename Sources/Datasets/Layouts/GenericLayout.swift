import DanceCore
import Foundation

/// A dataset of one's own: `images/<split>/<path>.{png,jpg,jpeg}` with `masks/<split>/<path>.png`
/// (the same relative path without its extension), and `classes.yaml` at the root (``ClassesFile``).
///
/// Split folders are `train`, `val` and `test`; below them any folder structure is allowed, and
/// sample keys keep it (`<name>/train/city/a` for `images/train/city/a.jpg`). A split folder in
/// `images/` without its folder in `masks/` is reported once and not cataloged. Masks are index
/// PNGs or colour PNGs, chosen per file. `README*`, `LICENSE` and `weights.csv` at the root belong
/// to the layout; anything else outside `images/` and `masks/` is a stray.
enum GenericLayout {
  static let splits = DatasetSplit.byFolderName(in: .generic)
  static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]
  static let topLevelFiles: Set<String> = [ClassesFile.fileName, "README", "README.md", "README.txt", "LICENSE", DatasetLayout.exportSidecar]

  static func discover(root: String, name: String) throws(DatasetError) -> Discovery {
    let classes = try ClassesFile.read(root + "/" + ClassesFile.fileName)
    guard FileManager.default.fileExists(atPath: root + "/images") else {
      throw .invalidConfiguration(path: root + "/images", reason: "missing: a generic dataset keeps its images in images/<split>/")
    }
    let encoding = classes.encoding
    let tree = FileTree(root: root)
    var problems = tree.problems
    var images: [String] = [], masks = Set<String>()
    for path in tree.files {
      if path.hasPrefix("images/") {
        images.append(path)
      } else if path.hasPrefix("masks/") {
        masks.insert(path)
      } else if !topLevelFiles.contains(path) {
        problems.append(LayoutProblem(.strayFile, path: path, detail: "not part of the generic layout (images/, masks/, classes.yaml)"))
      }
    }
    var used = Set<String>(), unannotated: [String: Int] = [:]
    // A split without masks/<split>/ is unannotated (a test split); looked up once per split, not per image.
    let annotatedSplits = Set(splits.keys.filter { FileManager.default.fileExists(atPath: root + "/masks/" + $0) })
    var samples: [DiscoveredSample] = []
    for path in images {
      let parts = path.split(separator: "/", maxSplits: 2).map(String.init)
      guard parts.count == 3, let split = splits[parts[1]], imageExtensions.contains((path as NSString).pathExtension.lowercased()) else {
        problems.append(LayoutProblem(
          .strayFile, path: path, detail: "not a sample image (expected images/<train|val|test>/….png or .jpg)"))
        continue
      }
      guard annotatedSplits.contains(parts[1]) else {
        unannotated[parts[1], default: 0] += 1
        continue
      }
      let stem = parts[2].deletingPathExtension
      let mask = "masks/\(parts[1])/\(stem).png"
      if masks.contains(mask) { used.insert(mask) }
      samples.append(DiscoveredSample(
        key: SampleKey(prefix: [name, parts[1]], relativePath: stem), split: split, imagePath: path,
        labelPath: masks.contains(mask) ? mask : nil, labelEncoding: encoding))
    }
    for (folder, count) in unannotated.sorted(by: { $0.key < $1.key }) {
      problems.append(LayoutProblem(
        .noAnnotations, path: "images/" + folder, detail: "\(counted(count, "image")) without a masks/\(folder)/ folder; not cataloged"))
    }
    for path in masks.subtracting(used).sorted() where !path.hasSuffix("_labelTrainIds.png") {
      problems.append(path.hasSuffix(".png")
        ? LayoutProblem(.missingImage, path: path, detail: "mask without its image (expected images/…/<same path>.png or .jpg)")
        : LayoutProblem(.strayFile, path: path, detail: "not a mask (expected masks/<split>/….png)"))
    }
    samples = DatasetLayout.removingDuplicateKeys(samples, problems: &problems)
    return Discovery(
      format: .generic, root: root, name: name, samples: samples, problems: problems, labels: DatasetLabels(classes: classes))
  }
}

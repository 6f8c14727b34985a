public import DanceCore
import Foundation

/// A sample found in a dataset's folder layout, before any file is opened.
public struct DiscoveredSample: Sendable, Equatable {
  /// The sample's key, unique within the dataset.
  public var key: SampleKey
  /// The split its folder says.
  public var split: DatasetSplit
  /// The image, relative to the dataset root.
  public var imagePath: String
  /// The label, relative to the dataset root; `nil` when no partner file exists.
  public var labelPath: String?
  /// How the label file encodes classes.
  public var labelEncoding: LabelEncoding
}

/// Something wrong with a dataset's files, found by discovery or validation.
public struct LayoutProblem: Sendable, Equatable, Hashable, Codable {
  /// The kinds of problem, as recorded in the catalog.
  public typealias Kind = ProblemKind

  /// What is wrong.
  public var kind: Kind
  /// The file or folder, relative to the dataset root.
  public var path: String
  /// The sample it makes bad, if any.
  public var sampleKey: SampleKey?
  /// A sentence for people.
  public var detail: String

  enum CodingKeys: String, CodingKey {
    case kind, path, detail
    case sampleKey = "sample_key"
  }

  /// Creates a problem.
  public init(_ kind: Kind, path: String, sampleKey: SampleKey? = nil, detail: String) {
    self.kind = kind
    self.path = path
    self.sampleKey = sampleKey
    self.detail = detail
  }
}

/// The result of discovering a dataset's samples from its folder layout.
public struct Discovery: Sendable {
  /// The layout that was read.
  public var format: DatasetFormat
  /// The absolute dataset root (for ADE20K the `ADEChallengeData2016` folder, for Pascal VOC the
  /// `VOC2012` folder).
  public var root: String
  /// The dataset's name: the first component of every sample key.
  public var name: String
  /// Samples in key order; a sample whose partner file is missing has `labelPath == nil`.
  public var samples: [DiscoveredSample]
  /// Layout problems: stray files, orphans, duplicate keys, loops, unreadable entries.
  public var problems: [LayoutProblem]
  /// How the dataset's label files map to train ids (a generic dataset's `classes.yaml` included).
  public var labels: DatasetLabels
}

/// Options for reading a layout.
public struct DiscoveryOptions: Sendable {
  /// The format, or `nil` to detect it from the root's folders.
  public var format: DatasetFormat?
  /// How CamVid's 32 colour-coded classes group into 11 (original release only).
  public var camvidGrouping: CamVidGrouping
  /// The dataset name that starts every sample key, so that two datasets of one layout never
  /// share keys in a catalog; `nil` for ``DatasetName/default(root:)``.
  public var name: DatasetName?

  /// Creates options; by default the format is detected, the standard CamVid grouping is used and
  /// the name is the root's last path component.
  public init(format: DatasetFormat? = nil, camvidGrouping: CamVidGrouping = .standard, name: DatasetName? = nil) {
    self.format = format
    self.camvidGrouping = camvidGrouping
    self.name = name
  }
}

/// A dataset's name, the first component of its sample keys: 1 to 32 characters of `A-Z a-z 0-9 _ -`.
public struct DatasetName: Hashable, Sendable, Codable, CustomStringConvertible {
  /// The longest name, so that keys keep room below ``SampleKey/maxLength``.
  public static let maxLength = 32

  /// The name.
  public let rawValue: String

  /// Validates a name the user chose; `nil` when it is empty, too long or has other characters.
  public init?(_ text: String) {
    guard !text.isEmpty, text.utf8.count <= Self.maxLength,
      text.unicodeScalars.allSatisfy({ Self.allowed($0) })
    else { return nil }
    rawValue = text
  }

  /// The default name of a root: its last path component, with every other character made `_`
  /// and cut to ``maxLength`` (`/data/Cityscapes 2` → `Cityscapes_2`).
  public static func `default`(root: String) -> DatasetName {
    let component = URL(fileURLWithPath: root).standardizedFileURL.lastPathComponent
    var text = String(String.UnicodeScalarView(component.unicodeScalars.map { allowed($0) ? $0 : "_" }).prefix(maxLength))
    if text.isEmpty || text == "_" { text = "dataset" }
    return DatasetName(text)!
  }

  static func allowed(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "A"..."Z", "a"..."z", "0"..."9", "_", "-": true
    default: false
    }
  }

  /// The name.
  public var description: String { rawValue }
}

/// Finds the samples of a dataset from its on-disk layout (formats.md §A).
public enum DatasetLayout {
  /// The per-sample weights `dance export folder` writes at the root: part of every layout, not a stray.
  public static let exportSidecar = "weights.csv"

  /// The marker `dance export folder` writes at the root: `{"complete": false}` while it writes,
  /// `{"complete": true}` once every file and `weights.csv` are in place.
  public static let exportMarker = ".dance-export.json"

  /// The marker's contents.
  public static func exportMarkerContents(complete: Bool) -> [UInt8] { Array("{\"complete\": \(complete)}\n".utf8) }

  /// Whether the export at `root` finished: nil when `root` holds no export marker (not an export).
  public static func exportIsComplete(root: String) -> Bool? {
    guard let data = FileManager.default.contents(atPath: root + "/" + exportMarker) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["complete"] as? Bool ?? false
  }

  /// Detects the format (unless given) and lists the samples and layout problems.
  /// - Throws: ``DatasetError/invalidConfiguration(path:reason:)`` when the root is missing, is an
  ///   unfinished `dance export folder`, or its layout matches no format.
  public static func discover(root: String, options: DiscoveryOptions = DiscoveryOptions()) throws(DatasetError)
    -> Discovery
  {
    let root = URL(fileURLWithPath: root).standardizedFileURL.path
    let format = try checkRoot(root, format: options.format)
    let name = (options.name ?? .default(root: root)).rawValue
    switch format {
    case .cityscapes: return CityscapesLayout.discover(root: root, name: name)
    case .camvid: return try CamVidLayout.discover(root: root, name: name, grouping: options.camvidGrouping)
    case .ade20k: return try ADE20KLayout.discover(root: root, name: name)
    case .voc: return try VOCLayout.discover(root: root, name: name)
    case .generic: return try GenericLayout.discover(root: root, name: name)
    }
  }

  /// Checks that `root` is a directory of the given format, or of one its folders reveal, without
  /// listing its files: what a command checks before it creates anything.
  /// - Returns: the format.
  /// - Throws: ``DatasetError/invalidConfiguration(path:reason:)`` when the root is missing, is an
  ///   unfinished `dance export folder`, or its layout matches no format.
  @discardableResult
  public static func checkRoot(_ root: String, format: DatasetFormat?) throws(DatasetError) -> DatasetFormat {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw .invalidConfiguration(path: root, reason: "the dataset root is not a directory")
    }
    if exportIsComplete(root: root) == false {
      throw .invalidConfiguration(
        path: root, reason: "an unfinished dance export folder (\(exportMarker) says it is not complete); rerun the export to finish it")
    }
    if let format { return format }
    return try detectFormat(root: root)
  }

  /// The paths a dataset given as `root` may be registered under: the root itself, or the folder
  /// inside it that a layout reads (ADE20K's `ADEChallengeData2016`, VOC's `VOC2012`).
  public static func candidateRoots(of root: String) -> [String] {
    [root, root + "/" + ADE20KLayout.folder] + VOCLayout.folders.map { root + "/" + $0 }
  }

  /// The format whose characteristic folders the root holds.
  public static func detectFormat(root: String) throws(DatasetError) -> DatasetFormat {
    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: root + "/" + relative) }
    if exists(ClassesFile.fileName) && exists("images") { return .generic }
    if exists("leftImg8bit") { return .cityscapes }
    if VOCLayout.locate(root: root) != nil { return .voc }
    if exists("ADEChallengeData2016/images") || (exists("images/training") || exists("images/validation")) && exists("annotations") {
      return .ade20k
    }
    if exists("trainannot") || exists("valannot") || exists("testannot") || exists("label_colors.txt") {
      return .camvid
    }
    throw .invalidConfiguration(
      path: root,
      reason: "cannot tell the dataset format: expected leftImg8bit/ (Cityscapes), trainannot/ or label_colors.txt "
        + "(CamVid), ADEChallengeData2016/images/ (ADE20K), JPEGImages/ and SegmentationClass/ (Pascal VOC) or "
        + "classes.yaml with images/ and masks/ (generic); pass --format")
  }

  /// Keys that occur more than once become problems; only the first sample (in path order) keeps the key.
  static func removingDuplicateKeys(_ samples: [DiscoveredSample], problems: inout [LayoutProblem]) -> [DiscoveredSample] {
    var seen: [SampleKey: String] = [:]
    var unique: [DiscoveredSample] = []
    for sample in samples.sorted(by: { $0.imagePath < $1.imagePath }) {
      if let first = seen[sample.key] {
        problems.append(LayoutProblem(
          .duplicateKey, path: sample.imagePath, sampleKey: sample.key,
          detail: "gives the same sample key \(sample.key) as \(first); only the first is cataloged"))
      } else {
        seen[sample.key] = sample.imagePath
        unique.append(sample)
      }
    }
    return unique.sorted { $0.key < $1.key }
  }
}

extension String {
  /// The path without its last extension (`a/b.c.png` → `a/b.c`).
  var deletingPathExtension: String { (self as NSString).deletingPathExtension }
  /// The last path component.
  var lastPathComponent: String { (self as NSString).lastPathComponent }
}

public import ArgumentParser
import DanceCore
import Datasets
public import ImageCodecs
public import OutputStore
public import Pipeline
public import Slimming
import Trainer
import Foundation

/// What a command does with its catalog, for the help of `--catalog`.
protocol CatalogUse {
  /// The first line of `--catalog`'s help.
  static var help: String { get }
}

/// A command that records what it does in the catalog (scan, score, slim).
enum WritesCatalog: CatalogUse {
  static let help = "The SQLite catalog file (created if missing)."
}

/// A command that only reads a catalog (verify, audit).
enum ReadsCatalog: CatalogUse {
  static let help = "The SQLite catalog file to read (never created)."
}

/// A command that changes an existing catalog (catalog forget, catalog vacuum).
enum ChangesCatalog: CatalogUse {
  static let help = "The SQLite catalog file to change (never created)."
}

/// `--catalog PATH`, shared by every command that reads or writes the catalog.
struct CatalogOptions<Use: CatalogUse>: ParsableArguments {
  @Option(
    name: .customLong("catalog"),
    help: ArgumentHelp(
      Use.help, discussion: "Default: $DANCE_CATALOG, else dance-catalog.sqlite in the current directory.", valueName: "path"))
  var explicitPath: String?

  /// The catalog path in effect.
  var path: String {
    explicitPath ?? ProcessInfo.processInfo.environment["DANCE_CATALOG"] ?? "dance-catalog.sqlite"
  }
}

/// `--format` and `--camvid-grouping`, shared by commands that read a dataset layout.
struct LayoutOptions: ParsableArguments {
  @Option(help: "Dataset layout: cityscapes, camvid, ade20k, voc or generic. Default: detected from the root's folders.")
  var format: DatasetFormat?

  @Option(
    help: ArgumentHelp(
      "CamVid 32-class release only: a file overriding how the 32 classes group into 11.",
      discussion: "One line per change, '<32-class name> <SegNet class | void>', e.g. 'Train void'.",
      valueName: "file"))
  var camvidGrouping: String?

  @Option(
    help: ArgumentHelp(
      "The dataset's name, the first part of every sample key (1–32 of A-Z a-z 0-9 _ -).",
      discussion: "Default: the name the root is registered under in the catalog, else the root's last path component. "
        + "Two datasets in one catalog need different names.",
      valueName: "name"))
  var name: String?

  /// The discovery options these flags describe.
  func discoveryOptions() throws -> DiscoveryOptions {
    var datasetName: DatasetName?
    if let name {
      guard let valid = DatasetName(name) else {
        throw ValidationError("--name '\(name)': use 1 to \(DatasetName.maxLength) characters of A-Z a-z 0-9 _ -")
      }
      datasetName = valid
    }
    var grouping = CamVidGrouping.standard
    if let path = camvidGrouping {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw ValidationError("\(path): cannot read the CamVid grouping file")
      }
      do {
        grouping = try CamVidGrouping(overrides: text, source: path)
      } catch {
        throw ValidationError(error.description)
      }
    }
    return DiscoveryOptions(format: format, camvidGrouping: grouping, name: datasetName)
  }
}

/// A size in bytes on the command line: a whole number or one with a unit (`64MiB`, ``ByteSize``).
struct ByteCount: ExpressibleByArgument {
  /// The bytes.
  var bytes: Int

  init?(argument: String) {
    guard let bytes = ByteSize.parse(argument) else { return nil }
    self.bytes = bytes
  }
}

extension DatasetFormat: ExpressibleByArgument {}
extension DatasetSplit: ExpressibleByArgument {}
extension SlimOutputOptions.Codec: ExpressibleByArgument {}
extension SlimOutputOptions.LabelResampling: ExpressibleByArgument {}
extension PNGEncoder.Strategy: ExpressibleByArgument {}
extension PNGEncoder.Deflater: ExpressibleByArgument {}
extension SlimOutputOptions.PNGFilter: ExpressibleByArgument {}
extension SlimPolicyName: ExpressibleByArgument {}
extension WeightsName: ExpressibleByArgument {}
extension RankGroups: ExpressibleByArgument {}
extension RankOrder: ExpressibleByArgument {}

/// `--slide`, `--stride`, `--scales` and `--flip`: how eval and predict run the network over an
/// image (``TestTimeAugmentation``).
struct InferenceOptions: ParsableArguments {
  @Option(help: ArgumentHelp(
    "Sliding-window inference (MMSegmentation's slide mode): run the network on windows of WxH pixels, averaging overlaps.",
    discussion: "For images larger than the training crop. Default: the whole image at once.", valueName: "WxH"))
  var slide: String?

  @Option(help: ArgumentHelp("The step between windows with --slide. (default: two thirds of the window)", valueName: "WxH"))
  var stride: String?

  @Option(help: ArgumentHelp(
    "Multi-scale test-time augmentation: comma-separated image scales, each in (0, 4], e.g. 0.5,0.75,1,1.25,1.5,1.75.",
    discussion: "Each scale's class probabilities are resized to the image and averaged. (default: 1)", valueName: "list"))
  var scales: String?

  @Flag(help: "Flip test-time augmentation: also run every scale on the mirrored image and average the probabilities.")
  var flip = false

  /// The setting these flags describe.
  func augmentation() throws -> TestTimeAugmentation {
    func size(_ text: String?, _ name: String) throws -> PixelSize? {
      guard let text else { return nil }
      guard let size = PixelSize(parsing: text) else { throw ValidationError("\(name) must be WxH with positive integers, got \(text)") }
      return size
    }
    var augmentation = TestTimeAugmentation(window: try size(slide, "--slide"), stride: try size(stride, "--stride"), flip: flip)
    if let scales {
      let values = scales.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
      guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { throw ValidationError("--scales must be comma-separated numbers, got \(scales)") }
      augmentation.scales = values.compactMap { $0 }
    }
    if let problem = augmentation.problem { throw ValidationError(problem) }
    return augmentation
  }
}

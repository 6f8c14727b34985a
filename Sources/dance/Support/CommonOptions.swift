public import ArgumentParser
import DanceCore
import Datasets
public import ImageCodecs
public import Pipeline
public import Slimming
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
  @Option(help: "Dataset layout: cityscapes, camvid or ade20k. Default: detected from the root's folders.")
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
extension SlimPolicyName: ExpressibleByArgument {}
extension WeightsName: ExpressibleByArgument {}
extension RankGroups: ExpressibleByArgument {}
extension RankOrder: ExpressibleByArgument {}

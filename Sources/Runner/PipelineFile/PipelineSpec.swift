public import Pipeline
import Audit
public import DanceCore
public import Datasets
import Foundation
import OutputStore
import Slimming
public import Synthetic

/// A declarative pipeline (`dance run FILE.yaml`): synth (optional) → scan → score → audit
/// (optional) → slim → verify (optional), with every path already resolved.
///
/// Parse one with ``PipelineSpec/parse(yaml:path:environment:)`` or
/// ``PipelineSpec/load(path:environment:)``; run it with ``PipelineRunner/run(_:progress:onStage:)``.
/// The file format is documented in `Pipelines/README.md`.
public struct PipelineSpec: Sendable, Equatable {
  /// The dataset to read.
  public struct Dataset: Sendable, Equatable {
    /// The dataset root (absolute).
    public var root: String
    /// The layout, or `nil` to detect it from the root's folders.
    public var format: DatasetFormat?
    /// A CamVid grouping override file (absolute), for the 32-class CamVid release.
    public var camvidGrouping: String?
    /// The dataset name that starts every sample key (`name:`), or `nil` for the default.
    public var name: DatasetName?
  }

  /// A synthetic dataset written to ``Dataset/root`` before the scan.
  public struct Synth: Sendable, Equatable {
    /// The layout to write.
    public var format: DatasetFormat
    /// Training samples.
    public var train: Int
    /// Validation samples.
    public var val: Int
    /// Test samples (CamVid only); `nil` for the format's default.
    public var test: Int?
    /// Image size; `nil` for the format's default.
    public var size: SyntheticDatasetConfiguration.ImageSize?
    /// Scene generator seed.
    public var seed: UInt64
    /// Scenes and rendering.
    public var style: SyntheticDatasetConfiguration.Style
    /// Empty a non-empty dataset root first.
    public var overwrite: Bool

    /// Creates a synth stage; the defaults are ``SyntheticDatasetConfiguration/defaults``, as for `dance synth`.
    public init(
      format: DatasetFormat, train: Int = SyntheticDatasetConfiguration.defaults.trainCount,
      val: Int = SyntheticDatasetConfiguration.defaults.valCount, test: Int? = nil,
      size: SyntheticDatasetConfiguration.ImageSize? = nil, seed: UInt64 = SyntheticDatasetConfiguration.defaults.seed,
      style: SyntheticDatasetConfiguration.Style = SyntheticDatasetConfiguration.defaults.style, overwrite: Bool = false
    ) {
      self.format = format
      self.train = train
      self.val = val
      self.test = test
      self.size = size
      self.seed = seed
      self.style = style
      self.overwrite = overwrite
    }
  }

  /// The audit stage: one HTML page.
  public struct Audit: Sendable, Equatable {
    /// Where the HTML report goes (absolute).
    public var html: String
    /// The indicator that orders the extremes.
    public var rankBy = AuditData.defaultRanking
    /// How many least and most complex training images to show.
    public var extremes = AuditData.defaultExtremes
  }

  /// The spec file (absolute), for messages.
  public var path: String
  /// The catalog file (absolute).
  public var catalog: String
  /// Worker threads of every stage; `nil` for all cores.
  public var workers: Int?
  /// The dataset.
  public var dataset: Dataset
  /// The optional synthetic-data stage.
  public var synth: Synth?
  /// The scan stage.
  public var scan = ScanOptions()
  /// The score stage.
  public var score = ScoreOptions()
  /// The optional audit stage.
  public var audit: Audit?
  /// The slim stage's output directory of the shards (absolute; `slim.out` in the file).
  public var output: String
  /// The slim stage.
  public var slim = SlimOptions()
  /// Whether to verify the shards after slimming.
  public var verify = false
}

/// Why a pipeline file was refused: the file, the line and the reason.
public struct PipelineSpecError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The spec file as given.
  public var path: String
  /// The 1-based line the problem is on.
  public var line: Int
  /// What is wrong.
  public var reason: String

  /// Creates an error.
  public init(path: String, line: Int, reason: String) {
    self.path = path
    self.line = line
    self.reason = reason
  }

  /// `"<path>:<line>: <reason>"`.
  public var description: String { "\(path):\(line): \(reason)" }
}

extension PipelineSpec {
  /// Refuses an output (`slim.out`) that equals, contains or lies inside the dataset root, or holds the
  /// catalog (``OutputPlacement``); `dance run` and `dance run --check` both call it first.
  public func checkOutputPlacement() throws(PipelineError) {
    do throws(OutputStoreError) { try OutputPlacement.check(output: output, datasetRoots: [dataset.root], catalogPath: catalog) } catch {
      throw PipelineError(error)
    }
  }

  /// The discovery options of the dataset (its format and CamVid grouping).
  /// - Throws: ``PipelineError/dataset(_:)`` when the grouping file is unreadable or invalid.
  public func discoveryOptions() throws(PipelineError) -> DiscoveryOptions {
    var grouping = CamVidGrouping.standard
    if let file = dataset.camvidGrouping {
      guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
        throw .dataset(.invalidConfiguration(path: file, reason: "cannot read the CamVid grouping file"))
      }
      do throws(DatasetError) {
        grouping = try CamVidGrouping(overrides: text, source: file)
      } catch {
        throw .dataset(error)
      }
    }
    return DiscoveryOptions(format: dataset.format, camvidGrouping: grouping, name: dataset.name)
  }

  /// The synthetic dataset configuration, when the spec has a `synth:` section.
  public var synthConfiguration: SyntheticDatasetConfiguration? {
    guard let synth else { return nil }
    var configuration = SyntheticDatasetConfiguration(
      format: synth.format, outputDirectory: dataset.root, trainCount: synth.train, valCount: synth.val,
      testCount: synth.test, imageSize: synth.size, seed: synth.seed, style: synth.style)
    configuration.overwrite = synth.overwrite
    return configuration
  }
}

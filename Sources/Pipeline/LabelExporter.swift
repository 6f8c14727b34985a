public import DanceCore
public import Datasets
import Foundation
public import ImageCodecs

/// The outcome of converting a whole dataset's labels to train ids.
public struct LabelExportReport: Sendable, Codable {
  /// Files written.
  public var written: Int
  /// Labels already in train ids (Cityscapes `_labelTrainIds.png`), left alone.
  public var skipped: Int
  /// Labels whose `_labelTrainIds.png` already existed: never replaced (it may be the user's edit).
  public var kept: Int
  /// Files that could not be converted or written, with the reason.
  public var failures: [String]
  /// Labels that held values outside the label space (written with those pixels set to 255).
  public var withUnknownValues: [String]
}

/// `dance label --all ROOT`: writes `<label>_labelTrainIds.png` next to every label of a dataset,
/// as cityscapesScripts' `createTrainIdLabelImgs` does for Cityscapes, for all three formats. An
/// existing `_labelTrainIds.png` is kept as it is, never regenerated (the user may have edited it).
public enum LabelExporter {
  /// Converts every label of the dataset at `root`.
  public static func run(
    root: String, options: DiscoveryOptions, decoder: ImageDecoder = ImageDecoder(), workers: Int? = nil,
    progress: ProgressReporter.Style = .automatic
  ) throws(PipelineError) -> LabelExportReport {
    let discovery: Discovery
    do throws(DatasetError) {
      discovery = try DatasetLayout.discover(root: root, options: options)
    } catch {
      throw .dataset(error)
    }
    let labeled = discovery.samples.filter { $0.labelPath != nil }
    var report = LabelExportReport(written: 0, skipped: 0, kept: 0, failures: [], withUnknownValues: [])
    let reporter = ProgressReporter(label: "label", total: labeled.count, unit: "labels", style: progress)
    OrderedParallelMap(workers: workers).run(labeled) { sample -> Result<LabelOutcome, DatasetError> in
      let source = discovery.root + "/" + sample.labelPath!
      guard sample.labelEncoding != .cityscapesTrainIds else { return .success(.alreadyTrainIds) }
      let target = LabelFiles.trainIdPath(forLabelAt: source)
      guard !OutputGuard.pathExists(target) else { return .success(.kept) }
      do throws(DatasetError) {
        let (labels, _) = try LabelFiles.convert(contentsOf: source, labels: discovery.labels, decoder: decoder)
        do {
          try Data(try LabelFiles.encode(labels.image)).write(to: URL(fileURLWithPath: target), options: .atomic)
        } catch let error as DatasetError {
          throw error
        } catch {
          throw DatasetError.cannotWriteFile(path: target, reason: FileSystemFailure.reason(of: error))
        }
        return .success(.written(unknownValues: !labels.unknownValues.isEmpty))
      } catch {
        return .failure(error)
      }
    } consume: { index, result in
      switch result {
      case .success(.alreadyTrainIds): report.skipped += 1
      case .success(.kept): report.kept += 1
      case .success(.written(let unknown)):
        report.written += 1
        if unknown { report.withUnknownValues.append(labeled[index].labelPath!) }
      case .failure(let error): report.failures.append(error.description)
      }
      reporter.advance()
    }
    if !labeled.isEmpty { reporter.finish() }
    return report
  }
}

/// What happened to one label file.
private enum LabelOutcome: Sendable {
  /// It is a train-id file itself.
  case alreadyTrainIds
  /// Its `_labelTrainIds.png` existed and was left as it is.
  case kept
  /// Its `_labelTrainIds.png` was written; whether values outside the label space were set to 255.
  case written(unknownValues: Bool)
}

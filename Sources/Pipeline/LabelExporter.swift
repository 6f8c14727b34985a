import DanceCore
public import Datasets
import Foundation
public import ImageCodecs

/// The outcome of converting a whole dataset's labels to train ids.
public struct LabelExportReport: Sendable, Codable {
  /// Files written.
  public var written: Int
  /// Labels already in train ids (Cityscapes `_labelTrainIds.png`), left alone.
  public var skipped: Int
  /// Files that could not be converted or written, with the reason.
  public var failures: [String]
  /// Labels that held values outside the label space (written with those pixels set to 255).
  public var withUnknownValues: [String]
}

/// `dance label --all ROOT`: writes `<label>_labelTrainIds.png` next to every label of a dataset,
/// as cityscapesScripts' `createTrainIdLabelImgs` does for Cityscapes, for all three formats.
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
    var report = LabelExportReport(written: 0, skipped: 0, failures: [], withUnknownValues: [])
    let reporter = ProgressReporter(label: "label", total: labeled.count, unit: "labels", style: progress)
    OrderedParallelMap(workers: workers).run(labeled) { sample -> Result<Bool?, DatasetError> in
      let source = discovery.root + "/" + sample.labelPath!
      guard sample.labelEncoding != .cityscapesTrainIds else { return .success(nil) }
      do throws(DatasetError) {
        let (labels, _) = try LabelFiles.convert(
          contentsOf: source, format: discovery.format, decoder: decoder, camvidGrouping: options.camvidGrouping)
        let target = LabelFiles.trainIdPath(forLabelAt: source)
        do {
          try Data(try LabelFiles.encode(labels.image)).write(to: URL(fileURLWithPath: target), options: .atomic)
        } catch let error as DatasetError {
          throw error
        } catch {
          throw DatasetError.cannotWriteFile(path: target, reason: FileSystemFailure.reason(of: error))
        }
        return .success(!labels.unknownValues.isEmpty)
      } catch {
        return .failure(error)
      }
    } consume: { index, result in
      switch result {
      case .success(nil): report.skipped += 1
      case .success(let unknown?):
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

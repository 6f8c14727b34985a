public import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Shards

/// The outcome of `dance export folder`.
public struct FolderExportReport: Sendable, Codable {
  /// One split's samples.
  public struct Split: Sendable, Codable, Equatable {
    /// The split.
    public var split: String
    /// Samples written.
    public var samples: Int
  }

  /// The destination (absolute), a dataset root of the layout.
  public var destination: String
  /// The layout written.
  public var layout: String
  /// Per split, in train, val, test order (the shape `dance export mds` reports too).
  public var splits: [Split]
}

/// Writes a slimmed output back into a dataset's own folder layout, images at their stored
/// (slimmed) size, so that tools that read the original layout (MMSegmentation, cityscapesScripts)
/// read the slimmed data; `weights.csv` lists every sample's key, split, files, scale and weight.
///
/// - Cityscapes: `leftImg8bit/<split>/<city>/<stem>_leftImg8bit.png` and
///   `gtFine/<split>/<city>/<stem>_gtFine_labelTrainIds.png` (train ids, 255 = ignore).
/// - CamVid (SegNet layout): `<split>/<stem>.png` and `<split>annot/<stem>.png` (0…10, 11 = void).
/// - ADE20K: `images/<training|validation>/<stem>.<jpg|png>` and `annotations/…/<stem>.png`
///   (1…150, 0 = other).
/// - Pascal VOC: `JPEGImages/<id>.<jpg|png>` and `SegmentationClass/<id>.png` (0…20, 255 = void),
///   with the split lists `ImageSets/Segmentation/<split>.txt`.
/// - Generic: `images/<split>/<path>.<jpg|png>` and `masks/<split>/<path>.png` holding train ids,
///   with a `classes.yaml` whose ids are the train ids (ignore 255).
///
/// Labels are written in the layout's own encoding, so `dance scan DIR` reads the same train ids
/// back. JPEG images go into the PNG-only layouts (Cityscapes, CamVid) as PNGs of their decoded pixels.
public enum FolderExport {
  /// Runs the export; `layout` defaults to the format the output was made from; `progress` shows
  /// the samples written.
  ///
  /// Every file is written under a temporary name and renamed; the destination's
  /// ``DatasetLayout/exportMarker`` says the export is unfinished until `weights.csv` is in place,
  /// and `dance scan`/`dance train` refuse an unfinished export. A failed export removes what it wrote.
  public static func run(
    output: String, layout: DatasetFormat?, to destination: String, progress: ProgressReporter.Style = .silent
  ) throws(OutputStoreError) -> FolderExportReport {
    let (source, written) = try ExportDestination.open(output, to: destination)
    return try ExportDestination.cleaningUp(written) { () throws(OutputStoreError) in
      let reporter = ProgressReporter(label: "export folder", total: source.sampleCount, style: progress)
      var progress = Progress(
        report: FolderExportReport(destination: URL(fileURLWithPath: destination).standardizedFileURL.path, layout: "", splits: []),
        reporter: reporter)
      var format = layout
      for (split, shards) in source.splits {
        progress.report.splits.append(.init(split: split, samples: 0))
        for shard in shards {
          try export(shard, split: split, from: source, output: output, format: &format, into: written, progress: &progress)
        }
      }
      try writeLayoutFiles(format: format, source: source, listed: progress.listed, through: written)
      try write(Array(progress.csv.utf8), to: DatasetLayout.exportSidecar, through: written)
      try ExportDestination.finish(written)
      reporter.finish()
      progress.report.layout = (format ?? .cityscapes).rawValue
      return progress.report
    }
  }

  /// What an export has written so far: the report, the lines of `weights.csv`, and for the VOC
  /// layout the ids per split (its split lists).
  struct Progress {
    var report: FolderExportReport
    var reporter: ProgressReporter
    var csv = "key,split,image,label,scale,weight\n"
    var listed: [String: [String]] = [:]
  }

  /// Writes every sample of one shard into the layout, adding its `weights.csv` line.
  private static func export(
    _ shard: OutputManifest.Shard, split: String, from source: OutputReader, output: String, format: inout DatasetFormat?,
    into written: WrittenFiles, progress: inout Progress
  ) throws(OutputStoreError) {
    let decoder = ImageDecoder(options: DecodeOptions(rejectsExtensionMismatch: false))
    let shardPath = source.directory + "/" + shard.path
    for sample in try source.samples(of: shard) {
      let metadata = try OutputReader.metadata(sample, shard: shardPath)
      guard let sourceFormat = DatasetFormat(rawValue: metadata.dataset) else {
        throw .invalid(path: shardPath, reason: "sample \(sample.key): unknown dataset format '\(metadata.dataset)'")
      }
      guard let sampleSplit = DatasetSplit(rawValue: metadata.split) else {
        throw .invalid(path: shardPath, reason: "sample \(sample.key): unknown split '\(metadata.split)'")
      }
      if format == nil { format = sourceFormat }
      guard let chosen = format, chosen == sourceFormat else {
        throw .refused(
          path: output,
          reason: "its samples are \(sourceFormat.rawValue) (\(metadata.labelSpace)); they export only to the \(sourceFormat.rawValue) layout")
      }
      let paths = layoutPaths(chosen, metadata: metadata, split: sampleSplit, imageExtension: (sample.image?.member ?? .png).rawValue)
      try write(try imageBytes(sample, format: chosen, decoder: decoder, source: shardPath), to: paths.image, through: written)
      try write(try labelBytes(sample, format: chosen, decoder: decoder, source: shardPath), to: paths.label, through: written)
      progress.csv += [sample.key, split, paths.image, paths.label, "\(metadata.scale)", "\(metadata.weight)"].map(csvField)
        .joined(separator: ",") + "\n"
      if chosen == .voc {
        progress.listed[split, default: []].append(((paths.label as NSString).lastPathComponent as NSString).deletingPathExtension)
      }
      progress.report.splits[progress.report.splits.count - 1].samples += 1
      progress.reporter.advance()
    }
  }

  /// Where a sample's image and label go in `format`'s layout.
  static func layoutPaths(
    _ format: DatasetFormat, metadata: SampleMetadata, split: DatasetSplit, imageExtension: String
  ) -> (image: String, label: String) {
    let stem = ((metadata.image as NSString).lastPathComponent as NSString).deletingPathExtension
    switch format {
    case .cityscapes:
      // The original paths keep the split folder (train_extra too) and the city.
      let label = LabelFiles.trainIdPath(forLabelAt: metadata.label)
      return (metadata.image.hasSuffix(".png") ? metadata.image : (metadata.image as NSString).deletingPathExtension + ".png", label)
    case .camvid:
      let plain = stem.hasSuffix("_L") ? String(stem.dropLast(2)) : stem
      return ("\(metadata.split)/\(plain).png", "\(metadata.split)annot/\(plain).png")
    case .ade20k:
      let folder = split.folderName(in: .ade20k)
      return ("images/\(folder)/\(stem).\(imageExtension)", "annotations/\(folder)/\(stem).png")
    case .voc:
      return ("JPEGImages/\(stem).\(imageExtension)", "SegmentationClass/\(stem).png")
    case .generic:
      // The path below the split folder is kept (images/train/a/b.jpg → a/b).
      let prefix = "images/\(metadata.split)/"
      let relative = metadata.image.hasPrefix(prefix) ? String(metadata.image.dropFirst(prefix.count)) : metadata.image
      let path = (relative as NSString).deletingPathExtension
      return ("images/\(metadata.split)/\(path).\(imageExtension)", "masks/\(metadata.split)/\(path).png")
    }
  }

  /// The files a layout has besides its samples: VOC's split lists, a generic dataset's `classes.yaml`.
  static func writeLayoutFiles(
    format: DatasetFormat?, source: OutputReader, listed: [String: [String]], through written: WrittenFiles
  ) throws(OutputStoreError) {
    switch format {
    case .voc:
      for (split, ids) in listed.sorted(by: { $0.key < $1.key }) {
        try write(Array(ids.sorted().map { $0 + "\n" }.joined().utf8), to: "ImageSets/Segmentation/\(split).txt", through: written)
      }
    case .generic:
      guard let space = source.labelSpace else {
        throw .invalid(path: source.directory, reason: "its manifest records no classes for the label space; it cannot export to the generic layout")
      }
      let classes: ClassesFile
      do throws(DatasetError) { classes = try ClassesFile(trainIdsOf: space, source: source.directory) } catch { throw .dataset(error) }
      try write(Array(classes.yaml.utf8), to: ClassesFile.fileName, through: written)
    default:
      break
    }
  }

  /// The image file: the stored bytes, or a PNG of the decoded JPEG for the PNG-only layouts.
  static func imageBytes(_ sample: ShardSample, format: DatasetFormat, decoder: ImageDecoder, source: String) throws(OutputStoreError)
    -> [UInt8]
  {
    if let png = sample[.png] { return png }
    guard let jpeg = sample[.jpg] else { throw .invalid(path: source, reason: "sample \(sample.key) has no image") }
    if [.ade20k, .voc, .generic].contains(format) { return jpeg }
    do throws(ImageCodecError) {
      guard case .uint8(let image) = try decoder.decode(jpeg, source: "\(source): \(sample.key).\(SampleMember.jpg.rawValue)").image else {
        throw ImageCodecError.unsupported(source: source, codec: .jpeg, reason: "not 8-bit")
      }
      return try PNGEncoder().encode(image)
    } catch {
      throw .invalid(path: source, reason: error.description)
    }
  }

  /// The label file in the layout's encoding.
  static func labelBytes(_ sample: ShardSample, format: DatasetFormat, decoder: ImageDecoder, source: String) throws(OutputStoreError)
    -> [UInt8]
  {
    guard let seg = sample[.label] else { throw .invalid(path: source, reason: "sample \(sample.key) has no \(SampleMember.label.rawValue)") }
    let encoding: LabelEncoding
    switch format {
    case .cityscapes: encoding = .cityscapesTrainIds
    case .camvid: encoding = .camvidSegNet
    case .ade20k: encoding = .ade20k
    case .voc: encoding = .voc
    case .generic: return seg  // its classes.yaml gives each class its train id
    }
    let inverse = encoding.storedValueOfTrainId
    if (0..<256).allSatisfy({ inverse[$0] == nil || inverse[$0] == UInt8($0) }) { return seg }
    do {
      guard case .uint8(let labels) = try decoder.decode(seg, source: "\(source): \(sample.key).\(SampleMember.label.rawValue)").image,
        let stored = encoding.storing(labels)
      else {
        throw OutputStoreError.invalid(path: source, reason: "sample \(sample.key): its label holds values outside \(encoding.space.id)")
      }
      return try LabelFiles.encode(stored)
    } catch let error as OutputStoreError {
      throw error
    } catch {
      throw .invalid(path: source, reason: "sample \(sample.key): \(error)")
    }
  }

  /// Writes a new file of the export (a temporary name, then renamed), creating its directory.
  /// Two samples never share a file: the destination held nothing of Dance's when the export began,
  /// so a file the record already lists was written by this export.
  static func write(_ bytes: [UInt8], to relativePath: String, through written: WrittenFiles) throws(OutputStoreError) {
    if written.owns(relativePath) {
      throw .io(path: written.directory + "/" + relativePath, reason: "two samples export to this file; nothing replaces the first")
    }
    do throws(OutputGuardError) { try written.write(bytes, to: relativePath) } catch { throw OutputStoreError(error) }
  }

  /// A CSV field, quoted when it holds a comma, quote or line break.
  static func csvField(_ text: String) -> String {
    text.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
  }
}

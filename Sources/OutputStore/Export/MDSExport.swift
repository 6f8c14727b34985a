public import DanceCore
import Foundation
public import Shards

/// The outcome of `dance export mds`.
public struct MDSExportReport: Sendable, Codable {
  /// One split's MDS dataset.
  public struct Split: Sendable, Codable {
    /// The split, also the subdirectory.
    public var split: String
    /// Samples written.
    public var samples: Int
    /// `.mds` shards written.
    public var shards: Int
    /// The encoding of the `image` column: `png` or `jpeg`.
    public var imageEncoding: String

    enum CodingKeys: String, CodingKey {
      case split, samples, shards
      case imageEncoding = "image_encoding"
    }
  }

  /// The destination directory (absolute).
  public var destination: String
  /// Per split.
  public var splits: [Split]
}

/// Writes a slimmed output as MosaicML Streaming datasets, one per split in `DIR/<split>/`.
///
/// Columns (sorted as MDS sorts them): `image` (`png` or `jpeg`: the stored image file's bytes),
/// `key` (`str`), `mask` (`png`: the 8-bit train-id label), `scale` and `weight` (`float32`, from the
/// sample's `json` member). Samples keep the shards' order. Read it with
/// `StreamingDataset(local=DIR, split="train")`.
public enum MDSExport {
  /// Runs the export. The destination is prepared as for every export
  /// (``ExportDestination/prepare(_:source:)``): each file is recorded before it is written, a
  /// failed export removes what it wrote, and a rerun after a kill starts over. `progress` shows
  /// the samples written.
  public static func run(
    output: String, to destination: String, sizeLimit: Int = MDSWriter.defaultSizeLimit, progress: ProgressReporter.Style = .silent
  ) throws(OutputStoreError) -> MDSExportReport {
    let (source, written) = try ExportDestination.open(output, to: destination)
    return try ExportDestination.cleaningUp(written) { () throws(OutputStoreError) in
      let reporter = ProgressReporter(label: "export mds", total: source.sampleCount, style: progress)
      var report = MDSExportReport(destination: URL(fileURLWithPath: destination).standardizedFileURL.path, splits: [])
      for (split, shards) in source.splits {
        report.splits.append(
          try export(split, shards: shards, from: source, into: written, sizeLimit: sizeLimit, reporter: reporter))
      }
      try ExportDestination.finish(written)
      reporter.finish()
      return report
    }
  }

  /// Writes one split's MDS dataset into `DIR/<split>/`.
  private static func export(
    _ split: String, shards: [OutputManifest.Shard], from source: OutputReader, into written: WrittenFiles, sizeLimit: Int,
    reporter: ProgressReporter
  ) throws(OutputStoreError) -> MDSExportReport.Split {
    let directory = written.directory + "/" + split
    var writer: MDSWriter?
    var imageEncoding = "png"
    var count = 0, files = 0
    do {
      // Recorded before the folder exists, so that a failed export's cleanup removes the folder too.
      try written.claim([split + "/index.json"])
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      for shard in shards {
        for sample in try source.samples(of: shard) {
          let metadata = try OutputReader.metadata(sample, shard: source.directory + "/" + shard.path)
          guard let image = sample.image, let mask = sample[.label] else {
            throw OutputStoreError.invalid(
              path: source.directory + "/" + shard.path, reason: "sample \(sample.key) lacks its image or \(SampleMember.label.rawValue)")
          }
          if writer == nil {
            // One encoding per split's columns; PIL opens PNG and JPEG under either name.
            imageEncoding = image.member == .png ? "png" : "jpeg"
            writer = try MDSWriter(
              directory: directory,
              columns: [
                MDSColumn("image", imageEncoding), MDSColumn("key", "str"), MDSColumn("mask", "png"),
                MDSColumn("scale", "float32"), MDSColumn("weight", "float32"),
              ],
              sizeLimit: sizeLimit)
            writer?.beforeWriting = { name throws(ShardError) in
              do throws(OutputGuardError) { try written.claim([split + "/" + name]) } catch {
                throw .io(path: error.path, reason: error.reason)
              }
              if name.hasSuffix(".mds") { files += 1 }
            }
          }
          try writer?.write(
            [
              "image": .bytes(image.bytes), "key": .string(sample.key), "mask": .bytes(mask),
              "scale": .float32(Float(metadata.scale)), "weight": .float32(Float(metadata.weight)),
            ], key: sample.key)
          count += 1
          reporter.advance()
        }
      }
      try writer?.finish()
    } catch let error as OutputStoreError {
      throw error
    } catch let error as OutputGuardError {
      throw OutputStoreError(error)
    } catch let error as ShardError {
      // A sample too large for --shard-size is the request's fault (exit 2): invalidConfiguration is a refusal.
      throw OutputStoreError(error)
    } catch {
      throw OutputStoreError(fileSystem: error, path: directory)
    }
    return .init(split: split, samples: count, shards: files, imageEncoding: imageEncoding)
  }
}

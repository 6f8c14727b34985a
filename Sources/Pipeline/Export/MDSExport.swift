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
  /// Runs the export; `progress` shows the samples written.
  public static func run(
    output: String, to destination: String, sizeLimit: Int = MDSWriter.defaultSizeLimit, progress: ProgressReporter.Style = .silent
  ) throws(PipelineError) -> MDSExportReport {
    let source = try SlimmedOutput(output)
    try source.checkDestination(destination)
    let reporter = ProgressReporter(label: "export mds", total: source.sampleCount, style: progress)
    var report = MDSExportReport(destination: URL(fileURLWithPath: destination).standardizedFileURL.path, splits: [])
    for (split, shards) in source.splits {
      let directory = destination + "/" + split
      var writer: MDSWriter?
      var imageEncoding = "png"
      var count = 0
      do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      } catch {
        throw .output(path: directory, reason: "cannot create the directory: \(FileSystemFailure.reason(of: error))")
      }
      do {
        for shard in shards {
          for sample in try source.samples(of: shard) {
            let metadata = try SlimmedOutput.metadata(sample, shard: source.directory + "/" + shard.path)
            guard let image = sample.fields["png"] ?? sample.fields["jpg"], let mask = sample.fields["seg.png"] else {
              throw PipelineError.output(path: source.directory + "/" + shard.path, reason: "sample \(sample.key) lacks its image or seg.png")
            }
            if writer == nil {
              // One encoding per split's columns; PIL opens PNG and JPEG under either name.
              imageEncoding = sample.fields["png"] == nil ? "jpeg" : "png"
              writer = try MDSWriter(
                directory: directory,
                columns: [
                  MDSColumn("image", imageEncoding), MDSColumn("key", "str"), MDSColumn("mask", "png"),
                  MDSColumn("scale", "float32"), MDSColumn("weight", "float32"),
                ],
                sizeLimit: sizeLimit)
            }
            try writer?.write(
              [
                "image": .bytes(image), "key": .string(sample.key), "mask": .bytes(mask),
                "scale": .float32(Float(metadata.scale)), "weight": .float32(Float(metadata.weight)),
              ], key: sample.key)
            count += 1
            reporter.advance()
          }
        }
        try writer?.finish()
      } catch let error as PipelineError {
        throw error
      } catch let error as ShardError {
        throw .output(path: error.path, reason: error.reason)
      } catch {
        throw .output(path: directory, reason: "\(error)")
      }
      let written = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".mds") }
      report.splits.append(.init(split: split, samples: count, shards: written.count, imageEncoding: imageEncoding))
    }
    reporter.finish()
    return report
  }
}

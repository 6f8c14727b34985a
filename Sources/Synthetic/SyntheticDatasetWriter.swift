public import DanceCore
public import Datasets
import Foundation
import ImageCodecs

/// Writes a synthetic street-scene dataset in the exact on-disk layout of Cityscapes, CamVid
/// (SegNet release), ADE20K, Pascal VOC 2012 or the generic layout.
///
/// - Cityscapes: `leftImg8bit/{train,val}/CITY/CITY_SSSSSS_000019_leftImg8bit.png` (8-bit RGB) with
///   `gtFine/…_gtFine_labelIds.png` (label ids, 8-bit gray), `_gtFine_instanceIds.png` (16-bit gray,
///   `id * 1000 + index` for person, rider, car and bicycle) and `_gtFine_color.png` (RGBA). Train
///   samples cycle through the 18 training cities, val through frankfurt, lindau and munster. No
///   `_gtFine_polygons.json` is written: the scenes are raster-only.
/// - CamVid: `train/`, `trainannot/`, `val/`, `valannot/`, `test/`, `testannot/` with shared
///   basenames such as `0001TP_006690.png` (RGB image, 8-bit annotation with classes 0…10 and
///   11 = void), plus `train.txt`, `val.txt`, `test.txt` with `/SegNet/CamVid/…` lines.
/// - ADE20K: `ADEChallengeData2016/images/{training,validation}/ADE_train_00000001.jpg` (RGB JPEG)
///   with `annotations/…/ADE_train_00000001.png` (8-bit, 0 = other, 1…150); each image's size
///   varies by up to ±25 % around the configured size. `objectInfo150.txt` is not written.
/// - Pascal VOC: `VOCdevkit/VOC2012/JPEGImages/2007_000000.jpg` (train; val in 2008) with palette
///   PNGs `SegmentationClass/2007_000000.png` (background 0, bicycle 2, car 7, person 15; a void
///   border of 255 around every object, as VOC draws it) and `ImageSets/Segmentation/train.txt`,
///   `val.txt`, `trainval.txt`.
/// - Generic: `images/<split>/street_000000.png` with `masks/<split>/street_000000.png` (index
///   masks, or colour masks with ``SyntheticDatasetConfiguration/masks``) and `classes.yaml`
///   (``SceneClass/genericClasses``: 16 classes, 255 ignored).
///
/// Each sample is rendered from a seed derived from (configuration seed, split, index), so sample
/// `k` is byte-identical whether 3 or 300 samples are written, and two runs with equal
/// configurations write byte-identical trees. Samples are written one after another on the calling
/// thread.
public struct SyntheticDatasetWriter: Sendable {
  /// What to write.
  public var configuration: SyntheticDatasetConfiguration

  /// The Pascal VOC palette as the label PNGs' PLTE entries (R, G, B for indices 0…255), made once.
  static let vocPalette: [UInt8] = (0...255).flatMap { index in
    let color = vocPaletteColor(UInt8(index))
    return [color.red, color.green, color.blue]
  }

  /// Creates a writer for `configuration`.
  public init(configuration: SyntheticDatasetConfiguration) {
    self.configuration = configuration
  }

  /// Writes every sample of every split, then the layout's other files (``layoutFiles``).
  ///
  /// - Parameter progress: called after each sample with (samples written, total samples).
  /// - Returns: counts, bytes and label values of what was written.
  /// - Throws: ``DatasetError`` for an invalid configuration, an output directory that cannot be
  ///   created, or a file that cannot be written. Files written before the failure stay on disk.
  public func write(progress: ((_ written: Int, _ total: Int) -> Void)? = nil) throws(DatasetError)
    -> SyntheticDatasetSummary
  {
    try configuration.validate()
    var output = try OutputDirectory(root: configuration.outputDirectory)
    try prepareOutputDirectory()
    let splitCounts = configuration.splitCounts
    let total = splitCounts.reduce(0) { $0 + $1.count }
    var written = 0
    var fileCount = 0
    var bytes = 0
    var present = [Bool](repeating: false, count: 256)
    var lowest = Double.infinity
    var highest = -Double.infinity
    for (split, count) in splitCounts {
      for index in 0..<count {
        let sample = render(split: split, index: index)
        sample.label.samples.withUnsafeBufferPointer { label in
          for value in label { present[Int(value)] = true }
        }
        lowest = min(lowest, sample.complexity)
        highest = max(highest, sample.complexity)
        for file in try encode(sample) {
          bytes += try output.write(file.bytes, to: file.relativePath)
          fileCount += 1
        }
        written += 1
        progress?(written, total)
      }
    }
    for file in layoutFiles {
      bytes += try output.write(file.bytes, to: file.relativePath)
      fileCount += 1
    }
    return SyntheticDatasetSummary(
      format: configuration.format, outputDirectory: configuration.outputDirectory,
      splits: splitCounts.map { .init(split: $0.split, samples: $0.count) }, fileCount: fileCount,
      bytesWritten: bytes, labelValues: present.indices.filter { present[$0] },
      complexityRange: total > 0 ? lowest...highest : nil)
  }

  /// Refuses a non-empty output directory, or with ``SyntheticDatasetConfiguration/overwrite``
  /// removes what a previous `dance synth` wrote there (as `DIR/.dance-written` lists it) and
  /// nothing else: a directory holding any file the record does not list is refused, and nothing is
  /// removed. Then records every file this run will write, before it writes any.
  private func prepareOutputDirectory() throws(DatasetError) {
    let path = configuration.outputDirectory
    let written = try guarded { () throws(OutputGuardError) in
      try OutputGuard.checkDirectory(path, role: "--out")
      return try WrittenFiles(directory: path)
    }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    if !entries.isEmpty {
      guard configuration.overwrite else {
        throw .invalidConfiguration(
          path: path, reason: "the output directory is not empty (\(counted(entries.count, "entry", plural: "entries"))); choose another or pass --overwrite")
      }
      let foreign = written.unlisted()
      guard foreign.isEmpty else {
        let shown = foreign.prefix(3).joined(separator: ", ")
        throw .refused(
          path: path,
          reason: "--overwrite removes only the files an earlier dance synth wrote (\(WrittenFiles.fileName) lists them), and "
            + "\(counted(foreign.count, "file")) here \(foreign.count == 1 ? "is" : "are") not listed (\(shown)\(foreign.count > 3 ? ", …" : "")); nothing was removed: "
            + "move them away or choose another --out")
      }
      try guarded { () throws(OutputGuardError) in try written.removeAll() }
    }
    try guarded { () throws(OutputGuardError) in try written.claim(plannedFiles) }
  }

  /// `body`'s value, its error as a ``DatasetError`` (a refusal stays a refusal).
  private func guarded<Value>(_ body: () throws(OutputGuardError) -> Value) throws(DatasetError) -> Value {
    do throws(OutputGuardError) { return try body() } catch {
      switch error {
      case .refused(let path, let reason): throw .refused(path: path, reason: reason)
      case .io(let path, let reason): throw .cannotWriteFile(path: path, reason: reason)
      }
    }
  }

  /// Every file ``write(progress:)`` writes, relative to the output directory, in writing order.
  var plannedFiles: [String] {
    configuration.splitCounts.flatMap { split, count in
      (0..<count).flatMap { index in
        let paths = SyntheticDatasetLayout.paths(format: configuration.format, split: split, index: index)
        return [paths.image, paths.label] + [paths.instanceIDs, paths.color].compactMap { $0 }
      }
    } + layoutFiles.map(\.relativePath)
  }

  /// The files of the layout besides its samples: CamVid's list files (`train.txt`, …, with
  /// `/SegNet/CamVid/…` lines), Pascal VOC's split lists (`ImageSets/Segmentation/train.txt`,
  /// `val.txt`, `trainval.txt`) and the generic layout's `classes.yaml`.
  var layoutFiles: [SyntheticFile] {
    let counts = configuration.splitCounts
    func file(_ path: String, _ lines: [String]) -> SyntheticFile {
      SyntheticFile(relativePath: path, bytes: Array(lines.map { $0 + "\n" }.joined().utf8))
    }
    switch configuration.format {
    case .camvid:
      return counts.map { split, count in
        file(SyntheticDatasetLayout.camvidListFile(split: split), (0..<count).map {
          SyntheticDatasetLayout.camvidListLine(split: split, index: $0)
        })
      }
    case .voc:
      let ids = counts.map { split, count in (split.rawValue, (0..<count).map { SyntheticDatasetLayout.vocImageId(split: split, index: $0) }) }
      return ids.map { file(SyntheticDatasetLayout.vocListFile(split: $0.0), $0.1) }
        + [file(SyntheticDatasetLayout.vocListFile(split: "trainval"), ids.flatMap(\.1))]
    case .generic:
      return [SyntheticFile(relativePath: ClassesFile.fileName, bytes: Array(SceneClass.genericClasses.yaml.utf8))]
    case .cityscapes, .ade20k:
      return []
    }
  }

  /// Renders sample `index` of `split`: the scene, its pixels and its label maps.
  ///
  /// The result depends only on the configuration's format, size and seed and on `split` and
  /// `index`.
  public func render(split: DatasetSplit, index: Int) -> SyntheticSample {
    let size = imageSize(split: split, index: index)
    let seed = SplitMix.deriveHashingParts(configuration.seed, Self.splitCode(split), UInt64(index))
    let generator = SceneGenerator(width: size.width, height: size.height)
    let photographic = configuration.style == .photographic
    let scene = photographic ? generator.makePhotographicScene(seed: seed) : generator.makeScene(seed: seed)
    let raster = SceneRaster(scene: scene)
    let image = photographic
      ? PhotographicRenderer().render(scene, raster: raster) : SceneRenderer().render(scene, raster: raster)
    let format = configuration.format
    let table = SceneClass.allCases.map { $0.labelValue(in: format) }
    let label = raster.labelMap(table)
    return SyntheticSample(
      split: split, index: index, complexity: scene.complexity, image: image,
      label: format == .voc ? VOCBorder.voided(label) : label,
      instanceIDs: format == .cityscapes ? raster.cityscapesInstanceIDs() : nil,
      color: format == .cityscapes ? raster.cityscapesColor() : nil)
  }

  /// Encodes a rendered sample into its files (image first, then the label maps).
  ///
  /// RGB PNGs use the configured zlib level with the `sub` filter (``SyntheticDatasetConfiguration/Style/classic``)
  /// or libpng's adaptive filter choice (``SyntheticDatasetConfiguration/Style/photographic``), label
  /// PNGs the same level with no filter; ADE20K images are baseline JPEGs with 4:2:0 chroma at the
  /// configured quality.
  /// - Throws: ``DatasetError/encodeFailed(path:reason:)`` with the file's relative path.
  public func encode(_ sample: SyntheticSample) throws(DatasetError) -> [SyntheticFile] {
    let paths = SyntheticDatasetLayout.paths(format: configuration.format, split: sample.split, index: sample.index)
    let imageFilter: PNGEncoder.Filter = configuration.style == .photographic ? .adaptive : .sub
    let imageEncoder = PNGEncoder(compressionLevel: configuration.pngCompressionLevel, filter: imageFilter)
    let labelEncoder = PNGEncoder(compressionLevel: configuration.pngCompressionLevel, filter: .none)
    var files: [SyntheticFile] = []
    func add(_ path: String, _ encode: () throws(ImageCodecError) -> [UInt8]) throws(DatasetError) {
      do {
        files.append(SyntheticFile(relativePath: path, bytes: try encode()))
      } catch {
        throw .encodeFailed(path: path, reason: error.reason)
      }
    }
    if configuration.format == .ade20k || configuration.format == .voc {
      let jpeg = JPEGEncoder(quality: configuration.jpegQuality, subsampling: .s420)
      try add(paths.image) { () throws(ImageCodecError) in try jpeg.encode(sample.image) }
    } else {
      try add(paths.image) { () throws(ImageCodecError) in try imageEncoder.encode(sample.image) }
    }
    switch (configuration.format, configuration.masks) {
    case (.voc, _):
      try add(paths.label) { () throws(ImageCodecError) in try labelEncoder.encode(indices: sample.label, palette: Self.vocPalette) }
    case (.generic, .color):
      let colors = SceneClass.genericClasses.colorMask(sample.label)
      try add(paths.label) { () throws(ImageCodecError) in try labelEncoder.encode(colors) }
    default:
      try add(paths.label) { () throws(ImageCodecError) in try labelEncoder.encode(sample.label) }
    }
    if let path = paths.instanceIDs, let instanceIDs = sample.instanceIDs {
      try add(path) { () throws(ImageCodecError) in try labelEncoder.encode(instanceIDs) }
    }
    if let path = paths.color, let color = sample.color {
      try add(path) { () throws(ImageCodecError) in try labelEncoder.encode(color) }
    }
    return files
  }

  /// The size of sample `index` of `split`: the configured size, or for ADE20K a size within ±25 %
  /// of it (width and height drawn independently from the sample's own seed).
  public func imageSize(split: DatasetSplit, index: Int) -> SyntheticDatasetConfiguration.ImageSize {
    let base = configuration.resolvedImageSize
    guard configuration.format == .ade20k else { return base }
    var random = SplitMix(seed: SplitMix.deriveHashingParts(configuration.seed, Self.splitCode(split), UInt64(index), 0xADE))
    let width = Int((Double(base.width) * random.uniform(0.75, 1.25)).rounded())
    let height = Int((Double(base.height) * random.uniform(0.75, 1.25)).rounded())
    let side = SyntheticDatasetConfiguration.minimumSide
    return .init(width: max(side, width), height: max(side, height))
  }

  /// A fixed number per split for seed derivation (never a hash value, which varies per process).
  private static func splitCode(_ split: DatasetSplit) -> UInt64 {
    switch split {
    case .train: 1
    case .val: 2
    case .test: 3
    }
  }
}

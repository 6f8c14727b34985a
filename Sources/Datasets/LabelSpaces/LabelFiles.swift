public import DanceCore
public import ImageCodecs

/// Converting label files to train ids, one at a time or next to a whole dataset's originals.
public enum LabelFiles {
  /// The encoding of a label file of `format`, from its name and decoded content.
  ///
  /// Cityscapes: `*_labelTrainIds.png` holds train ids, `*_instanceIds.png` 16-bit instance ids,
  /// anything else label ids. CamVid: RGB content is the 32-colour release, gray the SegNet one.
  /// ADE20K: reduce-zero-label.
  public static func encoding(
    forLabelAt path: String, format: DatasetFormat, decoded: DecodedImage, camvidGrouping: CamVidGrouping = .standard
  ) -> LabelEncoding {
    switch format {
    case .cityscapes:
      if path.hasSuffix("_labelTrainIds.png") { return .cityscapesTrainIds }
      if path.hasSuffix("_instanceIds.png") || decoded.bitDepth == 16 { return .cityscapesInstanceIds }
      return .cityscapesLabelIds
    case .camvid:
      return decoded.channels >= 3 ? .camvidColors(camvidGrouping) : .camvidSegNet
    case .ade20k:
      return .ade20k
    }
  }

  /// The training label space of a format.
  public static func space(of format: DatasetFormat) -> LabelSpace {
    switch format {
    case .cityscapes: .cityscapes
    case .camvid: .camvid
    case .ade20k: .ade20k
    }
  }

  /// Where the train-id version of a label file goes: cityscapesScripts' naming for Cityscapes
  /// (`…_gtFine_labelIds.png` → `…_gtFine_labelTrainIds.png`), `<stem>_labelTrainIds.png` otherwise.
  public static func trainIdPath(forLabelAt path: String) -> String {
    for suffix in ["_labelIds.png", "_instanceIds.png", "_L.png"] where path.hasSuffix(suffix) {
      return String(path.dropLast(suffix.count)) + "_labelTrainIds.png"
    }
    return path.deletingPathExtension + "_labelTrainIds.png"
  }

  /// Reads a label file and converts it to train ids.
  /// - Throws: ``DatasetError/invalidLabel(path:reason:)`` when it cannot be decoded or its format
  ///   does not fit the encoding.
  public static func convert(
    contentsOf path: String, format: DatasetFormat, decoder: ImageDecoder = ImageDecoder(),
    camvidGrouping: CamVidGrouping = .standard
  ) throws(DatasetError) -> (labels: TrainIdLabels, encoding: LabelEncoding) {
    let decoded: DecodedImage
    do throws(ImageCodecError) {
      decoded = try decoder.decodeLabel(contentsOf: path).image
    } catch {
      throw .invalidLabel(path: path, reason: error.reason)
    }
    let encoding = encoding(forLabelAt: path, format: format, decoded: decoded, camvidGrouping: camvidGrouping)
    switch encoding.trainIds(from: consume decoded) {
    case .success(let labels): return (labels, encoding)
    case .failure(let mismatch): throw .invalidLabel(path: path, reason: mismatch.reason)
    }
  }

  /// Encodes a train-id map as an 8-bit grayscale PNG (no palette, 255 = ignore).
  ///
  /// Rows are filtered with "up" and compressed run-length (zlib's `Z_RLE`): a label row mostly
  /// repeats the one above, so it filters to runs of zeros, and this is both the fastest setting and
  /// about the smallest (3–5× faster than level 6 without a filter, and half the size).
  public static func encode(_ labels: Image8) throws(DatasetError) -> [UInt8] {
    do throws(ImageCodecError) {
      return try PNGEncoder(compressionLevel: 6, filter: .up, strategy: .rle).encode(labels)
    } catch {
      throw .encodeFailed(path: "<memory>", reason: error.reason)
    }
  }
}

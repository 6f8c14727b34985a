public import ImageCodecs

/// Converting label files to train ids, one at a time or next to a whole dataset's originals.
public enum LabelFiles {
  /// Where the train-id version of a label file goes: cityscapesScripts' naming for Cityscapes
  /// (`…_gtFine_labelIds.png` → `…_gtFine_labelTrainIds.png`), `<stem>_labelTrainIds.png` otherwise.
  public static func trainIdPath(forLabelAt path: String) -> String {
    for suffix in ["_labelIds.png", "_instanceIds.png", "_L.png"] where path.hasSuffix(suffix) {
      return String(path.dropLast(suffix.count)) + "_labelTrainIds.png"
    }
    return path.deletingPathExtension + "_labelTrainIds.png"
  }

  /// Reads a label file of a dataset with `labels` and converts it to train ids.
  /// - Throws: ``DatasetError/invalidLabel(path:reason:)`` when it cannot be decoded or its format
  ///   does not fit the encoding.
  public static func convert(
    contentsOf path: String, labels: DatasetLabels, decoder: ImageDecoder = ImageDecoder()
  ) throws(DatasetError) -> (labels: TrainIdLabels, encoding: LabelEncoding) {
    let decoded: DecodedImage
    do throws(ImageCodecError) {
      decoded = try decoder.decodeLabel(contentsOf: path).image
    } catch {
      throw .invalidLabel(path: path, reason: error.reason)
    }
    let encoding = labels.encoding(forLabelAt: path, decoded: decoded)
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

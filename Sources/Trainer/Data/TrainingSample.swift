public import ImageCodecs

/// Where one sample's bytes are and what is known about it before it is decoded.
///
/// The trainer plans whole epochs from these: the stored scale picks the sample's batch bucket and
/// crop size, the weight multiplies its loss. Nothing here requires decoding the image.
public struct SampleEntry: Sendable, Equatable {
  /// The sample key (the shard key, or the dataset's key for a dataset root).
  public var key: String
  /// The scale the sample is stored at relative to its original (1 for an unslimmed dataset).
  public var scale: Double
  /// The DANCE loss weight from the shard metadata (1 for an unslimmed dataset).
  public var weight: Float
  /// The stored width in pixels.
  public var width: Int
  /// The stored height in pixels.
  public var height: Int
  /// Where the image and label bytes are.
  public var location: Location

  /// Where a sample's image and label live.
  public enum Location: Sendable, Equatable {
    /// Two members of a tar shard, read by offset.
    case shard(path: String, image: MemberSpan, imageCodec: ImageCodec, label: MemberSpan)
    /// Files of a dataset root; the label is converted to train ids on the fly.
    case files(image: String, label: String)
  }

  /// Creates an entry.
  public init(key: String, scale: Double, weight: Float, width: Int, height: Int, location: Location) {
    self.key = key
    self.scale = scale
    self.weight = weight
    self.width = width
    self.height = height
    self.location = location
  }
}

/// The byte range of one tar member's data.
public struct MemberSpan: Sendable, Equatable, Hashable {
  /// The offset of the first data byte in the shard.
  public var offset: Int
  /// The number of data bytes.
  public var size: Int

  /// Creates a span.
  public init(offset: Int, size: Int) {
    self.offset = offset
    self.size = size
  }
}

/// One decoded sample: RGB pixels and train ids of the same size.
public struct TrainingSample: Sendable, Equatable {
  /// The sample key.
  public var key: String
  /// 3-channel interleaved RGB.
  public var image: Image8
  /// 1-channel train ids, ``Datasets/LabelSpace/ignoreValue`` for ignored pixels.
  public var labels: Image8
  /// The loss weight.
  public var weight: Float

  /// Creates a sample; image and labels must have the same size.
  public init(key: String, image: Image8, labels: Image8, weight: Float) {
    precondition(image.channels == 3 && labels.channels == 1, "TrainingSample needs RGB pixels and 1-channel labels")
    precondition(image.width == labels.width && image.height == labels.height, "image and labels differ in size")
    self.key = key
    self.image = image
    self.labels = labels
    self.weight = weight
  }
}

public import DanceCore
public import GRDB

/// A dataset root registered in the catalog.
public struct DatasetRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "dataset"

  /// Row id, assigned on insert.
  public var id: Int64?
  /// Absolute path of the dataset root.
  public var root: String
  /// The layout.
  public var format: DatasetFormat
  /// The label encoding of the source files, e.g. `cityscapes-labelIds`.
  public var labelEncoding: String
  /// The training label space, e.g. `cityscapes-trainid-19`.
  public var labelSpace: String
  /// CamVid 32-class release: the grouping overrides in effect (the text of `--camvid-grouping`).
  public var camvidGrouping: String?
  /// The dataset's name, the first component of its sample keys; unique in a catalog. Catalogs
  /// from before names existed give their datasets the format as name (as their keys began).
  public var name: String

  /// Creates a record (the id is assigned on insert).
  public init(
    id: Int64? = nil, root: String, format: DatasetFormat, labelEncoding: String, labelSpace: String,
    camvidGrouping: String? = nil, name: String? = nil
  ) {
    self.id = id
    self.name = name ?? format.rawValue
    self.root = root
    self.format = format
    self.labelEncoding = labelEncoding
    self.labelSpace = labelSpace
    self.camvidGrouping = camvidGrouping
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The state of a sample after validation.
public enum SampleStatus: String, Codable, Sendable, DatabaseValueConvertible {
  /// Valid: both files present, decodable, same size, known label values.
  case ok
  /// Unusable; ``SampleRecord/error`` says why.
  case bad
}

/// How a file was when it was last read: the cache key for everything computed from it.
public struct FileIdentity: Codable, Sendable, Equatable, Hashable {
  /// Size in bytes.
  public var bytes: Int64
  /// Modification time in nanoseconds since 1970.
  public var modifiedNanoseconds: Int64

  /// Creates an identity.
  public init(bytes: Int64, modifiedNanoseconds: Int64) {
    self.bytes = bytes
    self.modifiedNanoseconds = modifiedNanoseconds
  }
}

/// One image/label pair of a dataset.
public struct SampleRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "sample"

  /// The sample key: unique across the catalog.
  public var key: SampleKey
  /// The dataset the sample belongs to.
  public var datasetId: Int64
  /// The split.
  public var split: DatasetSplit
  /// Image path relative to the dataset root.
  public var imagePath: String
  /// Label path relative to the dataset root; `nil` when the label is missing.
  public var labelPath: String?
  /// Image width in pixels, when the header could be read.
  public var width: Int?
  /// Image height in pixels, when the header could be read.
  public var height: Int?
  /// Image file size in bytes.
  public var imageBytes: Int64?
  /// Image modification time (ns since 1970).
  public var imageModified: Int64?
  /// Label file size in bytes.
  public var labelBytes: Int64?
  /// Label modification time (ns since 1970).
  public var labelModified: Int64?
  /// Validation outcome.
  public var status: SampleStatus
  /// Why the sample is bad; `nil` when it is ok.
  public var error: String?

  /// Creates a record.
  public init(
    key: SampleKey, datasetId: Int64, split: DatasetSplit, imagePath: String, labelPath: String?, width: Int?,
    height: Int?, image: FileIdentity?, label: FileIdentity?, status: SampleStatus, error: String?
  ) {
    self.key = key
    self.datasetId = datasetId
    self.split = split
    self.imagePath = imagePath
    self.labelPath = labelPath
    self.width = width
    self.height = height
    imageBytes = image?.bytes
    imageModified = image?.modifiedNanoseconds
    labelBytes = label?.bytes
    labelModified = label?.modifiedNanoseconds
    self.status = status
    self.error = error
  }

  /// The image file's identity when it was validated.
  public var imageIdentity: FileIdentity? {
    guard let imageBytes, let imageModified else { return nil }
    return FileIdentity(bytes: imageBytes, modifiedNanoseconds: imageModified)
  }

  /// The label file's identity when it was validated.
  public var labelIdentity: FileIdentity? {
    guard let labelBytes, let labelModified else { return nil }
    return FileIdentity(bytes: labelBytes, modifiedNanoseconds: labelModified)
  }
}

/// A problem found while scanning: a bad sample's reasons, or a file that belongs to no sample.
public struct ProblemRecord: Codable, Sendable, Equatable, Hashable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "problem"

  /// The dataset the problem was found in.
  public var datasetId: Int64
  /// A short machine-readable kind, e.g. `missing-label`, `size-mismatch`, `unknown-label-values`.
  public var kind: ProblemKind
  /// The file the problem concerns, relative to the dataset root.
  public var path: String
  /// The sample it makes bad, if any.
  public var sampleKey: SampleKey?
  /// A sentence for people.
  public var detail: String

  /// Creates a record.
  public init(datasetId: Int64, kind: ProblemKind, path: String, sampleKey: SampleKey?, detail: String) {
    self.datasetId = datasetId
    self.kind = kind
    self.path = path
    self.sampleKey = sampleKey
    self.detail = detail
  }
}

/// What is wrong with a dataset's file or folder, found by discovery or validation: the `kind`
/// of a catalog `problem` row. The catalog stores the raw value and refuses a value this Dance
/// does not know (written by another tool or a newer Dance), naming it, rather than reading it as
/// another kind.
public enum ProblemKind: String, Sendable, Codable, CaseIterable {
  /// An image without its label file.
  case missingLabel = "missing-label"
  /// A label file without its image.
  case missingImage = "missing-image"
  /// A file that is not part of the layout.
  case strayFile = "stray-file"
  /// Two files give the same sample key.
  case duplicateKey = "duplicate-key"
  /// A symbolic link leads back into a directory being walked.
  case symlinkLoop = "symlink-loop"
  /// A file or directory that cannot be read.
  case unreadable
  /// The image cannot be decoded.
  case undecodableImage = "undecodable-image"
  /// The label cannot be decoded.
  case undecodableLabel = "undecodable-label"
  /// Image and label differ in size.
  case sizeMismatch = "size-mismatch"
  /// The label holds values the label space does not define.
  case unknownLabelValues = "unknown-label-values"
  /// The label file's channels or bit depth do not fit its encoding.
  case wrongLabelFormat = "wrong-label-format"
  /// A split folder without annotations; its images are not cataloged.
  case noAnnotations = "no-annotations"
}

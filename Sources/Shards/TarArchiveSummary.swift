/// What a finished tar archive amounts to: its length and checksums, computed while writing.
public struct TarArchiveSummary: Hashable, Sendable {
  /// The archive's length in bytes (a multiple of 10240).
  public var byteCount: Int
  /// The lowercase hexadecimal SHA-256 of the archive.
  public var sha256: String
  /// The lowercase hexadecimal MD5 of the archive (what wids' `md5sum` expects).
  public var md5: String

  /// Creates a summary.
  public init(byteCount: Int, sha256: String, md5: String) {
    self.byteCount = byteCount
    self.sha256 = sha256
    self.md5 = md5
  }
}

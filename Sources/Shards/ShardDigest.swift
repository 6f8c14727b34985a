import Crypto
import Foundation

/// The checksums recorded for every shard: SHA-256 (the catalog's) and MD5 (what wids checks).
public enum ShardDigest {
  /// Lowercase hex SHA-256 and MD5 of `bytes`.
  public static func of(_ bytes: [UInt8]) -> (sha256: String, md5: String) {
    (hex(SHA256.hash(data: bytes)), hex(Insecure.MD5.hash(data: bytes)))
  }

  /// Size and lowercase hex SHA-256 of the file at `path`, read in 1 MiB pieces (constant memory);
  /// `nil` when it cannot be opened or read.
  public static func ofFile(_ path: String) -> (bytes: Int, sha256: String)? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    var hasher = SHA256()
    var total = 0
    do {
      // `read(upToCount:)` gives nil or empty data at the end of the file, and throws on a read error.
      while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        hasher.update(data: chunk)
        total += chunk.count
      }
    } catch {
      return nil
    }
    return (total, hex(hasher.finalize()))
  }

  /// Lowercase hex SHA-256 of `bytes`.
  public static func sha256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

  /// Lowercase hex of a digest's bytes.
  static func hex<Digest: Sequence<UInt8>>(_ digest: Digest) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    for byte in digest {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}

import Crypto

/// The checksums recorded for every shard: SHA-256 (the catalog's) and MD5 (what wids checks).
public enum ShardDigest {
  /// Lowercase hex SHA-256 and MD5 of `bytes`.
  public static func of(_ bytes: [UInt8]) -> (sha256: String, md5: String) {
    (hex(SHA256.hash(data: bytes)), hex(Insecure.MD5.hash(data: bytes)))
  }

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

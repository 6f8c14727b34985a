import Foundation

/// A number of bytes as people write it, for every setting that takes a size (`--shard-size` of
/// `dance slim` and `dance export mds`, `shard_size:` in pipeline files): `268435456`, `64MiB`,
/// `64M`, `1.5GiB`, `500MB`, `10 KiB`.
///
/// As GNU tools read them: `K`, `KiB`, `M`, `MiB`, `G`, `GiB`, `T`, `TiB` are powers of 1024; `KB`,
/// `MB`, `GB`, `TB` powers of 1000; case does not matter, a trailing `B` alone means bytes.
public enum ByteSize {
  /// The bytes `text` names, or `nil` when it is not a size; a fraction must come to whole bytes.
  /// Negative numbers are read (so that a range check can name them), underscores ignored.
  public static func parse(_ text: String) -> Int? {
    let trimmed = text.replacingOccurrences(of: "_", with: "").trimmingCharacters(in: .whitespaces)
    let number = trimmed.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" }
    let suffix = trimmed.dropFirst(number.count).trimmingCharacters(in: .whitespaces).lowercased()
    guard !number.isEmpty, let multiplier = multipliers[suffix] else { return nil }
    if let whole = Int(number) {
      let (bytes, overflow) = whole.multipliedReportingOverflow(by: multiplier)
      return overflow ? nil : bytes
    }
    guard let value = Double(number), value.isFinite else { return nil }
    let bytes = value * Double(multiplier)
    guard bytes.rounded() == bytes, abs(bytes) < 9.0e18 else { return nil }
    return Int(bytes)
  }

  /// `256 MiB`, `64 KiB`, `10240 bytes`: the largest binary unit that divides `bytes` exactly.
  public static func format(_ bytes: Int) -> String {
    for (unit, size) in [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes != 0 && bytes % size == 0 {
      return "\(bytes / size) \(unit)"
    }
    return "\(bytes) bytes"
  }

  private static let multipliers: [String: Int] = {
    var table = ["": 1, "b": 1]
    for (power, letter) in ["k", "m", "g", "t"].enumerated() {
      let binary = 1 << (10 * (power + 1))
      var decimal = 1
      for _ in 0...power { decimal *= 1000 }
      table[letter] = binary
      table[letter + "ib"] = binary
      table[letter + "b"] = decimal
    }
    return table
  }()
}

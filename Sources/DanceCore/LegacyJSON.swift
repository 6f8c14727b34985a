public import Foundation

/// Reading JSON that an earlier Dance wrote (issue 26): every Dance JSON file and checkpoint's
/// metadata now uses snake_case keys and names the unit of each score (`miou_fraction`), where
/// earlier runs wrote camelCase (`widthMultiplier`) and bare names (`miou`). A decoder with
/// ``decoder(renaming:dataDictionaries:)`` reads files of both kinds into today's types, key by key,
/// without rewriting the text (numbers are read exactly as they were written).
public enum LegacyJSON {
  /// `widthMultiplier` → `width_multiplier`, `asppOneByOne` → `aspp_one_by_one`; a key without
  /// capitals (already snake_case) is returned as it is.
  public static func snakeCased(_ key: String) -> String {
    guard key.contains(where: \.isUppercase) else { return key }
    var result = ""
    for character in key {
      if character.isUppercase {
        if !result.isEmpty && result.last != "_" { result.append("_") }
        result += character.lowercased()
      } else {
        result.append(character)
      }
    }
    return result
  }

  /// A decoder that reads each key snake_cased and then renamed by `renaming` (old snake_case
  /// name → today's name), except the keys of the objects named in `dataDictionaries` (today's
  /// names), whose keys are data (class names) and are read as written.
  public static func decoder(renaming: [String: String] = [:], dataDictionaries: Set<String> = []) -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .custom { path in
      let key = path[path.count - 1].stringValue
      if path.count >= 2, dataDictionaries.contains(path[path.count - 2].stringValue) { return AnyKey(key) }
      let snake = snakeCased(key)
      return AnyKey(renaming[snake] ?? snake)
    }
    return decoder
  }

  /// A coding key made from a string.
  private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }
}

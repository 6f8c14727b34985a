import Foundation

/// What differs between two configurations recorded as JSON objects (a slimmed output's
/// fingerprint, a partition catalog's output row), in words a refusal can show: one phrase per key
/// whose value differs, e.g. `policy {"fixed":{"scale":0.5}} recorded, {"quantile":…} given`, or
/// `output.pngLevel 3 recorded, 2 given` inside an object both sides have.
public enum ConfigurationDifference {
  /// One phrase per key that differs, sorted by key; a key only one side has is shown as `absent`
  /// on the other. Objects both sides have with a key in common are compared key by key (dotted
  /// names); other objects (a policy of another kind) whole. Texts that are not JSON objects are
  /// compared whole.
  public static func phrases(recorded: String, given: String) -> [String] {
    guard let old = object(recorded), let new = object(given) else {
      return recorded == given ? [] : ["\(recorded) recorded, \(given) given"]
    }
    return phrases(old, new, prefix: "")
  }

  private static func phrases(_ old: [String: Any], _ new: [String: Any], prefix: String) -> [String] {
    Set(old.keys).union(new.keys).sorted().flatMap { key -> [String] in
      if let before = old[key] as? [String: Any], let after = new[key] as? [String: Any],
        !Set(before.keys).isDisjoint(with: after.keys)
      {
        return phrases(before, after, prefix: prefix + key + ".")
      }
      let before = old[key].map(compact) ?? "absent", after = new[key].map(compact) ?? "absent"
      return before == after ? [] : ["\(prefix)\(key) \(before) recorded, \(after) given"]
    }
  }

  private static func object(_ text: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
  }

  /// A value as compact JSON with sorted keys (strings and numbers as JSON fragments).
  private static func compact(_ value: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
    else { return "\(value)" }
    return String(decoding: data, as: UTF8.self)
  }
}

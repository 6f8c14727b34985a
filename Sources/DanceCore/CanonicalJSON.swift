import Foundation

/// JSON text with sorted keys (and `JSONEncoder`'s escaping), so that the same value always gives
/// the same bytes: what a slimmed output's configuration, a plan's policy and weights, and a
/// checkpoint's configuration are recorded as.
public enum CanonicalJSON {
  /// `value` as canonical JSON text.
  /// - Throws: `EncodingError` for a value JSON cannot hold (a non-finite number).
  public static func text<Value: Encodable>(_ value: Value) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }
}

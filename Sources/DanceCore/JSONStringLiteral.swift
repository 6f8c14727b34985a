import Foundation

/// A JSON string literal for `value`: quotes and backslashes escaped, `\n`, `\r`, `\t`, other
/// control characters as `\u00XX` (safetensors headers, the records of written files).
public func jsonStringLiteral(_ value: String) -> String {
  var out = "\""
  for scalar in value.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}

import Crypto
public import Foundation

/// Creates a fresh temporary directory, passes its path to `body`, and removes it afterwards.
public func withTemporaryDirectory<Result>(
  _ body: (String) throws -> Result
) throws -> Result {
  let path = NSTemporaryDirectory() + "dance-test-" + UUID().uuidString
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(atPath: path) }
  return try body(path)
}

/// Async variant of ``withTemporaryDirectory(_:)``.
public func withTemporaryDirectory<Result>(
  _ body: (String) async throws -> Result
) async throws -> Result {
  let path = NSTemporaryDirectory() + "dance-test-" + UUID().uuidString
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(atPath: path) }
  return try await body(path)
}

/// The lowercase hexadecimal SHA-256 of `bytes`.
public func sha256Hex<Bytes: DataProtocol>(_ bytes: Bytes) -> String {
  SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

/// Writes `bytes` to `path`, creating intermediate directories.
public func writeFile(_ bytes: [UInt8], to path: String) throws {
  let directory = (path as NSString).deletingLastPathComponent
  try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Every regular file under `directory`, relative path → contents (empty when it does not exist),
/// for comparing whole output trees.
public func regularFileContents(under directory: String) throws -> [String: Data] {
  var result: [String: Data] = [:]
  for path in (try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? [] {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
      result[path] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + path))
    }
  }
  return result
}

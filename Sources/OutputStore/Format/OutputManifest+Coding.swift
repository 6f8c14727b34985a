import DanceCore
import Foundation

extension OutputManifest {
  /// Reads a manifest of version 1 (the configuration a string of JSON) or 2 (a JSON object);
  /// either way ``configuration`` is the canonical JSON its `configuration_sha256` was computed over.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    version = try container.decode(Int.self, forKey: .version)
    partition = try container.decodeIfPresent(String.self, forKey: .partition)
    complete = try container.decode(Bool.self, forKey: .complete)
    if version >= 2 {
      configuration = try container.decode(SlimFingerprint.self, forKey: .configuration).canonicalJSON()
    } else {
      configuration = try container.decode(String.self, forKey: .configuration)
    }
    configurationSHA256 = try container.decode(String.self, forKey: .configurationSHA256)
    dataset = try container.decode(Dataset.self, forKey: .dataset)
    datasetSHA256 = try container.decodeIfPresent(String.self, forKey: .datasetSHA256)
    splits = try container.decode([String: Split].self, forKey: .splits)
  }

  /// Writes the manifest as of ``version``: the configuration as a JSON object (version 2) or as
  /// its canonical string (version 1).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(version, forKey: .version)
    try container.encodeIfPresent(partition, forKey: .partition)
    try container.encode(complete, forKey: .complete)
    if version >= 2 {
      try container.encode(try SlimFingerprint(canonicalJSON: configuration), forKey: .configuration)
    } else {
      try container.encode(configuration, forKey: .configuration)
    }
    try container.encode(configurationSHA256, forKey: .configurationSHA256)
    try container.encode(dataset, forKey: .dataset)
    try container.encodeIfPresent(datasetSHA256, forKey: .datasetSHA256)
    try container.encode(splits, forKey: .splits)
  }

  /// The manifest as Dance writes it: pretty-printed, keys sorted, slashes unescaped, one final
  /// newline (so two runs of one configuration write identical files).
  public func encoded() throws(OutputStoreError) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do {
      return Array(try encoder.encode(self)) + [0x0A]
    } catch {
      throw .invalid(path: Self.fileName(partition: partition), reason: "cannot encode the manifest: \(error)")
    }
  }

  /// Writes the manifest into `directory` atomically (a temporary file renamed over the old one).
  func write(into directory: String) throws(OutputStoreError) {
    let path = directory + "/" + Self.fileName(partition: partition)
    let bytes = try encoded()
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw .io(path: path, reason: "cannot write the manifest: \(FileSystemFailure.reason(of: error))")
    }
  }

  /// Every manifest in `directory`: `manifest.json`, else the partitions' (sorted); empty when none.
  /// - Throws: ``OutputStoreError/invalid(path:reason:)`` for a manifest that cannot be read or parsed.
  public static func all(in directory: String) throws(OutputStoreError) -> [OutputManifest] {
    let whole = directory + "/" + fileName(partition: nil)
    if FileManager.default.fileExists(atPath: whole) { return [try read(whole)] }
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
      $0.hasPrefix("manifest.part") && $0.hasSuffix(".json")
    }
    var manifests: [OutputManifest] = []
    for name in names.sorted() { manifests.append(try read(directory + "/" + name)) }
    return manifests
  }

  /// Reads and parses one manifest, refusing a newer version and paths outside the output.
  /// - Throws: ``OutputStoreError/invalid(path:reason:)``.
  public static func read(_ path: String) throws(OutputStoreError) -> OutputManifest {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .invalid(path: path, reason: "cannot read the manifest")
    }
    struct Version: Decodable { var version: Int }
    if let version = try? JSONDecoder().decode(Version.self, from: data).version, version > currentVersion {
      throw .invalid(path: path, reason: "manifest version \(version) is newer than this Dance reads")
    }
    let manifest: OutputManifest
    do { manifest = try JSONDecoder().decode(OutputManifest.self, from: data) } catch {
      throw .invalid(path: path, reason: "not a Dance manifest: \(error)")
    }
    if let name = manifest.pathOutsideTheOutput {
      throw .invalid(path: path, reason: "it names \(name), which is not a file of the output's split folders; refusing to read it")
    }
    return manifest
  }
}

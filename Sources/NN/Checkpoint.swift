import DanceCore
import Foundation
import Tensors

extension Layer {
  /// This layer's ``state`` as a safetensors file: float tensors as `F32` in PyTorch layout,
  /// `num_batches_tracked` as a scalar `I64`, plus `metadata` (`format: pt` is always set).
  public func checkpoint(metadata: [String: String] = [:]) -> SafetensorsFile {
    var file = SafetensorsFile(metadata: metadata.merging(["format": "pt"]) { current, _ in current })
    for entry in state {
      switch entry.get() {
      case .float(let tensor): file.entries[entry.name] = SafetensorsFile.Entry(tensor)
      case .int64(let value): file.entries[entry.name] = SafetensorsFile.Entry(scalar: value)
      }
    }
    return file
  }

  /// Writes ``checkpoint(metadata:)`` to `path`.
  public func saveCheckpoint(to path: String, metadata: [String: String] = [:]) throws(CheckpointError) {
    try checkpoint(metadata: metadata).write(to: path)
  }

  /// Replaces this layer's state with the tensors of `file`; names, dtypes and shapes must match
  /// exactly and the file may hold no other tensors. Nothing is changed when it throws.
  public func load(_ file: SafetensorsFile, path: String) throws(CheckpointError) {
    let entries = state
    var updates: [(StateEntry, StateValue)] = []
    for entry in entries {
      guard let stored = file.entries[entry.name] else { throw .mismatch(path: path, reason: "missing tensor \(entry.name)") }
      switch entry.get() {
      case .float(let current):
        guard let tensor = stored.tensor, tensor.shape == current.shape else {
          throw .mismatch(path: path, reason: "\(entry.name) is \(stored.dtype.rawValue) \(stored.shape), expected F32 \(current.shape)")
        }
        updates.append((entry, .float(tensor)))
      case .int64:
        guard let value = stored.int64 else {
          throw .mismatch(path: path, reason: "\(entry.name) is \(stored.dtype.rawValue) \(stored.shape), expected an I64 scalar")
        }
        updates.append((entry, .int64(value)))
      }
    }
    let known = Set(entries.map(\.name))
    if let extra = file.entries.keys.sorted().first(where: { !known.contains($0) }) {
      throw .mismatch(path: path, reason: "unexpected tensor \(extra)")
    }
    for (entry, value) in updates { entry.set(value) }
  }
}

extension DeepLab {
  /// The metadata key holding the JSON ``DeepLabConfiguration``.
  public static let configurationKey = "dance.deeplab.configuration"

  /// The checkpoint metadata that lets ``load(from:)`` rebuild this network: the configuration as
  /// JSON under ``configurationKey``.
  public var configurationMetadata: [String: String] {
    let json = (try? CanonicalJSON.text(configuration)) ?? "{}"
    return [Self.configurationKey: json]
  }

  /// Saves the weights with ``configurationMetadata``.
  public func save(to path: String) throws(CheckpointError) {
    try saveCheckpoint(to: path, metadata: configurationMetadata)
  }

  /// Rebuilds a network from a checkpoint written by ``save(to:)``.
  public static func load(from path: String) throws(CheckpointError) -> DeepLab {
    try load(SafetensorsFile.read(from: path), path: path)
  }

  /// Rebuilds a network from the contents of a checkpoint already read; `path` names it in errors.
  public static func load(_ file: SafetensorsFile, path: String) throws(CheckpointError) -> DeepLab {
    guard let json = file.metadata[configurationKey],
          let configuration = try? LegacyJSON.decoder().decode(DeepLabConfiguration.self, from: Data(json.utf8))
    else { throw .mismatch(path: path, reason: "no \(configurationKey) metadata") }
    if let problem = configuration.problem { throw .mismatch(path: path, reason: problem) }
    // The network is built from the metadata: check it against the tensors first, so that a
    // configuration the tensors do not carry (a billion classes) is refused before allocating.
    if let problem = tensorProblem(configuration, file) { throw .mismatch(path: path, reason: problem) }
    var generator = SplitMix(seed: 0)
    let model = DeepLab(configuration, generator: &generator)
    try model.load(file, path: path)
    return model
  }
}

extension DeepLab {
  /// Why the tensors of `file` cannot be those of a network with `configuration`, or nil: the
  /// shapes that pin its width, classes, head and decoder, and the number of ASPP branches.
  static func tensorProblem(_ configuration: DeepLabConfiguration, _ file: SafetensorsFile) -> String? {
    let c = configuration, widths = c.widths, base = DeepLabConfiguration.baseWidths
    let expected: [(String, [Int])] = [
      ("backbone.stem.0.weight", [c.channels(base.stem), c.inputChannels, 3, 3]),
      ("decoder.reduce.0.weight", [widths.skip, c.channels(base.layers[0]), 1, 1]),
      ("aspp.project.0.weight", [widths.asppProject, widths.asppBranches.reduce(0, +), 1, 1]),
      ("decoder.fuse.0.weight", [widths.decoder, widths.asppProject + widths.skip, 3, 3]),
      ("classifier.weight", [c.classes, widths.decoder, 1, 1]),
    ]
    for (name, shape) in expected {
      guard let stored = file.entries[name] else { return "missing tensor \(name)" }
      if stored.shape != shape {
        return "\(configurationKey) (\(c.description)) needs \(name) of shape \(shape), the file holds \(stored.shape)"
      }
    }
    let branches = Set(file.entries.keys.compactMap { name -> Substring? in
      guard name.hasPrefix("aspp.convs.") else { return nil }
      return name.dropFirst("aspp.convs.".count).split(separator: ".").first
    })
    if branches.count != c.asppBranchCount {
      return "\(configurationKey) names \(c.asppBranchCount) ASPP branches, the file holds \(branches.count)"
    }
    return nil
  }
}

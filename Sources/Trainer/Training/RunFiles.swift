import Datasets
import Foundation
import NN

/// Where a run's data came from, so that a resume can open it again.
public struct DataSource: Codable, Sendable, Equatable {
  /// The output directory or dataset root as given.
  public var path: String
  /// The split read.
  public var split: String
  /// The catalog whose member offsets were used, if any.
  public var catalog: String?

  /// Creates a source.
  public init(path: String, split: String, catalog: String? = nil) {
    self.path = path
    self.split = split
    self.catalog = catalog
  }
}

/// The state a run resumes from: written as the metadata of `RUN/resume.safetensors`, beside the
/// network's tensors and the optimizer's momentum buffers (`optimizer.momentum.<i>`).
struct ResumeState: Codable {
  var version = 1
  var options: TrainingOptions
  var data: DataSource
  var dataIdentity: DataIdentity
  var validation: DataSource?
  var validationIdentity: DataIdentity?
  /// The epoch in progress (0-based).
  var epoch: Int
  /// The next batch of that epoch.
  var batch: Int
  /// Optimizer steps taken.
  var step: Int
  var history: TrainingHistory
}

/// The file names of a run directory.
public enum RunFiles {
  /// The resumable state: network, optimizer, data cursor and history.
  public static let resume = "resume.safetensors"
  /// The network after the last finished epoch (loads in `dance eval` and PyTorch).
  public static let last = "last.safetensors"
  /// The report of the run.
  public static let report = "report.json"
  /// The network after epoch `n` (1-based).
  public static func epochCheckpoint(_ n: Int) -> String { "checkpoint-epoch-\(n).safetensors" }

  /// Metadata key of the training state JSON in ``resume``.
  static let stateKey = "dance.training.state"
  /// Metadata key of the label space id in every checkpoint.
  public static let labelSpaceKey = "dance.label_space"
  /// Metadata key of the classes of a label space that is not standard (a generic dataset's), as
  /// JSON `[{"name": …, "color": [R, G, B]}, …]` in train-id order.
  public static let labelClassesKey = "dance.label_classes"
  /// Metadata key of the input normalization JSON in every checkpoint.
  public static let normalizationKey = "dance.input_normalization"
  /// Prefix of the optimizer tensors in ``resume``.
  static let optimizerPrefix = "optimizer.momentum."

  /// Whether `name` is a file a run writes (the only files a run directory may hold).
  static func isRunFile(_ name: String) -> Bool {
    [resume, last, report].contains(name) || (name.hasPrefix("checkpoint-epoch-") && name.hasSuffix(".safetensors"))
  }
}

/// One class of a recorded label space, as checkpoints store it (``RunFiles/labelClassesKey``).
struct RecordedClass: Codable {
  var name: String
  var color: [Int]
}

/// JSON coders of the trainer: sorted keys, snake_case for reports.
enum TrainerJSON {
  static func encoder(snakeCase: Bool = false, pretty: Bool = false) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
  }

  static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }

  /// A decoding error in words: its description of what is wrong, without Foundation's coding path.
  static func reason(of error: any Error) -> String {
    switch error as? DecodingError {
    case .dataCorrupted(let context)?, .keyNotFound(_, let context)?, .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
      context.debugDescription
    default: "\(error)"
    }
  }

  static func string<Value: Encodable>(_ value: Value) -> String {
    (try? encoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }
}

extension DeepLab {
  /// This network as a checkpoint that `dance eval`, `dance predict` and `examples/deeplab_torch.py`
  /// load: the tensors plus the configuration, label space and input normalization as metadata.
  func trainedCheckpoint(labelSpace: LabelSpace, normalization: InputNormalization, extra: [String: String] = [:]) -> SafetensorsFile {
    var metadata = extra.merging(configurationMetadata) { _, own in own }
    metadata[RunFiles.labelSpaceKey] = labelSpace.id
    if let classes = labelSpace.recordedClasses {
      metadata[RunFiles.labelClassesKey] = TrainerJSON.string(classes.map { RecordedClass(name: $0.name, color: $0.color) })
    }
    metadata[RunFiles.normalizationKey] = TrainerJSON.string(normalization)
    return checkpoint(metadata: metadata)
  }
}

public import DanceCore
import Datasets
public import Foundation
import NN

/// Where a run's data came from, so that a resume can open it again.
public struct DataSource: Codable, Sendable, Equatable {
  /// The output directory or dataset root (absolute).
  public var path: String
  /// The split read.
  public var split: DatasetSplit
  /// The catalog whose member offsets were used, if any.
  public var catalog: String?

  /// Creates a source.
  public init(path: String, split: DatasetSplit, catalog: String? = nil) {
    self.path = URL(fileURLWithPath: path).standardizedFileURL.path
    self.split = split
    self.catalog = catalog.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
  }
}

/// The state a run resumes from: written as the metadata of `RUN/resume.safetensors`, beside the
/// network's tensors and the optimizer's momentum buffers (`optimizer.momentum.<i>`).
struct ResumeState: Codable {
  /// 1; written with snake_case keys since issue 26, with camelCase before (both are read).
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

  enum CodingKeys: String, CodingKey {
    case version, options, data, validation, epoch, batch, step, history
    case dataIdentity = "data_identity"
    case validationIdentity = "validation_identity"
  }
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

/// JSON coders of the trainer's files (`report.json`, the checkpoints' metadata) and of the
/// experiment's run results: sorted keys, each type's own snake_case keys, scores named with their
/// unit (`miou_fraction`).
public enum TrainerJSON {
  /// The names scores had before their keys named the unit (issue 26), and today's.
  static let renamedScores = [
    "miou": "miou_fraction", "pixel_accuracy": "pixel_accuracy_fraction", "per_class": "per_class_iou_fraction",
    "small_class_miou": "small_class_miou_fraction",
  ]

  static func encoder(pretty: Bool = false) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
  }

  /// A decoder of these files as any Dance version wrote them: today's snake_case keys, and the
  /// camelCase keys and bare score names of runs, checkpoints and run results written before
  /// (``LegacyJSON``); class names in per-class scores are read as written.
  public static func decoder() -> JSONDecoder {
    let decoder = LegacyJSON.decoder(renaming: renamedScores, dataDictionaries: ["per_class", "per_class_iou_fraction", "per_category_iou_fraction"])
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

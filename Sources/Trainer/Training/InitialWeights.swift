import DanceCore
public import Datasets
import Foundation
import Shards
public import NN

/// The checkpoint a run was started from (`dance train --init CKPT`), as its options record it.
public struct InitialWeights: Codable, Sendable, Equatable {
  /// The checkpoint file read.
  public var path: String
  /// The SHA-256 of that file, lowercase hex.
  public var sha256: String
  /// The label space the checkpoint was trained on.
  public var labelSpace: String
  /// Whether the classifier (`classifier.weight`, `classifier.bias`) was initialised afresh from
  /// the run's seed because the checkpoint's classes are not the data's.
  public var freshClassifier: Bool

  enum CodingKeys: String, CodingKey {
    case path, sha256
    case labelSpace = "label_space"
    case freshClassifier = "fresh_classifier"
  }
}

/// A checkpoint read for fine-tuning: the network's architecture and weights, and the note that
/// says what was taken from it.
public struct FineTuningStart {
  /// What the run's options record.
  public let record: InitialWeights
  /// The network the run trains: the checkpoint's architecture with the data's classes.
  public let configuration: DeepLabConfiguration
  /// The input normalization the checkpoint was trained with (the run keeps it).
  public let normalization: InputNormalization
  /// One line for people: where the weights come from, and whether the classifier is kept.
  public let note: String
  private let source: DeepLab

  /// Reads `path` (a checkpoint, or a run directory's `last.safetensors`) to start a run on data
  /// whose labels are `space`.
  ///
  /// The classifier is kept when the checkpoint's classes are the data's (the same names in
  /// train-id order) and initialised afresh otherwise (another count, or other classes).
  /// - Parameter gated: whether the run needs ASPP gates (progressive slimming); a checkpoint
  ///   without them gets gates of 1, which change nothing.
  /// - Throws: ``TrainerError/checkpoint(path:reason:)`` when the file cannot be used.
  public static func read(_ path: String, for space: LabelSpace, gated: Bool) throws(TrainerError) -> FineTuningStart {
    let model = try TrainedModel.load(path)
    // Streamed, not read whole a second time (the load above holds the tensors).
    guard let sha256 = ShardDigest.ofFile(model.path)?.sha256 else {
      throw .checkpoint(path: model.path, reason: "cannot read the file")
    }
    let kept = model.labelSpace.classNames == space.classNames
    var configuration = model.network.configuration
    configuration.classes = space.classes.count
    configuration.asppGates = configuration.asppGates || gated
    let trained = model.labelSpace, count = trained.classes.count
    let classes = counted(count, "class", plural: "classes"), dataClasses = counted(space.classes.count, "class", plural: "classes")
    let note = kept
      ? "init: weights of \(model.path) (\(trained.id)); every layer is kept, the classifier too (the same \(classes))"
      : "init: weights of \(model.path) (\(trained.id), \(classes)); the classifier is initialised afresh for the data's "
        + "\(dataClasses) of \(space.id)" + (count == space.classes.count ? " (other classes, same count)" : "")
    return FineTuningStart(
      record: InitialWeights(path: model.path, sha256: sha256, labelSpace: trained.id, freshClassifier: !kept),
      configuration: configuration, normalization: model.normalization, note: note, source: model.network)
  }

  /// Copies the checkpoint's tensors into `model` (built from ``configuration``), except the
  /// classifier when it is initialised afresh and gates the checkpoint does not have.
  func apply(to model: DeepLab) {
    let stored = Dictionary(uniqueKeysWithValues: source.state.map { ($0.name, $0) })
    for entry in model.state {
      if record.freshClassifier && entry.name.hasPrefix("classifier.") { continue }
      guard let value = stored[entry.name]?.get() else { continue }  // gates a checkpoint without them lacks
      entry.set(value)
    }
  }
}

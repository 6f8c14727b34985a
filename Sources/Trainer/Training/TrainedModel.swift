public import Datasets
import Foundation
public import NN
import Tensors

/// A network read back from a checkpoint of `dance train`, with what is needed to use it.
public struct TrainedModel {
  /// The network, in evaluation mode.
  public let network: DeepLab
  /// The label space its classes belong to.
  public let labelSpace: LabelSpace
  /// The input normalization it was trained with.
  public let normalization: InputNormalization
  /// The checkpoint file read.
  public let path: String

  /// Reads a checkpoint file, or the `last.safetensors` of a run directory.
  ///
  /// - Throws: ``TrainerError/checkpoint(path:reason:)`` when the file is missing, unreadable, or
  ///   lacks the configuration or a known label space.
  public static func load(_ path: String) throws(TrainerError) -> TrainedModel {
    var isDirectory: ObjCBool = false
    var file = path
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      file = path + "/" + RunFiles.last
    }
    guard FileManager.default.fileExists(atPath: file) else {
      throw .checkpoint(path: file, reason: isDirectory.boolValue ? "the run has no finished epoch yet" : "no such checkpoint")
    }
    let contents: SafetensorsFile
    do throws(CheckpointError) { contents = try SafetensorsFile.read(from: file) } catch {
      throw .checkpoint(path: file, reason: error.description)
    }
    guard let spaceId = contents.metadata[RunFiles.labelSpaceKey], let space = LabelSpace.named(spaceId) else {
      throw .checkpoint(path: file, reason: "no known \(RunFiles.labelSpaceKey) metadata (not written by dance train?)")
    }
    var normalization = InputNormalization.imagenet
    if let json = contents.metadata[RunFiles.normalizationKey] {
      do { normalization = try TrainerJSON.decoder().decode(InputNormalization.self, from: Data(json.utf8)) } catch {
        throw .checkpoint(path: file, reason: "unusable \(RunFiles.normalizationKey) metadata: \(TrainerJSON.reason(of: error))")
      }
    }
    let network: DeepLab
    do throws(CheckpointError) { network = try DeepLab.load(contents, path: file) } catch {
      throw .checkpoint(path: file, reason: error.description)
    }
    if let name = network.state.first(where: { entry in
      if case .float(let tensor) = entry.get() { return !tensor.storage.allSatisfy(\.isFinite) }
      return false
    })?.name {
      throw .checkpoint(path: file, reason: "\(name) holds NaN or infinite values (the training diverged); it cannot make predictions")
    }
    guard network.configuration.classes == space.classes.count else {
      throw .checkpoint(path: file, reason: "\(network.configuration.classes) classes, but \(space.id) has \(space.classes.count)")
    }
    network.isTraining = false
    return TrainedModel(network: network, labelSpace: space, normalization: normalization, path: file)
  }
}

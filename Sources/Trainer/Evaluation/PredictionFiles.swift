import DanceCore
public import Datasets
import Foundation
public import ImageCodecs
public import Tensors

/// Where `dance predict` and `dance eval --save-predictions` write, planned and checked before the
/// network runs, by the rule every writing command shares (``OutputGuard``, ``WrittenFiles``): the
/// directory is a directory; no output is an input or lands outside the directory; no two outputs
/// share a name; an existing file is replaced only when Dance wrote it (`DIR/.dance-written`).
public struct PredictionFiles {
  /// The files written per `dance predict` image: train ids, palette colours, overlay.
  public struct ImageOutputs: Sendable, Equatable {
    /// `<stem>_trainIds.png`, relative to the directory.
    public var trainIds: String
    /// `<stem>_color.png`.
    public var color: String
    /// `<stem>_overlay.png`.
    public var overlay: String
    /// `<stem>_labelIds.png` with `--label-ids`, else nil.
    public var labelIds: String?
    /// `<stem>_logits.npy` with `--logits`, else nil.
    public var logits: String?

    /// Every file, in writing order.
    public var all: [String] { [trainIds, color, overlay] + [labelIds, logits].compactMap { $0 } }
  }

  /// The suffix of a saved evaluation prediction: `<key>_prediction.png` can never be the image
  /// or the label of a sample, whatever the directory.
  public static let predictionSuffix = "_prediction.png"
  /// The suffix of a saved evaluation prediction in Cityscapes label ids (`--label-ids`).
  public static let labelIdsPredictionSuffix = "_prediction_labelIds.png"

  /// The directory written into.
  public var directory: String { written.directory }
  private let written: WrittenFiles
  /// Whether evaluation predictions are written as Cityscapes label ids.
  private let labelIds: Bool

  private init(_ written: WrittenFiles, labelIds: Bool) {
    self.written = written
    self.labelIds = labelIds
  }

  /// Plans `dance predict`'s outputs for `images` in `directory` and claims them.
  /// - Returns: the files and each image's outputs, in the order of `images`.
  /// - Throws: ``TrainerError/invalidConfiguration(path:reason:)`` for a refused plan (exit 2).
  public static func forImages(_ images: [String], in directory: String, labelIds: Bool = false, logits: Bool = false)
    throws(TrainerError) -> (PredictionFiles, [ImageOutputs])
  {
    let outputs = images.map { image in
      let stem = ((image as NSString).lastPathComponent as NSString).deletingPathExtension
      return ImageOutputs(
        trainIds: stem + "_trainIds.png", color: stem + "_color.png", overlay: stem + "_overlay.png",
        labelIds: labelIds ? stem + "_labelIds.png" : nil, logits: logits ? stem + "_logits.npy" : nil)
    }
    let named = zip(images, outputs).flatMap { image, output in output.all.map { ($0, image) } }
    let files = try claim(named, in: directory, inputs: images, labelIds: labelIds)
    return (files, outputs)
  }

  /// Plans `dance eval --save-predictions`: `<key>_prediction.png` (train ids) or, with
  /// `labelIds`, `<key>_prediction_labelIds.png` (Cityscapes label ids) per sample key in
  /// `directory`, which must lie apart from every input (the data directory: the dataset root or
  /// the output).
  /// - Throws: ``TrainerError/invalidConfiguration(path:reason:)`` for a refused plan (exit 2).
  public static func forSamples(_ keys: [String], in directory: String, inputs: [String], labelIds: Bool = false)
    throws(TrainerError) -> PredictionFiles
  {
    do throws(OutputGuardError) {
      try OutputGuard.checkApart(directory, from: inputs, role: "the predictions directory")
    } catch {
      throw TrainerError(error)
    }
    return try claim(keys.map { (prediction(forKey: $0, labelIds: labelIds), $0) }, in: directory, inputs: inputs, labelIds: labelIds)
  }

  /// The file of sample `key`'s prediction, relative to the directory.
  public static func prediction(forKey key: String, labelIds: Bool = false) -> String {
    key + (labelIds ? labelIdsPredictionSuffix : predictionSuffix)
  }

  /// Writes sample `key`'s predicted train ids to its planned file, as train ids or label ids.
  public func writePrediction(_ trainIds: Image8, forKey key: String) throws(TrainerError) {
    try writeLabels(labelIds ? CityscapesLabelIds.labelIds(of: trainIds) : trainIds, to: Self.prediction(forKey: key, labelIds: labelIds))
  }

  /// Writes an 8-bit train-id map (as Dance stores label maps) to a planned file.
  public func writeLabels(_ labels: Image8, to relativePath: String) throws(TrainerError) {
    let bytes: [UInt8]
    do throws(DatasetError) { bytes = try LabelFiles.encode(labels) } catch {
      throw .io(path: directory + "/" + relativePath, reason: error.reason)
    }
    try write(bytes, to: relativePath)
  }

  /// Writes class scores `[1, K, H, W]` as a float32 `.npy` of shape `[K, H, W]` to a planned file.
  public func writeScores(_ scores: Tensor, to relativePath: String) throws(TrainerError) {
    try write(NPYFile.encode(Tensor(shape: Array(scores.shape.dropFirst()), storage: scores.storage)), to: relativePath)
  }

  /// Writes a colour image as PNG to a planned file.
  public func writeImage(_ image: Image8, to relativePath: String) throws(TrainerError) {
    let bytes: [UInt8]
    do throws(ImageCodecError) { bytes = try PNGEncoder(compressionLevel: 6).encode(image) } catch {
      throw .io(path: directory + "/" + relativePath, reason: error.reason)
    }
    try write(bytes, to: relativePath)
  }

  private func write(_ bytes: [UInt8], to relativePath: String) throws(TrainerError) {
    do throws(OutputGuardError) { try written.write(bytes, to: relativePath) } catch { throw TrainerError(error) }
  }

  /// Checks the whole plan (directory, distinct names, no output an input, nothing foreign in the
  /// way), then records it.
  private static func claim(_ outputs: [(file: String, source: String)], in directory: String, inputs: [String], labelIds: Bool)
    throws(TrainerError) -> PredictionFiles
  {
    do throws(OutputGuardError) {
      try OutputGuard.checkDirectory(directory, role: "the output directory")
      try OutputGuard.checkDistinct(outputs.map { (directory + "/" + $0.file, $0.source) })
      for output in outputs {
        try OutputGuard.checkApart(directory + "/" + output.file, from: inputs, role: "the output file")
      }
      let written = try WrittenFiles(directory: directory)
      try written.claim(outputs.map(\.file))
      return PredictionFiles(written, labelIds: labelIds)
    } catch {
      throw TrainerError(error)
    }
  }
}

extension TrainerError {
  /// The shared output rule's error as the trainer's: a refusal is a configuration error (exit 2).
  init(_ error: OutputGuardError) {
    switch error {
    case .refused(let path, let reason): self = .invalidConfiguration(path: path, reason: reason)
    case .io(let path, let reason): self = .io(path: path, reason: reason)
    }
  }
}

/// Cityscapes `labelIds` predictions, the format of the Cityscapes benchmark's submissions: each
/// train id 0…18 as the label id cityscapesScripts' `trainId2label` gives it (road 7, …, bicycle
/// 33); anything else (the ignore value) as 0, `unlabeled`.
public enum CityscapesLabelIds {
  /// Why a network of `space` cannot write label ids, or nil for Cityscapes' 19 classes.
  public static func problem(space: LabelSpace) -> String? {
    space.id == LabelSpace.cityscapes.id
      ? nil : "--label-ids writes Cityscapes label ids; the network's classes are \(space.id), not \(LabelSpace.cityscapes.id)"
  }

  /// Train id → Cityscapes label id, for every byte value (0, unlabeled, for any that is not a
  /// train id): the inverse of the `*_labelIds.png` encoding, whose smallest id per train id is
  /// the first in cityscapesScripts' list.
  private static let labelIdOfByte: [UInt8] = LabelEncoding.cityscapesLabelIds.storedValueOfTrainId.map { $0 ?? 0 }

  /// A train-id map as label ids.
  public static func labelIds(of trainIds: Image8) -> Image8 {
    let table = labelIdOfByte
    var output = trainIds
    for index in output.samples.indices { output.samples[index] = table[Int(output.samples[index])] }
    return output
  }
}

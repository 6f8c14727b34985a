import ArgumentParser
import DanceCore
import Foundation
import Datasets
import NN
import Trainer

/// `dance model …`: inspect the bundled segmentation networks.
struct ModelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "model",
    abstract: "Inspect the bundled segmentation networks.",
    subcommands: [Summary.self]
  )

  /// `dance model summary`: every layer with output shape, parameters and forward FLOPs.
  struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print every layer of a network with its output shape, parameters and forward FLOPs, and the totals.",
      discussion: """
        FLOPs count a multiply-add as 2. Without --reference the network is the slimmable DeepLabV3+-style \
        model of the trainer, built from the model options; with --reference it is the benchmark network of \
        bench/torch_reference_step.py. With --matched-to OUT the ASPP head is first matched to a slimmed \
        output's training split (design §7): with the mean kept scale s̄ of its samples, every dilation rate r \
        becomes max(1, round(r·s̄)), equal rates merge, and a branch whose receptive field 2r+1 exceeds the \
        feature map of the training crop at s̄ (s̄ · --crop / output stride, in both directions) is removed.
        """
    )

    @OptionGroup var model: ModelOptions

    @Option(help: "Input shape NxCxHxW. Default 1x3x512x1024 (8x3x128x256 with --reference).")
    var input: String?

    @Flag(help: "Print the summary as JSON instead of a table.")
    var json = false

    @Flag(help: "Summarise the benchmark reference network instead of the DeepLab model.")
    var reference = false

    @Option(help: ArgumentHelp("Match the ASPP head to the training split of this slimmed output (or dataset root, scale 1) first.",
                               valueName: "OUT"))
    var matchedTo: String?

    @Option(help: ArgumentHelp("With --matched-to: the training crop in pixels, WxH, as given to dance train.",
                               valueName: "WxH"))
    var crop = "512x256"

    func validate() throws {
      if matchedTo != nil && reference { throw ValidationError("--matched-to applies to the DeepLab model, not --reference") }
      if PixelSize(parsing: crop) == nil { throw ValidationError("--crop must be WxH with positive integers, got \(crop)") }
    }

    func run() throws {
      let shape = try parseShape(input ?? (reference ? "8x3x128x256" : "1x3x512x1024"))
      let summary: NN.ModelSummary
      if reference {
        guard shape[1] == 3 else { throw ValidationError("the reference network takes 3 input channels, got \(shape[1])") }
        var generator = SystemRandomNumberGenerator()
        summary = NN.ModelSummary(ReferenceNetwork(generator: &generator), inputShape: shape, model: "reference network (bench/torch_reference_step.py)")
      } else {
        var configuration = try model.configuration()
        configuration.inputChannels = shape[1]
        if let matchedTo {
          let head = try matchedHead(configuration, to: matchedTo, classesGiven: model.classes != nil)
          configuration = head.configuration
          if json {
            var generator = SystemRandomNumberGenerator()
            let summary = NN.ModelSummary(DeepLab(configuration, generator: &generator), inputShape: shape, model: configuration.description)
            try printJSON(MatchedSummary(matching: head, summary: summary))
            return
          }
          for line in head.explanation { print(line) }
        }
        var generator = SystemRandomNumberGenerator()
        summary = NN.ModelSummary(DeepLab(configuration, generator: &generator), inputShape: shape, model: configuration.description)
      }
      if json { try printJSON(summary) } else { print(summary.table(), terminator: "") }
    }

    /// The head matched to `output`'s training samples; the classes are the data's label space's
    /// unless --classes was given.
    private func matchedHead(_ configuration: DeepLabConfiguration, to output: String, classesGiven: Bool) throws -> DataMatchedHead {
      let data = try TrainingData.open(output, split: .train)
      var configuration = configuration
      if !classesGiven { configuration.classes = data.labelSpace.classes.count }
      return data.matchedHead(configuration, crop: PixelSize(parsing: crop)!)
    }

    /// `--matched-to --json`: how the head was matched, then the summary of the matched network.
    private struct MatchedSummary: Encodable {
      var matching: DataMatchedHead
      var summary: NN.ModelSummary
    }

    private func parseShape(_ text: String) throws -> [Int] {
      let parts = text.lowercased().split(separator: "x").map { Int($0) }
      guard parts.count == 4, let values = parts as? [Int], values.allSatisfy({ $0 > 0 }) else {
        throw ValidationError("--input must be NxCxHxW with four positive integers, got \(text)")
      }
      return values
    }
  }
}

/// The DeepLab configuration options shared by the model commands.
struct ModelOptions: ParsableArguments {
  /// The network's defaults, the one definition the options below start from.
  private static let defaults = DeepLabConfiguration()

  @Option(parsing: .unconditional, help: "Output classes. (default: \(defaults.classes); with --matched-to, the data's label space)")
  var classes: Int?

  @Option(parsing: .unconditional, help: "Width multiplier for every channel count.")
  var width = defaults.widthMultiplier

  @Option(parsing: .unconditional, help: "Backbone output stride, 8 or 16.")
  var outputStride = defaults.outputStride

  @Option(help: "Comma-separated dilation rates of the ASPP 3x3 branches; 'none' removes them.")
  var asppRates = defaults.asppRates.map(String.init).joined(separator: ",")

  @Flag(name: .customLong("no-aspp-1x1"), help: "Remove the ASPP 1x1 branch.")
  var noAspp1x1 = false

  @Flag(help: "Remove the ASPP image-pooling branch.")
  var noAsppPooling = false

  /// The configuration these options describe; throws a usage error if it is invalid.
  func configuration() throws -> DeepLabConfiguration {
    let rates: [Int]
    if asppRates.lowercased() == "none" || asppRates.isEmpty {
      rates = []
    } else {
      let parsed = asppRates.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard let values = parsed as? [Int] else { throw ValidationError("--aspp-rates must be comma-separated integers or 'none', got \(asppRates)") }
      rates = values
    }
    let configuration = DeepLabConfiguration(
      classes: classes ?? Self.defaults.classes, widthMultiplier: width, outputStride: outputStride, asppRates: rates,
      asppOneByOne: !noAspp1x1, asppImagePooling: !noAsppPooling)
    if let problem = configuration.problem { throw ValidationError(problem) }
    return configuration
  }
}

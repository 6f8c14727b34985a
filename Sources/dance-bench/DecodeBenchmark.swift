import ArgumentParser

/// Placeholder replaced below in this session.
struct DecodeBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "decode")
  func run() throws {}
}

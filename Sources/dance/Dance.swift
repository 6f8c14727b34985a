import ArgumentParser

@main
struct Dance: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "placeholder")
  func run() async throws {}
}

import DanceCore
import Foundation
import Pipeline
import Slimming
import Testing

/// The shared option ranges (issue 12 D1) and the plain-words file-system errors (D5).
@Suite struct SettingsTests {
  @Test func requirementsAndSpellings() {
    #expect(Settings.shardSamples.flag == "--shard-samples" && Settings.shardSamples.key == "shard_samples")
    #expect(Settings.shardSamples.requirement == "a whole number 1 or more")
    #expect(Settings.align.requirement == "a whole number in 1…4096")
    #expect(Settings.drop.requirement == "a number in [0, 1)")
    #expect(Settings.budget.requirement == "a number in (0, 1]")
  }

  @Test(arguments: [
    (Settings.drop, 0.0, true), (Settings.drop, 1.0, false), (Settings.drop, -0.1, false),
    (Settings.budget, 0.0, false), (Settings.budget, 1.0, true), (Settings.scale, .nan, false),
    (Settings.align, 4096.0, true), (Settings.align, 4097.0, false), (Settings.align, 1.5, false),
    (Settings.shardSize, 10239.0, false), (Settings.shardSize, 10240.0, true),
  ])
  func allows(setting: NumericSetting, value: Double, allowed: Bool) {
    #expect(setting.allows(value) == allowed)
  }

  @Test func everyPolicyHasItsOwnParameter() {
    #expect(SlimPolicyName.owner(of: Settings.drop) == .quantile)
    #expect(SlimPolicyName.owner(of: Settings.budget) == .budget)
    #expect(SlimPolicyName.owner(of: Settings.scale) == .fixed)
    #expect(SlimPolicyName.owner(of: Settings.align) == nil)
    #expect(SlimPolicyName.quantile.policy(parameter: nil) == .quantileDefault)
    #expect(SlimPolicyName.fixed.policy(parameter: 0.25) == .fixed(scale: 0.25))
  }

  @Test func fileSystemErrorsInPlainWords() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dance-fs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("plain")
    try Data("x".utf8).write(to: file)
    do {
      try Data("y".utf8).write(to: file.appendingPathComponent("inside"))
      Issue.record("writing under a regular file succeeded")
    } catch {
      #expect(FileSystemFailure.isFileSystemError(error))
      #expect(FileSystemFailure.reason(of: error) == "not a directory", "\(error)")
      #expect(!FileSystemFailure.message(for: error, fallbackPath: "?").contains("Domain"))
    }
    do {
      _ = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("missing").path)
      Issue.record("listing a missing directory succeeded")
    } catch {
      #expect(FileSystemFailure.reason(of: error) == "no such file or directory", "\(error)")
      #expect(FileSystemFailure.path(of: error) == directory.appendingPathComponent("missing").path)
    }
    #expect(FileSystemFailure.reason(of: POSIXError(.EACCES)) == "permission denied")
    #expect(FileSystemFailure.reason(of: CocoaError(.fileWriteFileExists)) == "file exists")
    #expect(!FileSystemFailure.isFileSystemError(SlimmingError.invalidPolicy("x")))
  }
}

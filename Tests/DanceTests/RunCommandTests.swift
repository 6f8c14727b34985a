import Foundation
import Testing

@Suite struct RunCommandTests {
  @Test func runsAPipelineAndRefusesABadFile() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dance-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let good = """
      version: 1
      catalog: catalog.sqlite
      dataset: {root: data}
      synth: {format: camvid, train: 6, val: 2, test: 0, size: 96x64}
      slim: {out: shards, policy: budget, budget: 0.5}
      verify: true
      """
    let goodPath = directory.appendingPathComponent("good.yaml").path
    try good.write(toFile: goodPath, atomically: true, encoding: .utf8)
    let run = try runDance(["run", goodPath])
    #expect(run.status == 0, "\(run.standardError)")
    #expect(run.standardOutput.contains("== verify"))
    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("shards/train/shardindex.json").path))

    let badPath = directory.appendingPathComponent("bad.yaml").path
    try good.replacingOccurrences(of: "verify: true", with: "verify: true\nworkerz: 2").write(
      toFile: badPath, atomically: true, encoding: .utf8)
    let bad = try runDance(["run", badPath])
    #expect(bad.status == 2)
    #expect(bad.standardError.hasPrefix("\(badPath):7: unknown key 'workerz' in the pipeline file (expected one of:"), "\(bad.standardError)")
  }
}

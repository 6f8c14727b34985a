import Foundation
import Shards
import Testing
import TestSupport

/// The first `python3` on `PATH` (or in /usr/bin, /usr/local/bin), if any.
private let pythonPath: String? = {
  let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
  return (directories + ["/usr/bin", "/usr/local/bin"]).map { $0 + "/python3" }
    .first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// Reads shards back with Python's `tarfile` and `json`, the libraries WebDataset and wids use.
@Suite(.enabled(if: pythonPath != nil, "python3 is not installed; skipping the tarfile interoperability tests"))
struct PythonInteropTests {

  /// Runs `python3 -c script arguments…` and returns its standard output.
  static func runPython(_ script: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(pythonPath))
    process.arguments = ["-c", script] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "python3 failed: \(String(decoding: errorData, as: UTF8.self))")
    return String(decoding: data, as: UTF8.self)
  }

  /// Lists members (name, size, mode, mtime, uid, gid, uname, gname, type, offsets) and
  /// extracts one member as hex.
  static let listScript = """
    import json, sys, tarfile
    with tarfile.open(sys.argv[1], "r:") as archive:
        members = [[m.name, m.size, m.mode, m.mtime, m.uid, m.gid, m.uname, m.gname,
                    m.isreg(), m.offset, m.offset_data] for m in archive.getmembers()]
        data = archive.extractfile(sys.argv[2]).read()
    print(json.dumps({"members": members, "data": data.hex()}))
    """

  /// Rebuilds the archive with `tarfile` in USTAR format from the members it read, and says
  /// whether Python's bytes equal ours.
  static let rewriteScript = """
    import io, sys, tarfile
    original = open(sys.argv[1], "rb").read()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(original), mode="r:") as source, \\
         tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member))
    print("identical" if buffer.getvalue() == original else "different %d %d" % (len(buffer.getvalue()), len(original)))
    """

  @Test func tarfileListsAndExtractsOurShard() throws {
    try withTemporaryDirectory { directory in
      var shards: [FinishedShard] = []
      try ShardWriter.withShardWriter(
        configuration: ShardWriterConfiguration(directory: directory, prefix: "interop"),
        onShardFinished: { shards.append($0) }
      ) { writer in
        for index in 0..<5 { try writer.write(Fixtures.sample(index, imageSize: 600 + index)) }
      }
      let shard = try #require(shards.first)
      let output = try Self.runPython(Self.listScript, [shard.path, "train/sample_0003.png"])
      let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
      let members = try #require(json["members"] as? [[Any]])
      let expected = shard.samples.flatMap(\.members)
      #expect(members.count == expected.count)
      for (row, member) in zip(members, expected) {
        #expect(row[0] as? String == member.name)
        #expect(row[1] as? Int == member.size)
        #expect(row[2] as? Int == 0o444)
        #expect(row[3] as? Int == 0)
        #expect(row[4] as? Int == 0 && row[5] as? Int == 0)
        #expect(row[6] as? String == "" && row[7] as? String == "")
        #expect(row[8] as? Bool == true)
        #expect(row[9] as? Int == member.headerOffset)
        #expect(row[10] as? Int == member.dataOffset)
      }
      let hex = [UInt8](repeating: 3, count: 603).map { String(format: "%02x", $0) }.joined()
      #expect(json["data"] as? String == hex)
    }
  }

  @Test func pythonWritesTheSameBytes() throws {
    try withTemporaryDirectory { directory in
      let vector = directory + "/vector.tar"
      try writeFile(try Fixtures.archive([Fixtures.vectorSample]), to: vector)
      #expect(try Self.runPython(Self.rewriteScript, [vector]) == "identical\n")

      let many = directory + "/many.tar"
      try writeFile(try Fixtures.archive((0..<20).map { Fixtures.sample($0, imageSize: 100 * $0) }, owner: ""), to: many)
      #expect(try Self.runPython(Self.rewriteScript, [many]) == "identical\n")
    }
  }

  @Test func shardIndexJSONMatchesPythonJSONDumps() throws {
    let index = ShardIndexJSON(
      name: "städte \"quoted\" \\ tab\t 😀",
      shards: [
        .init(url: "b-000001.tar", sampleCount: 2, byteCount: 20480, md5: "bb"),
        .init(url: "b-000000.tar", sampleCount: 1, byteCount: 10240),
      ])
    let script = """
      import json, sys
      text = sys.argv[1]
      print(json.dumps(json.loads(text), indent=2, sort_keys=True) == text)
      """
    #expect(try Self.runPython(script, [index.rendered()]) == "True\n")
  }

  @Test(arguments: ["GNU_FORMAT", "PAX_FORMAT"])
  func longNameExtensionsFromPythonAreRejected(format: String) throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/long.tar"
      let script = """
        import io, sys, tarfile
        with tarfile.open(sys.argv[1], "w", format=getattr(tarfile, sys.argv[2])) as archive:
            info = tarfile.TarInfo("d/" + "k" * 120 + ".png")
            info.size = 3
            archive.addfile(info, io.BytesIO(b"abc"))
        """
      _ = try Self.runPython(script, [path, format])
      do throws(ShardError) {
        _ = try TarReader(path: path).members()
        Issue.record("a \(format) long-name archive was accepted")
      } catch {
        guard case .unsupportedMember(let errorPath, let reason) = error else { Issue.record("\(error)"); return }
        #expect(errorPath == path)
        #expect(reason.contains("at offset 0 has typeflag"))
      }
    }
  }
}

public import Catalog
public import DanceCore
import Foundation
import Shards

/// The overwrite rules: Dance removes or replaces only files an output's manifest lists (files it
/// wrote), never anything else, and refuses the run instead.
public enum OutputOverwrite {
  /// Refuses an output that already holds files or catalog rows unless overwriting; then removes
  /// only the files its manifests list (for a partition, only its own) and forgets its rows. Files
  /// no manifest lists are never removed: when there are any, nothing is removed and the run is refused.
  ///
  /// - Parameters:
  ///   - recorded: the configuration the catalog records for the output, if any.
  ///   - given: this run's configuration (canonical JSON), named in a refusal.
  /// - Throws: ``OutputStoreError/refused(path:reason:)`` naming what is in the way.
  public static func prepare(
    _ directory: String, key: OutputKey, catalog: Catalog, overwrite: Bool, recorded: String?, given: String
  ) throws(OutputStoreError) {
    let partition = key.partition
    let entries = ownEntries(in: directory, partition: partition)
    let hasRows = try OutputStoreError.catalog { () throws(CatalogError) -> Bool in
      let plans = try catalog.plans(output: key), shards = try catalog.shards(output: key)
      return recorded != nil || !plans.isEmpty || !shards.isEmpty
    }
    guard !entries.isEmpty || hasRows else { return }
    guard overwrite else {
      if let recorded { throw SlimFingerprint.refusal(directory, recorded: recorded, given: given) }
      throw .refused(path: directory, reason: "the output directory already holds files; choose another or pass --overwrite")
    }
    let foreign = try unlisted(entries, in: directory, partition: partition)
    guard foreign.isEmpty else {
      let shown = foreign.sorted().prefix(3).joined(separator: ", ")
      throw .refused(
        path: directory,
        reason: "--overwrite removes only the files a Dance manifest lists, and \(foreign.count) files here are not "
          + "listed (\(shown)\(foreign.count > 3 ? ", …" : "")); nothing was removed: move them away or choose another --out")
    }
    // Nothing foreign: every entry is a listed file or a listed catalog's -wal/-shm companion.
    try OutputStoreError.fileSystem(directory) {
      for path in entries { try FileManager.default.removeItem(atPath: directory + "/" + path) }
      for split in DatasetSplit.allCases.map(\.rawValue) {
        let folder = directory + "/" + split
        if (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true {
          try FileManager.default.removeItem(atPath: folder)
        }
      }
    }
    try OutputStoreError.catalog { () throws(CatalogError) in try catalog.clearOutput(key) }
  }

  /// The regular files of `directory` (relative paths) an overwrite of this output concerns: all
  /// but the lock files, or for a partition only its manifest and the files of its shard prefixes.
  static func ownEntries(in directory: String, partition: OutputPartition?) -> [String] {
    let ownPrefixes = partition.map { partition in DatasetSplit.allCases.map { partition.shardPrefix(split: $0.rawValue) } }
    return regularFiles(in: directory).filter { path in
      if OutputLock.isLockFile(path) { return false }
      guard let partition, let ownPrefixes else { return true }
      let name = (path as NSString).lastPathComponent
      return path == OutputManifest.fileName(partition: partition.name)
        || ownPrefixes.contains {
          name.hasPrefix($0 + "-") || name.hasPrefix("." + $0 + "-") || name == ShardIndexJSON.fileName(partitionPrefix: $0)
        }
    }
  }

  /// The entries no manifest of the output (for a partition, its own) lists: a whole output's
  /// manifests own the partition catalogs they name, and a listed catalog its `-wal`/`-shm` files.
  static func unlisted(_ entries: [String], in directory: String, partition: OutputPartition?) throws(OutputStoreError) -> [String] {
    let manifests = try OutputManifest.all(in: directory).filter { partition == nil || $0.partition == partition?.name }
    var owned = Set(manifests.flatMap(\.ownedFiles))
    if partition == nil {
      // Partition catalogs belong to the partition manifests that name them.
      for manifest in manifests {
        if let name = manifest.partition { owned.insert(OutputPartition.catalogFileName(partitionName: name)) }
      }
    }
    return entries.filter { path in
      !owned.contains(path) && !(path.hasSuffix(".sqlite-wal") || path.hasSuffix(".sqlite-shm")
        ? owned.contains(String(path.dropLast(4))) : partition.map { path == $0.catalogFileName } ?? false)
    }
  }

  /// Removes this writer's shards, indexes and partial files in `directory` that are not among
  /// `keeping` (shard file names the catalog records), and its index JSON, rewritten at the end.
  /// Only files the output's manifest owns (`owned`, names in `directory`) are removed; a file of
  /// this writer's naming that the manifest does not own is refused, since writing would replace it.
  /// Files of other prefixes (other partitions) are left alone.
  /// - Throws: ``OutputStoreError/refused(path:reason:)`` naming the file Dance did not write.
  public static func removeUnrecorded(
    in directory: String, prefix: String, indexName: String, keeping: Set<String>, owned: Set<String>
  ) throws(OutputStoreError) {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
      let ownShard = name.hasPrefix(prefix + "-") || name.hasPrefix("." + prefix + "-")
      guard ownShard || name == indexName else { continue }
      let shardName = name.hasSuffix(".idx") ? String(name.dropLast(4)) + ".tar" : name
      let stale = name.hasSuffix(".partial") || name == indexName
        || ((name.hasSuffix(".tar") || name.hasSuffix(".idx")) && !keeping.contains(shardName))
      guard stale else { continue }
      guard owned.contains(name) else {
        throw .refused(
          path: directory + "/" + name,
          reason: "has the name of a file this run writes, but the output's manifest does not list it (Dance did not "
            + "write it); move it away or choose another --out")
      }
      try OutputStoreError.fileSystem(directory + "/" + name) { try FileManager.default.removeItem(atPath: directory + "/" + name) }
    }
  }

  /// Every regular file under `directory`, relative to it (empty when it does not exist).
  static func regularFiles(in directory: String) -> [String] {
    ((try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []).filter { path in
      var isDirectory: ObjCBool = false
      return FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
  }
}

import DanceCore
import Foundation

/// The regular files under a directory, found without following a symlink loop twice.
///
/// Symlinks to files are listed under their link path; symlinked directories are entered once per
/// real directory, and a link back into an ancestor is reported as a loop instead of recursing.
struct FileTree {
  /// Paths relative to the root, sorted, using `/`.
  var files: [String] = []
  /// Problems met while walking (loops, unreadable directories, dangling links).
  var problems: [LayoutProblem] = []

  init(root: String, subdirectory: String = "") {
    var visited = Set<DirectoryIdentity>()
    walk(root: root, relative: subdirectory, visited: &visited)
    files.sort()
  }

  private struct DirectoryIdentity: Hashable {
    var device: UInt64
    var inode: UInt64
  }

  private mutating func walk(root: String, relative: String, visited: inout Set<DirectoryIdentity>) {
    let absolute = relative.isEmpty ? root : root + "/" + relative
    var info = stat()
    guard stat(absolute, &info) == 0 else {
      problems.append(LayoutProblem(.unreadable, path: relative, detail: "cannot read the directory: \(String(cString: strerror(errno)))"))
      return
    }
    let identity = DirectoryIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    guard visited.insert(identity).inserted else {
      problems.append(LayoutProblem(.symlinkLoop, path: relative, detail: "symbolic link loop: this directory was already visited"))
      return
    }
    defer { visited.remove(identity) }
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: absolute)
    } catch {
      problems.append(LayoutProblem(.unreadable, path: relative, detail: "cannot list the directory"))
      return
    }
    for name in names.sorted() where !name.hasPrefix(".") {
      let child = relative.isEmpty ? name : relative + "/" + name
      var childInfo = stat()
      guard stat(root + "/" + child, &childInfo) == 0 else {
        switch errno {
        case ELOOP: problems.append(LayoutProblem(.symlinkLoop, path: child, detail: "symbolic link loop"))
        case ENOENT: problems.append(LayoutProblem(.unreadable, path: child, detail: "dangling symbolic link"))
        case let code:
          problems.append(LayoutProblem(.unreadable, path: child, detail: "unreadable entry: \(String(cString: strerror(code)))"))
        }
        continue
      }
      switch childInfo.st_mode & S_IFMT {
      case S_IFDIR: walk(root: root, relative: child, visited: &visited)
      case S_IFREG: files.append(child)
      default: problems.append(LayoutProblem(.strayFile, path: child, detail: "not a regular file or directory"))
      }
    }
  }
}

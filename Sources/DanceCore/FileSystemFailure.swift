import Foundation

/// Plain words for an error thrown by Foundation's file APIs or by POSIX, in place of its raw
/// form (`Error Domain=NSCocoaErrorDomain Code=512 "(null)" UserInfo={…}`).
public enum FileSystemFailure {
  /// Whether `error` comes from Foundation's file APIs or from POSIX (and so needs ``reason(of:)``).
  public static func isFileSystemError(_ error: any Error) -> Bool {
    if error is CocoaError || error is POSIXError { return true }
    let domain = (error as NSError).domain
    return domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain
  }

  /// The file the error is about, when it names one.
  public static func path(of error: any Error) -> String? {
    let userInfo = (error as? CocoaError)?.userInfo ?? (error as NSError).userInfo
    if let path = userInfo[NSFilePathErrorKey] as? String, !path.isEmpty { return path }
    if let url = userInfo[NSURLErrorKey] as? URL, url.isFileURL { return url.path }
    return nil
  }

  /// The reason in plain lower-case words: `no such file or directory`, `permission denied`,
  /// `file exists`, `not a directory`, …; the POSIX reason when the error carries one.
  public static func reason(of error: any Error) -> String {
    if let posix = error as? POSIXError { return words(errno: posix.code.rawValue) }
    let cocoa = error as? CocoaError
    let userInfo = cocoa?.userInfo ?? (error as NSError).userInfo
    if let underlying = userInfo[NSUnderlyingErrorKey] as? POSIXError { return words(errno: underlying.code.rawValue) }
    if let underlying = userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
      return words(errno: Int32(truncatingIfNeeded: underlying.code))
    }
    let ns = error as NSError
    if ns.domain == NSPOSIXErrorDomain { return words(errno: Int32(truncatingIfNeeded: ns.code)) }
    guard let code = cocoa?.code ?? (ns.domain == NSCocoaErrorDomain ? CocoaError.Code(rawValue: ns.code) : nil) else {
      return String(describing: error)
    }
    switch code {
    case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or directory"
    case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
    case .fileWriteFileExists: return "file exists"
    case .fileWriteOutOfSpace: return "no space left on device"
    case .fileWriteVolumeReadOnly: return "read-only file system"
    case .fileReadCorruptFile: return "the file is corrupt"
    case .fileReadTooLarge: return "the file is too large"
    case .fileReadInapplicableStringEncoding, .fileWriteInapplicableStringEncoding: return "the text is not in the expected encoding"
    case .fileReadInvalidFileName, .fileWriteInvalidFileName: return "invalid file name"
    case .fileLocking: return "the file is locked"
    case .fileReadUnsupportedScheme, .fileWriteUnsupportedScheme: return "not a local file"
    default: return "the file operation failed (Foundation error \(code.rawValue))"
    }
  }

  /// `PATH: reason`, with `fallbackPath` when the error names no file.
  public static func message(for error: any Error, fallbackPath: String) -> String {
    "\(path(of: error) ?? fallbackPath): \(reason(of: error))"
  }

  /// `strerror` in lower case: `No such file or directory` → `no such file or directory`.
  static func words(errno code: Int32) -> String {
    let text = String(cString: strerror(code))
    guard let first = text.first else { return "error \(code)" }
    // Keep acronyms ("I/O error") as they are; lower only a capital followed by a lower-case letter.
    if first.isUppercase, let second = text.dropFirst().first, second.isLowercase {
      return first.lowercased() + text.dropFirst()
    }
    return text
  }
}

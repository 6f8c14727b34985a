import DanceCore
import Datasets
import Foundation
import TestSupport
import Testing

/// Issue 25, C15: a `dance export folder` that did not finish (a kill, a full disk) is refused by
/// everything that reads a dataset root, while a finished one reads like any dataset.
@Suite struct ExportMarkerTests {
  @Test func anUnfinishedExportIsRefusedAndAFinishedOneRead() throws {
    try withTemporaryDirectory { root in
      try LayoutTests.writeRGB(to: root + "/leftImg8bit/train/ulm/ulm_000001_000002_leftImg8bit.png")
      try LayoutTests.writeGray(7, to: root + "/gtFine/train/ulm/ulm_000001_000002_gtFine_labelTrainIds.png")
      try writeFile(DatasetLayout.exportMarkerContents(complete: false), to: root + "/" + DatasetLayout.exportMarker)
      #expect {
        try DatasetLayout.discover(root: root)
      } throws: { error in
        guard case DatasetError.invalidConfiguration(_, let reason) = error else { return false }
        return reason.contains("unfinished dance export")
      }
      #expect(DatasetLayout.exportIsComplete(root: root) == false)
      try writeFile(DatasetLayout.exportMarkerContents(complete: true), to: root + "/" + DatasetLayout.exportMarker)
      #expect(try DatasetLayout.discover(root: root).samples.count == 1)
      try FileManager.default.removeItem(atPath: root + "/" + DatasetLayout.exportMarker)
      #expect(DatasetLayout.exportIsComplete(root: root) == nil)
    }
  }
}

import Foundation
import TestSupport
import Testing

/// `dance eval` and `dance predict` as benchmarks run them: sliding windows, flip and multi-scale
/// test-time augmentation, Cityscapes' category IoU and `--label-ids`.
@Suite(.serialized) struct BenchmarkEvaluationCommandTests {
  @Test func slidingWindowsAugmentationCategoriesAndLabelIds() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/cs", run = directory + "/run"
      try #require(try runDance(["synth", "--format", "cityscapes", "--out", root, "--train", "6", "--val", "2", "--size", "96x48"]).status == 0)
      try #require(try runDance(["train", root, "--out", run, "--epochs", "1", "--batch", "2", "--crop", "32x32", "--width", "0.25",
                                 "--threads", "1"]).status == 0)
      func eval(_ extra: [String]) throws -> [String: Any] {
        let result = try runDance(["eval", run, "--data", root, "--json", "--threads", "1"] + extra)
        #expect(result.status == 0, "\(result.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
      }
      let whole = try eval([])
      #expect(whole["inference"] as? String == "whole")
      #expect((whole["per_category_iou_fraction"] as? [String: Any])?.keys.sorted()
        == ["construction", "flat", "human", "nature", "object", "sky", "vehicle"])
      #expect(whole["category_miou_fraction"] is Double)
      let augmented = try eval(["--slide", "48x48", "--flip", "--scales", "0.75,1"])
      #expect(augmented["inference"] as? String == "slide 48x48 every 32x32, scales 0.75,1.0, flip")
      let flops = { (result: [String: Any]) in result["inference_flops_per_image"] as? Double ?? 0 }
      #expect(flops(augmented) > 3 * flops(whole), "every window, scale and flip costs a pass")

      let saved = try runDance(["eval", run, "--data", root, "--save-predictions", directory + "/labelIds", "--label-ids",
                                "--slide", "64x48", "--threads", "1"])
      #expect(saved.status == 0, "\(saved.standardError)")
      let files = try FileManager.default.subpathsOfDirectory(atPath: directory + "/labelIds").filter { $0.hasSuffix(".png") }
      #expect(files.count == 2 && files.allSatisfy { $0.hasSuffix("_prediction_labelIds.png") })
      let image = root + "/leftImg8bit/val/frankfurt/frankfurt_000000_000019_leftImg8bit.png"
      let predicted = try runDance(["predict", run, image, "--out", directory + "/predict", "--label-ids", "--flip", "--threads", "1"])
      #expect(predicted.status == 0, "\(predicted.standardError)")
      #expect(FileManager.default.fileExists(atPath: directory + "/predict/frankfurt_000000_000019_leftImg8bit_labelIds.png"))

      let lonely = try runDance(["eval", run, "--data", root, "--label-ids"])
      #expect(lonely.status == 2 && lonely.standardError.contains("--label-ids applies to --save-predictions"))
      let badScale = try runDance(["predict", run, image, "--out", directory + "/p2", "--scales", "0.5,9"])
      #expect(badScale.status == 2 && badScale.standardError.contains("--scales must be in (0, 4.0]"))
    }
  }

  @Test func labelIdsNeedACityscapesNetwork() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid"
      try #require(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "4", "--val", "1", "--test", "0",
                                 "--size", "64x48"]).status == 0)
      try #require(try runDance(["train", root, "--out", directory + "/run", "--epochs", "1", "--batch", "2", "--crop", "32x32",
                                 "--width", "0.25", "--threads", "1", "--no-val"]).status == 0)
      let image = root + "/val/" + (try FileManager.default.contentsOfDirectory(atPath: root + "/val")[0])
      let refused = try runDance(["predict", directory + "/run", image, "--out", directory + "/p", "--label-ids"])
      #expect(refused.status == 2 && refused.standardError.contains("--label-ids writes Cityscapes label ids"))
    }
  }
}

import NN
import Testing

/// The ASPP head scaled to the data: rates scaled and merged, branches wider than the map removed.
@Suite struct DataMatchedHeadTests {
  @Test(arguments: [
    // (mean scale, expected rates) for the default head (6, 12, 18), crop 512x256, output stride 16.
    (1.0, [6, 12]),  // map 16x32: 2·18+1 = 37 > 32 removes rate 18
    (0.6, [4, 7]),  // map 10x20: rates 4, 7, 11; 23 > 20 removes 11
    (0.25, [2, 3]),  // map 4x8: rates 2, 3, 5; fields 5, 7, 11: 11 > 8 removes rate 5
    (0.05, [1]),  // map 1x2: rates 1, 1, 1 (3 > 2 would remove every one)
  ])
  func ratesFollowTheMeanScale(scale: Double, rates: [Int]) {
    let head = DataMatchedHead(DeepLabConfiguration(), meanScale: scale, cropWidth: 512, cropHeight: 256)
    if scale == 0.05 {
      #expect(head.configuration.asppRates.isEmpty)
      #expect(head.branches.allSatisfy { $0.outcome == "removed" })
      #expect(head.configuration.asppOneByOne && head.configuration.asppImagePooling)
    } else {
      #expect(head.configuration.asppRates == rates)
    }
    #expect(head.configuration.problem == nil)
    #expect(head.explanation.count == 1 + DeepLabConfiguration().asppRates.count)
  }

  @Test(arguments: [(256, 16, 16), (257, 16, 17), (180, 16, 12), (360, 8, 45), (1, 16, 1), (13, 16, 1)])
  func featureMapSidesFollowTheStrideTwoStages(pixels: Int, stride: Int, side: Int) {
    #expect(DataMatchedHead.featureMapSide(pixels, outputStride: stride) == side)
  }

  @Test func anExplicitFeatureMapDecidesWhichBranchesFit() {
    // CamVid-sized samples (240x180) with the nominal crop 512x256 at scale 1: the nominal map is
    // 16x32, which keeps rate 12 (field 25); the crop really taken is 240x180, a 12x15 map.
    let nominal = DataMatchedHead(DeepLabConfiguration(), meanScale: 1, cropWidth: 512, cropHeight: 256)
    let real = DataMatchedHead(DeepLabConfiguration(), meanScale: 1, featureMapHeight: 12, featureMapWidth: 15)
    #expect(nominal.configuration.asppRates == [6, 12])
    #expect(real.configuration.asppRates == [6])
    #expect(real.featureMap == [12, 15])
  }

  @Test func equalScaledRatesAreMerged() {
    let base = DeepLabConfiguration(asppRates: [2, 3, 4])
    let head = DataMatchedHead(base, meanScale: 0.5, cropWidth: 1024, cropHeight: 512)
    #expect(head.branches.map(\.scaledRate) == [1, 2, 2])
    #expect(head.branches.map(\.outcome) == ["kept", "kept", "merged"])
    #expect(head.configuration.asppRates == [1, 2])
  }

  @Test func aHeadWithNoBranchLeftKeepsItsOneByOne() {
    let base = DeepLabConfiguration(asppRates: [18], asppOneByOne: false, asppImagePooling: false)
    let head = DataMatchedHead(base, meanScale: 0.25, cropWidth: 256, cropHeight: 128)
    #expect(head.configuration.asppRates.isEmpty && head.configuration.asppOneByOne)
    #expect(head.configuration.problem == nil)
  }
}

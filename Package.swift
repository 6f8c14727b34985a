// swift-tools-version: 6.1
// Dance: segmentation-dataset preparation following DANCE (data-network co-optimization).
// The target graph is described in README.md ("Repository organization").
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode plus the upcoming features that keep
/// imports and existentials explicit.
let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

/// Where Debian's `libopenblas0-openmp` puts the OpenMP build of OpenBLAS on this architecture.
#if arch(arm64)
let openBLASOpenMPDirectory = "/usr/lib/aarch64-linux-gnu/openblas-openmp"
#else
let openBLASOpenMPDirectory = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
#endif

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let grdb: Target.Dependency = .product(name: "GRDB", package: "GRDB.swift")
let yams: Target.Dependency = .product(name: "Yams", package: "Yams")

let package = Package(
  name: "Dance",
  products: [
    .executable(name: "dance", targets: ["dance"]),
    .library(name: "ImageCodecs", targets: ["ImageCodecs"]),
    .library(name: "Datasets", targets: ["Datasets"]),
    .library(name: "Synthetic", targets: ["Synthetic"]),
    .library(name: "Catalog", targets: ["Catalog"]),
    .library(name: "Pipeline", targets: ["Pipeline"]),
    .library(name: "Runner", targets: ["Runner"]),
    .library(name: "Audit", targets: ["Audit"]),
    .library(name: "Complexity", targets: ["Complexity"]),
    .library(name: "Slimming", targets: ["Slimming"]),
    .library(name: "Tensors", targets: ["Tensors"]),
    .library(name: "NN", targets: ["NN"]),
    .library(name: "Shards", targets: ["Shards"]),
    .library(name: "OutputStore", targets: ["OutputStore"]),
    .library(name: "Trainer", targets: ["Trainer"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    // MARK: - C libraries (each wrapped by exactly one Swift target)
    .target(
      name: "CPNG",
      linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("z"), .linkedLibrary("deflate"), .linkedLibrary("isal")]
    ),
    .target(
      name: "CJPEG",
      linkerSettings: [.linkedLibrary("jpeg")]
    ),
    .target(name: "CMalloc"),
    .target(
      name: "CDNNL",
      linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]
    ),
    .systemLibrary(
      name: "CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),

    // MARK: - Libraries
    .target(name: "DanceCore", swiftSettings: swiftSettings),
    .target(name: "ImageCodecs", dependencies: ["CPNG", "CJPEG"], swiftSettings: swiftSettings),
    .target(name: "Datasets", dependencies: ["DanceCore", "ImageCodecs", yams], swiftSettings: swiftSettings),
    .target(name: "Synthetic", dependencies: ["DanceCore", "Datasets", "ImageCodecs"], swiftSettings: swiftSettings),
    .target(name: "Complexity", dependencies: ["DanceCore", "ImageCodecs"], swiftSettings: swiftSettings),
    .target(name: "Slimming", dependencies: ["DanceCore"], swiftSettings: swiftSettings),
    .target(name: "Catalog", dependencies: ["DanceCore", grdb], swiftSettings: swiftSettings),
    .target(name: "Shards", dependencies: [crypto], swiftSettings: swiftSettings),
    .target(
      name: "OutputStore", dependencies: ["DanceCore", "ImageCodecs", "Datasets", "Catalog", "Slimming", "Shards"],
      swiftSettings: swiftSettings),
    .target(
      name: "Pipeline", dependencies: ["DanceCore", "ImageCodecs", "Datasets", "Catalog", "Complexity", "Slimming", "Shards", "OutputStore"],
      // The crash tests' fault injection (FaultInjection.swift) exists in debug builds only.
      swiftSettings: swiftSettings + [.define("DANCE_FAULT_INJECTION", .when(configuration: .debug))]
    ),
    // The one place stages are chained (the commands' entry points and pipeline files).
    .target(
      name: "Runner", dependencies: ["DanceCore", "Datasets", "Catalog", "Complexity", "Slimming", "Pipeline", "OutputStore", "Audit", "Synthetic", "ImageCodecs", yams],
      swiftSettings: swiftSettings
    ),
    .target(name: "Audit", dependencies: ["DanceCore", "ImageCodecs", "Datasets", "Catalog", "Complexity", "Slimming"], swiftSettings: swiftSettings),
    .target(
      name: "Tensors", dependencies: ["CBLAS", "CDNNL"], swiftSettings: swiftSettings,
      // Debian's OpenBLAS built on OpenMP, so that BLAS, oneDNN and the engine's loops share one
      // pool of threads (libgomp's); the system default is the pthreads build (see Tensors.md).
      linkerSettings: [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", openBLASOpenMPDirectory])]
    ),
    .target(name: "NN", dependencies: ["DanceCore", "Tensors"], swiftSettings: swiftSettings),
    .target(name: "Experiment", dependencies: ["DanceCore", "Catalog", "OutputStore", "Pipeline", "Runner", "Trainer", "NN", "Slimming", "Complexity", "Datasets"], swiftSettings: swiftSettings),
    .target(name: "Trainer", dependencies: ["DanceCore", "NN", "Tensors", "Shards", "OutputStore", "Catalog", "ImageCodecs", "Datasets", crypto], swiftSettings: swiftSettings),

    // MARK: - Executables
    .executableTarget(
      name: "dance",
      dependencies: ["DanceCore", "CMalloc", "ImageCodecs", "Datasets", "Catalog", "Complexity", "Slimming", "Pipeline", "OutputStore", "Runner", "Audit", "Synthetic", "Shards", "NN", "Tensors", "Trainer", "Experiment", argumentParser],
      swiftSettings: swiftSettings
    ),

    .executableTarget(
      name: "dance-bench",
      dependencies: ["CMalloc", "DanceCore", "ImageCodecs", "Datasets", "Synthetic", "Catalog", "Complexity", "Pipeline", "Runner", "Tensors", "NN", argumentParser],
      swiftSettings: swiftSettings
    ),

    // MARK: - Tests
    .target(name: "TestSupport", dependencies: ["DanceCore", "ImageCodecs", "Tensors", crypto], swiftSettings: swiftSettings),
    .testTarget(
      name: "ImageCodecsTests",
      dependencies: ["DanceCore", "ImageCodecs", "CPNG", "CJPEG", "TestSupport"],
      resources: [.copy("Fixtures")],
      swiftSettings: swiftSettings
    ),
    .testTarget(name: "DatasetsTests", dependencies: ["DanceCore", "Datasets", "ImageCodecs", "TestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "SyntheticTests", dependencies: ["DanceCore", "Synthetic", "Datasets", "CPNG", "ImageCodecs", "TestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "ComplexityTests", dependencies: ["DanceCore", "Complexity", "ImageCodecs", "TestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "SlimmingTests", dependencies: ["DanceCore", "Slimming"], swiftSettings: swiftSettings),
    .testTarget(name: "CatalogTests", dependencies: ["DanceCore", "Catalog", "TestSupport", grdb], swiftSettings: swiftSettings),
    .testTarget(name: "PipelineTests", dependencies: ["DanceCore", "Pipeline", "OutputStore", "Runner", "Synthetic", "Datasets", "Catalog", "ImageCodecs", "Shards", "Slimming", "Complexity", "TestSupport", grdb], swiftSettings: swiftSettings),
    .testTarget(name: "RunnerTests", dependencies: ["DanceCore", "Runner", "Pipeline", "OutputStore", "Synthetic", "Datasets", "Catalog", "Complexity", "Slimming", "TestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "AuditTests", dependencies: ["DanceCore", "Audit", "Pipeline", "Runner", "Synthetic", "Catalog", "Complexity", "Datasets", "ImageCodecs", "Slimming", "TestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "DanceCoreTests", dependencies: ["DanceCore", "TestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "DanceTests", dependencies: ["DanceCore", "dance", "Catalog", "Trainer", "Experiment", "Slimming", "Datasets", "ImageCodecs", "Shards", "OutputStore", "TestSupport", grdb], swiftSettings: swiftSettings),
    .testTarget(name: "TensorsTests", dependencies: ["DanceCore", "Tensors", "TestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "NNTests", dependencies: ["DanceCore", "NN", "Tensors", "TestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "TrainerTests", dependencies: ["DanceCore", "Trainer", "OutputStore", "NN", "Tensors", "Shards", "Catalog", "Datasets", "Synthetic", "ImageCodecs", "Pipeline", "Runner", "TestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "ExperimentTests", dependencies: ["DanceCore", "Experiment", "Trainer", "NN", "Pipeline", "Runner", "Slimming", "Synthetic", "TestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "ShardsTests", dependencies: ["DanceCore", "Shards", "TestSupport"], swiftSettings: swiftSettings),
    .testTarget(
      name: "OutputStoreTests", dependencies: ["DanceCore", "OutputStore", "Catalog", "Shards", "Slimming", "Datasets", "ImageCodecs", "TestSupport"],
      swiftSettings: swiftSettings),
  ],
  swiftLanguageModes: [.v6]
)

// swift-tools-version: 6.1
// The per-function benchmarks of ddbcdc, with ordo-one's package-benchmark: a package of its own,
// outside the library graph, so building or testing ddbcdc never resolves or builds it.
//
//   scripts/bench-functions.sh                      # prepares the inputs, then runs them all
//   cd Benchmarks && swift package --disable-sandbox benchmark --filter transform
//
// It uses only ddbcdc's public library API (the products DDBTypes, StreamNormalize, NDJSONBuffer,
// Parquet, ParquetRows, SparkTypes), as a Swift service team importing them would.
import PackageDescription

let package = Package(
    name: "ddbcdc-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ddbcdc", path: ".."),
        // The malloc interposer gives the allocation counts next to the times.
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Functions",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "DDBTypes", package: "ddbcdc"),
                .product(name: "StreamNormalize", package: "ddbcdc"),
                .product(name: "NDJSONBuffer", package: "ddbcdc"),
                .product(name: "Parquet", package: "ddbcdc"),
                .product(name: "ParquetRows", package: "ddbcdc"),
                .product(name: "SparkTypes", package: "ddbcdc"),
            ],
            path: "Functions",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        )
    ]
)

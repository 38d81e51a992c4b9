// swift-tools-version: 6.1
import PackageDescription

/// Settings shared by every target.
let swiftSettings: [SwiftSetting] = [
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0335-existential-any.md
    .enableUpcomingFeature("ExistentialAny"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    .enableUpcomingFeature("MemberImportVisibility"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0409-access-level-on-imports.md
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "ddbcdc",
    products: [
        .library(name: "DDBTypes", targets: ["DDBTypes"]),
        .library(name: "Timekeeping", targets: ["Timekeeping"]),
        .library(name: "StreamNormalize", targets: ["StreamNormalize"]),
        .library(name: "NDJSONBuffer", targets: ["NDJSONBuffer"]),
        .library(name: "AWSCore", targets: ["AWSCore"]),
        .library(name: "S3Sink", targets: ["S3Sink"]),
        .library(name: "DynamoExport", targets: ["DynamoExport"]),
        .library(name: "DynamoStreams", targets: ["DynamoStreams"]),
        .library(name: "SparkTypes", targets: ["SparkTypes"]),
        .library(name: "SparkPlan", targets: ["SparkPlan"]),
        .library(name: "Parquet", targets: ["Parquet"]),
        .library(name: "ParquetRows", targets: ["ParquetRows"]),
        .executable(name: "ddbcdc", targets: ["ddbcdc"]),
        // The Lambda function's `bootstrap` alone: the runtime loop without the command line, the
        // notebook generator or the infrastructure emitter (scripts/package-lambda.sh builds it).
        .executable(name: "ddbcdc-lambda", targets: ["ddbcdc-lambda"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Already in the graph through AsyncHTTPClient; named for the trust roots of --ca-bundle.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // `swift package generate-documentation` for the DocC catalogs (scripts/check-docs.sh); a
        // command plugin only, so nothing of it is linked into a product.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // Both already in the graph through AsyncHTTPClient: file descriptors without hand-written
        // EINTR loops, and the service group that runs `run` until a signal shuts it down.
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(name: "DDBTypes", swiftSettings: swiftSettings),
        .target(name: "Timekeeping", swiftSettings: swiftSettings),
        .target(name: "StreamNormalize", dependencies: ["DDBTypes"], swiftSettings: swiftSettings),
        .target(
            name: "NDJSONBuffer", dependencies: ["StreamNormalize", "Timekeeping", "Digest", "CLibdeflate"], swiftSettings: swiftSettings),
        .target(name: "Digest", dependencies: ["CLibcrypto"], swiftSettings: swiftSettings),
        // SigV4, credentials, the HTTP transport, retries, region and endpoint resolution: what
        // the S3 client and the DynamoDB Streams client share.
        .target(
            name: "AWSCore",
            dependencies: [
                "Digest",
                "Timekeeping",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "S3Sink", dependencies: ["AWSCore", "Digest", "Timekeeping"], swiftSettings: swiftSettings),
        // Spark's types and the schema file (StructType JSON), the JSON model that reads it, SQL quoting:
        // what the notebook generator and the Parquet encoder share. Apart from SparkPlan so that the
        // Lambda bootstrap, which types Parquet columns by a schema file, links none of the notebook text.
        .target(name: "SparkTypes", swiftSettings: swiftSettings),
        .target(name: "SparkPlan", dependencies: ["SparkTypes"], swiftSettings: swiftSettings),
        // ddbcdc's rows as Parquet: the packed and typed layouts, row JSON shredded into columns.
        .target(name: "ParquetRows", dependencies: ["Parquet", "SparkTypes", "StreamNormalize", "DDBTypes", "Digest"], swiftSettings: swiftSettings),
        // DynamoDB exports: manifests, data files on disk or in S3 (backfill).
        .target(name: "DynamoExport", dependencies: ["S3Sink", "ProcessKit"], swiftSettings: swiftSettings),
        // DynamoDB Streams over the JSON 1.0 protocol (DescribeTable, DescribeStream, GetShardIterator,
        // GetRecords): what `ddbcdc stream` reads.
        .target(name: "DynamoStreams", dependencies: ["AWSCore", "DDBTypes", "StreamNormalize"], swiftSettings: swiftSettings),
        // An in-process DynamoDB Streams with shard splits, trimming, expiry and throttling: for
        // the poller's tests and its benchmark (not a product).
        .target(name: "DynamoStreamsTesting", dependencies: ["DynamoStreams", "AWSCore", "StreamNormalize"], swiftSettings: swiftSettings),
        // `ddbcdc stream`'s poller: shard lineage, checkpoints, the lock, the stream as the engine's
        // source. Apart from Pipeline so that the Lambda bootstrap does not link it.
        .target(
            name: "StreamPoller",
            dependencies: ["DynamoStreams", "Pipeline", "S3Sink", "AWSCore", "StreamNormalize", "NDJSONBuffer", "Timekeeping", "ProcessKit"],
            swiftSettings: swiftSettings),
        // What `emit-infra` and `emit-notebook` make, from checked inputs: the commands only declare options.
        .target(
            name: "Infrastructure",
            dependencies: ["SparkPlan", "SparkTypes", "DDBTypes", "StreamNormalize", "NDJSONBuffer", "S3Sink", "Pipeline", "ProcessKit", "Parquet"],
            swiftSettings: swiftSettings
        ),
        // The process around the libraries: standard streams, environment, signals.
        .target(
            name: "ProcessKit", dependencies: [.product(name: "SystemPackage", package: "swift-system")], swiftSettings: swiftSettings),
        // The command's runs as services of a ServiceGroup; apart from ProcessKit so that the Lambda
        // bootstrap, which needs none of it, stays small (the zip's size goal).
        .target(
            name: "ProcessLifecycle",
            dependencies: [
                "ProcessKit",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibcrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibdeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // A native Parquet writer (and its footer's Thrift structures): no other ddbcdc module.
        .target(name: "Parquet", dependencies: ["CSnappy", "CZstd", "CLibdeflate"], swiftSettings: swiftSettings),
        .target(
            name: "Pipeline",
            dependencies: [
                "StreamNormalize", "NDJSONBuffer", "S3Sink", "DynamoExport", "Digest", "Timekeeping", "ProcessKit", "CZlib", "Parquet", "ParquetRows",
                "SparkTypes",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LambdaRuntime",
            dependencies: [
                "DDBTypes",
                "DynamoExport",
                "StreamNormalize",
                "NDJSONBuffer",
                "AWSCore",
                "S3Sink",
                "Pipeline",
                "Timekeeping",
                "ProcessKit",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ddbcdc",
            dependencies: [
                "DDBTypes",
                "StreamNormalize",
                "NDJSONBuffer",
                "AWSCore",
                "S3Sink",
                "DynamoExport",
                "DynamoStreams",
                "StreamPoller",
                "Timekeeping",
                "SparkPlan",
                "Infrastructure",
                "Pipeline",
                "ProcessKit",
                "ProcessLifecycle",
                "LambdaRuntime",
                "Parquet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "ddbcdc-lambda", dependencies: ["LambdaRuntime", "ProcessKit"], swiftSettings: swiftSettings),
        // The poller's benchmark (scripts/bench-stream.sh): FakeStreams through StreamPoller against
        // `run` over the same pages. Not a product: `swift build --product ddbcdc-stream-bench` builds it.
        .executableTarget(
            name: "ddbcdc-stream-bench",
            dependencies: ["StreamPoller", "DynamoStreamsTesting", "DynamoStreams", "Pipeline", "S3Sink", "NDJSONBuffer", "StreamNormalize", "Timekeeping", "ProcessKit"],
            path: "Benchmarks/StreamPoller", swiftSettings: swiftSettings),
        .testTarget(name: "DDBTypesTests", dependencies: ["DDBTypes"], swiftSettings: swiftSettings),
        .testTarget(name: "TimekeepingTests", dependencies: ["Timekeeping"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PipelineTests", dependencies: ["Pipeline", "S3Sink", "DynamoExport", "ProcessKit", "StreamNormalize", "NDJSONBuffer", "Timekeeping"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "Pipeline", "S3Sink", "StreamNormalize", "Timekeeping"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "StreamNormalizeTests",
            dependencies: ["StreamNormalize", "DDBTypes"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NDJSONBufferTests", dependencies: ["NDJSONBuffer", "StreamNormalize", "Timekeeping", "S3Sink", "CZlib"], swiftSettings: swiftSettings),
        .testTarget(name: "DigestTests", dependencies: ["Digest"], swiftSettings: swiftSettings),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet"], swiftSettings: swiftSettings),
        .testTarget(name: "ParquetRowsTests", dependencies: ["ParquetRows", "Parquet", "SparkTypes", "StreamNormalize"], swiftSettings: swiftSettings),
        .testTarget(name: "DynamoExportTests", dependencies: ["DynamoExport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "DynamoStreamsTests", dependencies: ["DynamoStreams", "DynamoStreamsTesting", "AWSCore", "Timekeeping"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StreamPollerTests",
            dependencies: ["StreamPoller", "DynamoStreams", "DynamoStreamsTesting", "Pipeline", "S3Sink", "AWSCore", "StreamNormalize", "NDJSONBuffer", "ProcessKit", "Timekeeping"],
            swiftSettings: swiftSettings),
        .testTarget(name: "AWSCoreTests", dependencies: ["AWSCore", "Timekeeping"], swiftSettings: swiftSettings),
        .testTarget(name: "S3SinkTests", dependencies: ["S3Sink", "AWSCore", "Timekeeping"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SparkPlanTests", dependencies: ["SparkPlan"], resources: [.copy("Expected")], swiftSettings: swiftSettings),
        .testTarget(name: "InfrastructureTests", dependencies: ["Infrastructure", "SparkPlan", "Pipeline"], swiftSettings: swiftSettings),
        .testTarget(name: "ProcessKitTests", dependencies: ["ProcessKit"], swiftSettings: swiftSettings),
        .testTarget(name: "ProcessLifecycleTests", dependencies: ["ProcessLifecycle", "ProcessKit"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ddbcdcTests",
            dependencies: [
                "ddbcdc", "LambdaRuntime", "Pipeline", "ProcessKit", "AWSCore", "S3Sink", "NDJSONBuffer", "StreamNormalize", "DDBTypes", "Timekeeping",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

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
        .library(name: "StreamNormalize", targets: ["StreamNormalize"]),
        .executable(name: "ddbcdc", targets: ["ddbcdc"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "DDBTypes", swiftSettings: swiftSettings),
        .target(name: "StreamNormalize", dependencies: ["DDBTypes"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "ddbcdc",
            dependencies: [
                "DDBTypes",
                "StreamNormalize",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "DDBTypesTests", dependencies: ["DDBTypes"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StreamNormalizeTests",
            dependencies: ["StreamNormalize", "DDBTypes"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ddbcdcTests",
            dependencies: ["ddbcdc"],
            swiftSettings: swiftSettings
        ),
    ]
)

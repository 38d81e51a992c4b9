package import SparkPlan

/// The keys of a DynamoDB table, from its DescribeTable response.
package struct KeySchema: Sendable {
    /// The partition key, then the sort key if any.
    package var names: [String]
    /// The keys' column types.
    package var types: [String: SparkType]

    /// The keys of `json`, a DescribeTable response (or its `Table`).
    /// - Throws: `SparkPlanError` (invalid config) when it names no KeySchema or no HASH key.
    package init(describeTable json: JSONValue) throws {
        let table = json["Table"] ?? json
        guard case .array(let elements)? = table["KeySchema"] else {
            throw SparkPlanError(.invalidConfig, "the key schema file has no Table.KeySchema (use `aws dynamodb describe-table` output)")
        }
        var hash: String?, range: String?
        for element in elements {
            guard let name = element["AttributeName"]?.stringValue else { continue }
            switch element["KeyType"]?.stringValue {
            case "HASH": hash = name
            case "RANGE": range = name
            default: break
            }
        }
        guard let hash else { throw SparkPlanError(.invalidConfig, "the key schema has no HASH key") }
        names = [hash] + (range.map { [$0] } ?? [])
        types = [:]
        if case .array(let definitions)? = table["AttributeDefinitions"] {
            for definition in definitions {
                guard let name = definition["AttributeName"]?.stringValue, names.contains(name) else { continue }
                // S and B (base64) are text; N as its exact text too, unless an observed schema says more.
                types[name] = .string
            }
        }
    }
}

package import SparkPlan

/// The settings of a --config file; every setting must be used, so a misspelt one is an error.
package struct ConfigFile {
    var values: [(String, JSONValue)]
    private var used: Set<String> = []

    /// Settings given as name-value pairs (the last of a name wins).
    package init(values: [(String, JSONValue)]) { self.values = values }

    /// The settings of the JSON object in the file `path`.
    package init(path: String) throws {
        guard case .object(let members) = try JSONValue.parse(RowFiles.readFile(path)) else {
            throw SparkPlanError(.invalidConfig, "\(path): a config file is a JSON object")
        }
        values = members
    }

    private func value(_ name: String) -> JSONValue? { values.last(where: { $0.0 == name })?.1 }

    /// The text setting `name`.
    package func string(_ name: String) -> String? { value(name)?.stringValue }

    /// The list setting `name`: a JSON array of strings, or comma-separated text.
    package func strings(_ name: String) -> [String]? {
        switch value(name) {
        case .array(let items)?: return items.compactMap(\.stringValue)
        case .string(let text)?: return text.split(separator: ",").map { String($0).trimmingSpaces() }
        default: return nil
        }
    }

    /// The list setting `name` as ``strings(_:)`` reads it, but an item that is not text is an
    /// error rather than left out (a recipient list must not lose one without a word).
    package func strictStrings(_ name: String) throws -> [String]? {
        if case .array(let items)? = value(name) {
            return try items.map { item in
                guard let text = item.stringValue else {
                    throw SparkPlanError(.invalidConfig, "\(name) is a list of text, and \(item.jsonText) is not text")
                }
                return text
            }
        }
        return strings(name)
    }

    /// The whole-number setting `name`.
    package func int(_ name: String) throws -> Int? {
        guard let value = value(name) else { return nil }
        guard case .number(let text) = value, let number = Int(text) else {
            throw SparkPlanError(.invalidConfig, "\(name) is a whole number, not \(value.jsonText)")
        }
        return number
    }

    /// Every setting a config file may hold.
    package static let known: Set<String> = [
        "source", "table", "keys", "key_schema", "checkpoint", "schema_location", "schema", "infer_from", "numbers",
        "delete_mode", "tombstone_retention_days", "processing_time", "format", "scd_type", "view", "grant_select", "app_id",
        "quarantine_table", "on_misfit", "metadata_prefix",
        "job_name", "schedule", "cluster_id", "notebook_path", "notify_email", "notify_webhook_id",
    ]

    /// Refuses a setting not in ``known`` (a misspelt name would otherwise be ignored).
    package func checkAllUsed() throws {
        for (name, _) in values where !Self.known.contains(name) {
            throw SparkPlanError(.invalidConfig, "unknown setting '\(name)' in the config file")
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

extension LambdaInfrastructure {
    /// The files `emit-infra` writes, by name, in order: the standalone policy, the mapping (the
    /// input of `aws lambda create-event-source-mapping --cli-input-json`), the SAM template and
    /// its dashboard's body;
    /// with `--backfill` also the state machine's definition and its role's policy, standalone.
    package var files: [(name: String, contents: String)] {
        var files = [
            ("iam-policy.json", iamPolicy.json),
            ("event-source-mapping.json", eventSourceMapping.json),
            ("template.yaml", samTemplate.yaml),
            // The template's dashboard, for `aws cloudwatch put-dashboard --dashboard-body file://…`.
            ("dashboard.json", dashboardBody.json),
        ]
        if let backfillStateMachineDefinition, let backfillIAMPolicy {
            files.append(("backfill-state-machine.asl.json", backfillStateMachineDefinition.json))
            files.append(("backfill-iam-policy.json", backfillIAMPolicy.json))
        }
        return files
    }

    /// The deployment zip scripts/package-lambda.sh writes for `architecture`.
    package static func defaultZip(architecture: Architecture) -> String {
        "build/lambda/ddbcdc-lambda-\(architecture.rawValue).zip"
    }

    /// The template's CodeUri for the zip given as `zip` (relative to `workingDirectory`, absolute,
    /// or an `s3://` URI) when the template is written into the folder `out`: SAM resolves a
    /// local CodeUri against the template's folder.
    package static func templateCodeURI(zip: String, out: String, workingDirectory: String) -> String {
        if zip.hasPrefix("s3://") { return zip }
        return Paths.relative(
            from: Paths.absolute(out, workingDirectory: workingDirectory), to: Paths.absolute(zip, workingDirectory: workingDirectory))
    }
}

/// Path arithmetic on text: no file system access.
package enum Paths {
    /// `path` made absolute against `workingDirectory`, `.` and `..` resolved lexically.
    package static func absolute(_ path: String, workingDirectory: String) -> String {
        let base = path.hasPrefix("/") ? "" : workingDirectory
        var parts: [Substring] = []
        for part in (base + "/" + path).split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The path of `file` as seen from the folder `directory` (both absolute and normalized).
    package static func relative(from directory: String, to file: String) -> String {
        let from = directory.split(separator: "/"), to = file.split(separator: "/")
        var common = 0
        while common < from.count, common < to.count, from[common] == to[common] { common += 1 }
        let up = Array(repeating: "..", count: from.count - common)
        let down = to[common...].map(String.init)
        let parts = up + down
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}

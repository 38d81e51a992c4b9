import AWSCore
package import S3Sink

/// What must hold for a conditional write to happen.
package enum WriteCondition: Sendable, Hashable {
    /// Only if no object has the key (`If-None-Match: *`): creating a lock.
    case absent
    /// Only if the object still has this ETag (`If-Match`): renewing or taking over a lock.
    case etag(String)
}

/// Here, not in S3Sink: only the poller's lock uses them, and the Lambda bootstrap, which links
/// S3Sink, has a size goal.
extension S3Client {
    /// Writes a small object in one request, only if `condition` holds (S3's conditional writes).
    ///
    /// A store that does not do conditional writes says so: AWS S3 does (since 2024); moto does;
    /// OpenStack Swift's s3api (2.30) answers 501 `NotImplemented` ("Conditional object PUTs are not
    /// supported"), which comes back as that error, never as a success.
    /// - Returns: the new object's ETag.
    /// - Throws: ``S3Error`` `PreconditionFailed` (412) when the condition does not hold (also
    ///   `ConditionalRequestConflict`, 409, when another conditional write raced this one); S3's
    ///   code otherwise.
    @discardableResult
    package func put(key: String, body: [UInt8], condition: WriteCondition, contentType: String = "application/json") async throws(S3Error) -> String {
        let conditionHeader: (name: String, value: String) =
            switch condition {
            case .absent: ("If-None-Match", "*")
            case .etag(let etag): ("If-Match", Self.quotedETag(etag))
            }
        let response = try await send(
            "PUT", key: key,
            headers: [("Content-Type", contentType), ("Content-MD5", Self.md5Base64(body)), conditionHeader] + encryptionHeaders, body: body)
        return response.header("ETag") ?? ""
    }

    /// Deletes an object (no error when there is none: S3 answers 204 either way).
    package func delete(key: String) async throws(S3Error) {
        _ = try await send("DELETE", key: key)
    }
}

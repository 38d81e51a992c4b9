/// Which endpoint a client talks to when it is not the service's AWS endpoint: an S3-compatible
/// store, a local DynamoDB, a test server.
///
/// The order is the AWS SDKs' "service-specific endpoints"
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), the parts that
/// live in the environment: an explicit setting (`--endpoint-url`) wins; then
/// `AWS_ENDPOINT_URL_<SERVICE>`; then `AWS_ENDPOINT_URL`; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`
/// turns both variables off (not the explicit setting). Empty values count as unset.
public enum EndpointResolver {
    /// The endpoint for `serviceID` (the SDKs' service ID: `S3`, `DynamoDB Streams`), or nil for
    /// the service's own AWS endpoint.
    public static func endpoint(serviceID: String, flag: String?, environment: [String: String]) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true" { return nil }
        if let url = environment[variable(serviceID: serviceID)], !url.isEmpty { return url }
        if let url = environment["AWS_ENDPOINT_URL"], !url.isEmpty { return url }
        return nil
    }

    /// The service's variable: `AWS_ENDPOINT_URL_` and the service ID upper-cased, spaces and
    /// dashes as underscores (`DynamoDB Streams` → `AWS_ENDPOINT_URL_DYNAMODB_STREAMS`).
    public static func variable(serviceID: String) -> String {
        "AWS_ENDPOINT_URL_" + String(serviceID.uppercased().map { $0 == " " || $0 == "-" ? "_" : $0 })
    }
}

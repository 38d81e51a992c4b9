import AWSCore
import Testing

/// The AWS SDKs' order for a service's endpoint: the explicit setting, `AWS_ENDPOINT_URL_<SERVICE>`,
/// `AWS_ENDPOINT_URL`, then the service's own (nil).
@Suite struct EndpointResolverTests {
    static let everything = [
        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1001", "AWS_ENDPOINT_URL": "http://127.0.0.1:1002",
        "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": "http://127.0.0.1:1003",
    ]

    @Test func theExplicitSettingWinsOverEveryVariable() {
        #expect(EndpointResolver.endpoint(serviceID: "S3", flag: "http://127.0.0.1:1000", environment: Self.everything) == "http://127.0.0.1:1000")
    }

    @Test func theServicesVariableWinsOverTheGlobalOne() {
        #expect(EndpointResolver.endpoint(serviceID: "S3", flag: nil, environment: Self.everything) == "http://127.0.0.1:1001")
        #expect(EndpointResolver.endpoint(serviceID: "DynamoDB Streams", flag: nil, environment: Self.everything) == "http://127.0.0.1:1003")
    }

    @Test func theGlobalVariableServesEveryServiceWithoutItsOwn() {
        #expect(EndpointResolver.endpoint(serviceID: "DynamoDB", flag: nil, environment: Self.everything) == "http://127.0.0.1:1002")
        #expect(EndpointResolver.endpoint(serviceID: "S3", flag: nil, environment: ["AWS_ENDPOINT_URL": "http://g"]) == "http://g")
    }

    @Test func nothingSetIsTheServicesOwnEndpoint() {
        #expect(EndpointResolver.endpoint(serviceID: "S3", flag: nil, environment: [:]) == nil)
    }

    @Test func emptyValuesCountAsUnset() {
        let environment = ["AWS_ENDPOINT_URL_S3": "", "AWS_ENDPOINT_URL": "http://g"]
        #expect(EndpointResolver.endpoint(serviceID: "S3", flag: "", environment: environment) == "http://g")
        #expect(EndpointResolver.endpoint(serviceID: "S3", flag: nil, environment: ["AWS_ENDPOINT_URL": ""]) == nil)
    }

    @Test func ignoringConfiguredEndpointsTurnsTheVariablesOffButNotTheSetting() {
        let environment = Self.everything.merging(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]) { $1 }
        #expect(EndpointResolver.endpoint(serviceID: "S3", flag: nil, environment: environment) == nil)
        #expect(EndpointResolver.endpoint(serviceID: "S3", flag: "http://f", environment: environment) == "http://f")
    }

    @Test(arguments: [("S3", "AWS_ENDPOINT_URL_S3"), ("DynamoDB Streams", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS"), ("Elastic Beanstalk", "AWS_ENDPOINT_URL_ELASTIC_BEANSTALK")])
    func theServicesVariableIsItsIDUpperCasedWithUnderscores(_ serviceID: String, _ variable: String) {
        #expect(EndpointResolver.variable(serviceID: serviceID) == variable)
    }
}

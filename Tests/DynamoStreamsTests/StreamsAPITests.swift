import Testing

@testable import DynamoStreams

@Suite struct IteratorStartTests {
    @Test func namesTheIteratorTypeAndSequenceNumber() {
        #expect(IteratorStart.after("42").iteratorType == "AFTER_SEQUENCE_NUMBER")
        #expect(IteratorStart.after("42").sequenceNumber == "42")
        #expect(IteratorStart.trimHorizon.sequenceNumber == nil)
        #expect(IteratorStart.at("7").description == "AT_SEQUENCE_NUMBER 7")
    }
}

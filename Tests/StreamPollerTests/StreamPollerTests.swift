import Testing

@testable import StreamPoller

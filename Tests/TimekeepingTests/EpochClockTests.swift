import Testing
import Timekeeping

@Suite struct EpochClockTests {
    @Test func secondsRoundDownOnBothSidesOfTheEpoch() {
        #expect(EpochMillis(rawValue: 1_767_225_600_999).seconds == 1_767_225_600)
        #expect(EpochMillis(rawValue: -1).seconds == -1)
        #expect(EpochMillis(rawValue: -1000).seconds == -1)
        #expect(EpochMillis(rawValue: -1001).seconds == -2)
        #expect(EpochMillis(seconds: 5).rawValue == 5000)
    }

    @Test func manualClockMovesOnlyWhenTold() {
        let manual = ManualClock(EpochMillis(rawValue: 1000))
        let clock = manual.clock
        #expect(clock.now() == EpochMillis(rawValue: 1000))
        manual.advance(millis: 250)
        #expect(clock.now() == EpochMillis(rawValue: 1250))
        #expect(clock.now().millis(since: EpochMillis(rawValue: 1000)) == 250)
    }

    @Test func systemClockIsInMillisecondsNotSeconds() {
        // Any date after 2020 in milliseconds has 13 digits; in seconds it would have 10.
        #expect(EpochClock.system.now().rawValue > 1_577_836_800_000)
    }
}

import Testing

@testable import DDBTypes

/// `ScratchList` holds the transcoder's member names and value ranges: its appends and removals
/// must give what an array gives across growth, and a copy must keep its own elements once the
/// list it was copied from is emptied and written again.
@Suite struct ScratchListTests {
    @Test func appendsAndRemovalsGiveWhatAnArrayGivesAcrossGrowth() {
        var list = ScratchList<Range<Int>>(capacity: 4)
        var model: [Range<Int>] = []
        for step in 0..<300 {
            if step % 37 == 36 {
                let cut = model.count / 3
                list.removeLast(from: cut)
                model.removeSubrange(cut...)
            } else {
                list.append(step..<(step * 2 + 1))
                model.append(step..<(step * 2 + 1))
            }
            #expect(Array(list) == model, "step \(step)")
        }
        #expect(list.count == model.count)
        #expect(Array(list.buffer) == model)
        list.removeAll()
        #expect(list.isEmpty)
    }

    @Test func appendingAnotherListFromAnIndexCopiesItsTail() {
        var source = ScratchList<StringSpan>(capacity: 4)
        for start in 0..<10 { source.append(StringSpan(start: start, end: start + 3, hasEscapes: start % 2 == 0)) }
        for from in [0, 1, 9, 10] {
            var target = ScratchList<StringSpan>(capacity: 4)
            target.append(StringSpan(start: 100, end: 101, hasEscapes: false))
            target.append(contentsOf: source, from: from)
            let expected = [100] + (from..<10).map { $0 }
            #expect(target.map(\.start) == expected, "from \(from)")
            #expect(target.map(\.hasEscapes) == [false] + (from..<10).map { $0 % 2 == 0 })
        }
    }

    @Test func aCopyKeepsItsElementsWhenTheOriginalIsWrittenAgain() {
        var original = ScratchList<Range<Int>>(capacity: 8)
        for index in 0..<5 { original.append(index..<index + 1) }
        let copy = original
        original.removeAll()
        for index in 0..<7 { original.append(100 + index..<200) }
        #expect(Array(copy) == (0..<5).map { $0..<$0 + 1 })
        #expect(Array(original) == (0..<7).map { 100 + $0..<200 })
    }
}

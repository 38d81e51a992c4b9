import Synchronization

/// Where the shard readers' answers wait for the source: posted from their tasks, taken in
/// order by the one reading task, which can wait for the next one with a time limit.
final class Mailbox<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var waiter: (id: Int, continuation: CheckedContinuation<Void, Never>)?
        var nextWaiter = 0
        /// The newest wait whose time ran out, in case it ran out before the wait began.
        var expired = 0
    }
    private let state = Mutex(State())

    func post(_ item: Item) {
        let waiter = state.withLock { state in
            state.items.append(item)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.continuation.resume()
    }

    func take() -> Item? {
        state.withLock { $0.items.isEmpty ? nil : $0.items.removeFirst() }
    }

    /// Returns once an item is there, or after `millis` (at once when one is there already).
    func wait(millis: Int64) async {
        guard millis > 0 else { return }
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: .milliseconds(millis))) != nil else { return }
            self?.wake(id)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if !state.items.isEmpty || state.expired == id { return true }
                state.waiter = (id, continuation)
                return false
            }
            if now { continuation.resume() }
        }
        timer.cancel()
    }

    private func wake(_ id: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.expired = id
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }
}

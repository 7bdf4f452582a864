import Testing

@testable import BerthLedger

/// What a listening connection lets a process answer about the newest event id without a query.
@Suite("NewestEventWatch")
struct NewestEventWatchTests {
    enum Step: Sendable, CustomTestStringConvertible {
        /// The listening connection read this id, the read sent at this many ms.
        case read(Int64?, sentAt: Int)
        case raise(Int64)
        case lost

        var testDescription: String {
            switch self {
            case .read(let id, let ms): "read \(id.map(String.init) ?? "none") at \(ms) ms"
            case .raise(let id): "raise to \(id)"
            case .lost: "lost"
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let steps: [Step]
        /// When it is asked, in ms.
        let at: Int
        /// nil: it can't vouch, the caller queries.
        let vouched: Int64?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "never listened: query", steps: [], at: 0, vouched: nil),
        Case(name: "an append of its own while not listening: still query", steps: [.raise(7)], at: 0, vouched: nil),
        Case(name: "read an empty ledger: 0 from memory", steps: [.read(nil, sentAt: 0)], at: 10, vouched: 0),
        Case(name: "read 5: 5", steps: [.read(5, sentAt: 0)], at: 999, vouched: 5),
        Case(
            name: "a read vouches for less than the trust, not at its end", steps: [.read(5, sentAt: 0)], at: 1000, vouched: nil),
        Case(name: "a notification raises it", steps: [.read(5, sentAt: 0), .raise(9)], at: 10, vouched: 9),
        Case(
            name: "a late, lower notification never lowers it", steps: [.read(5, sentAt: 0), .raise(9), .raise(6)], at: 10,
            vouched: 9),
        Case(
            name: "a read lower than a notification never lowers it", steps: [.raise(9), .read(5, sentAt: 0)], at: 10, vouched: 9),
        Case(name: "heartbeats renew the trust", steps: [.read(5, sentAt: 0), .read(5, sentAt: 800)], at: 1700, vouched: 5),
        Case(name: "lost: query at once", steps: [.read(5, sentAt: 0), .raise(9), .lost], at: 1, vouched: nil),
        Case(
            name: "listening again after a loss: the read, never below what was known",
            steps: [.read(5, sentAt: 0), .raise(9), .lost, .read(8, sentAt: 2000)], at: 2001, vouched: 9),
        Case(
            name: "an earlier-sent read answered late keeps the later trust",
            steps: [.read(5, sentAt: 900), .read(6, sentAt: 100)], at: 1500, vouched: 6),
    ]

    @Test("answers from memory only while a read vouches for it", arguments: cases)
    func vouches(_ example: Case) {
        let start = ContinuousClock.now
        var watch = NewestEventWatch(trust: .seconds(1))
        for step in example.steps {
            switch step {
            case .read(let id, let ms): watch.read(id, sentAt: start + .milliseconds(ms))
            case .raise(let id): watch.raise(to: id)
            case .lost: watch.lost()
            }
        }
        #expect(watch.vouched(at: start + .milliseconds(example.at)) == example.vouched)
    }
}

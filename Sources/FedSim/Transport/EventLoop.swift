import Foundation

/// The one loop the coordinator, the client runtime and the adversary hub run on: it waits on
/// their transports, hands each one with input to its handler, runs their timers and checks
/// their stop conditions, all on an injected clock.
///
/// A turn, in order:
/// 1. the turn-start hooks (stop conditions: a signal, the launcher gone; they throw to end
///    the run with an error, or call `stop()` to end it normally);
/// 2. the timers that are due;
/// 3. the wait: at most `maxWait`, and never past the run's deadline or the next timer;
/// 4. the handlers of the transports that have input, in the order they were watched (each
///    drains its transport);
/// 5. the timers that came due during the wait;
/// 6. the turn-end hooks (conditions on what the turn received).
///
/// `stop()` ends the turn at once (no hook or handler runs after it) and every later `run`.
/// Single-threaded, like the transports it waits on.
public final class EventLoop {
    /// A scheduled timer, to cancel it.
    public struct TimerID: Hashable, Sendable {
        let raw: Int
    }

    private struct Timer {
        var id: Int
        var due: Date
        var interval: Double?
        var body: () throws -> Void
    }

    public let clock: any LoopClock
    private let poller: any Poller
    private var sources: [(source: any Pollable, handler: () throws -> Void)] = []
    private var startHooks: [() throws -> Void] = []
    private var endHooks: [() throws -> Void] = []
    private var timers: [Timer] = []
    private var nextId = 0
    /// True once `stop()` was called.
    public private(set) var isStopped = false

    public init(clock: any LoopClock, poller: any Poller) {
        self.clock = clock
        self.poller = poller
    }

    /// The loop's current time.
    public var now: Date { clock.now }

    // MARK: - Registration

    /// Calls `handler` in every turn where `source` has input; the handler should drain it.
    public func watch(_ source: any Pollable, _ handler: @escaping () throws -> Void) {
        sources.append((source, handler))
    }

    /// Runs `body` at the start of every turn (stop conditions).
    public func atTurnStart(_ body: @escaping () throws -> Void) {
        startHooks.append(body)
    }

    /// Runs `body` at the end of every turn, after the handlers and the timers.
    public func atTurnEnd(_ body: @escaping () throws -> Void) {
        endHooks.append(body)
    }

    /// Runs `body` once, in the first turn at or after `due`.
    @discardableResult
    public func schedule(at due: Date, _ body: @escaping () throws -> Void) -> TimerID {
        add(Timer(id: 0, due: due, interval: nil, body: body))
    }

    /// Runs `body` in the first turn at or after `first` (default: now, i.e. the first turn),
    /// then each time `interval` seconds have passed since it last ran.
    @discardableResult
    public func every(_ interval: Double, startingAt first: Date? = nil, _ body: @escaping () throws -> Void) -> TimerID {
        precondition(interval > 0, "EventLoop.every: the interval must be > 0, got \(interval)")
        return add(Timer(id: 0, due: first ?? clock.now, interval: interval, body: body))
    }

    /// Cancels a timer (nothing happens if it already ran or was cancelled).
    public func cancel(_ id: TimerID) {
        timers.removeAll { $0.id == id.raw }
    }

    /// When the next timer is due, or nil when none is scheduled.
    public var nextTimerDue: Date? { timers.map(\.due).min() }

    /// Ends the current turn and makes `run` return.
    public func stop() { isStopped = true }

    private func add(_ timer: Timer) -> TimerID {
        var t = timer
        t.id = nextId
        nextId += 1
        timers.append(t)
        return TimerID(raw: t.id)
    }

    // MARK: - Running

    /// Turns until `done()` holds (returns true), or `deadline` has passed or `stop()` was
    /// called (returns false). `done` is checked before every turn, then the deadline.
    @discardableResult
    public func run(maxWait: Double, deadline: Date? = nil, until done: () -> Bool = { false }) throws -> Bool {
        while true {
            if done() { return true }
            if isStopped { return false }
            if let deadline, clock.now >= deadline { return false }
            try turn(maxWait: maxWait, deadline: deadline)
        }
    }

    /// One turn (see the type's documentation); waits at most `maxWait` seconds.
    public func turn(maxWait: Double, deadline: Date? = nil) throws {
        for hook in startHooks {
            try hook()
            if isStopped { return }
        }
        try fireDueTimers()
        if isStopped { return }

        let now = clock.now
        var wait = maxWait
        if let deadline { wait = min(wait, deadline.timeIntervalSince(now)) }
        if let due = nextTimerDue { wait = min(wait, due.timeIntervalSince(now)) }
        let watched = sources
        let ready = try poller.wait(for: watched.map(\.source), timeout: max(0, wait))
        for (entry, hasInput) in zip(watched, ready) where hasInput {
            try entry.handler()
            if isStopped { return }
        }

        try fireDueTimers()
        if isStopped { return }
        for hook in endHooks {
            try hook()
            if isStopped { return }
        }
    }

    /// Runs the timers due now, earliest first (ties in the order they were scheduled); a
    /// repeating timer is due again `interval` seconds after it ran.
    private func fireDueTimers() throws {
        let now = clock.now
        let due = timers.filter { $0.due <= now }.sorted { ($0.due, $0.id) < ($1.due, $1.id) }
        guard !due.isEmpty else { return }
        for timer in due {
            guard let index = timers.firstIndex(where: { $0.id == timer.id }) else { continue }  // cancelled meanwhile
            if let interval = timer.interval {
                timers[index].due = clock.now.addingTimeInterval(interval)
            } else {
                timers.remove(at: index)
            }
            try timer.body()
            if isStopped { return }
        }
    }
}

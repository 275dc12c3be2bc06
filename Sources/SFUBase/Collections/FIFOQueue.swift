/// A first-in first-out queue drained from the head: appends go to the end of an array and a
/// head index walks forward, so taking an element costs O(1) without shifting the rest.
///
/// The sans-IO engines use it for what they hand out through `pollTransmit()`/`pollEvent()`
/// (DTLS datagrams and events, client-peer packets) and the signaling layer for queued events.
/// A load generator may queue thousands of elements per poll, which `Array.removeFirst()` would
/// make quadratic. Taken slots are cleared at once (their storage is freed, not kept until the
/// queue empties), and the array keeps its capacity only while it is small, so an idle queue
/// costs little memory.
///
/// A value type with no locking: confined to whatever owns it.
public struct FIFOQueue<Element> {
    /// Capacity an emptied queue keeps for reuse; anything larger is freed.
    public static var retainedCapacity: Int { 16 }

    private var slots: [Element?] = []
    private var head = 0

    public init() {}

    /// Elements not taken yet.
    public var count: Int { slots.count - head }

    public var isEmpty: Bool { head == slots.count }

    /// The element `popFirst()` would return, left in place.
    public var first: Element? { head < slots.count ? slots[head] : nil }

    public mutating func append(_ element: Element) {
        slots.append(element)
    }

    public mutating func append<S: Sequence>(contentsOf elements: S) where S.Element == Element {
        for element in elements { slots.append(element) }
    }

    /// Takes the oldest element; `nil` when the queue is empty.
    public mutating func popFirst() -> Element? {
        guard head < slots.count else { return nil }
        let element = slots[head].take()
        head += 1
        if head == slots.count { removeAll() } else { compactIfMostlyTaken() }
        return element
    }

    /// Takes up to `maximum` of the oldest elements, oldest first.
    public mutating func popFirst(upTo maximum: Int) -> [Element] {
        let taken = min(max(0, maximum), count)
        var elements: [Element] = []
        elements.reserveCapacity(taken)
        for _ in 0..<taken {
            if let element = popFirst() { elements.append(element) }
        }
        return elements
    }

    /// Drops every element.
    public mutating func removeAll() {
        slots.removeAll(keepingCapacity: slots.capacity <= Self.retainedCapacity)
        head = 0
    }

    /// A queue that is filled faster than drained never empties; reclaim its taken head once it
    /// is more than half of the array, so the array does not grow without bound.
    private mutating func compactIfMostlyTaken() {
        guard head > Self.retainedCapacity, head * 2 > slots.count else { return }
        slots.removeFirst(head)
        head = 0
    }
}

extension FIFOQueue: Sendable where Element: Sendable {}

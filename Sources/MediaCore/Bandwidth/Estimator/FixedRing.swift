/// A fixed-capacity FIFO ring buffer whose storage is allocated once.
///
/// Every bounded window in the estimator (trendline samples, acknowledged packets,
/// pending probes) lives in one of these so steady-state work never allocates and
/// memory stays bounded whatever the input: appending to a full ring evicts the oldest.
struct FixedRing<Element: Sendable>: Sendable {
    private var storage: [Element]
    private var head = 0
    private(set) var count = 0

    var capacity: Int { storage.count }
    var isEmpty: Bool { count == 0 }
    var isFull: Bool { count == storage.count }

    init(capacity: Int, filler: Element) {
        storage = Array(repeating: filler, count: max(1, capacity))
    }

    /// Element `i` counted from the oldest (0) to the newest (count - 1).
    subscript(i: Int) -> Element {
        get { storage[(head + i) % storage.count] }
        set { storage[(head + i) % storage.count] = newValue }
    }

    var first: Element? { count == 0 ? nil : storage[head] }
    var last: Element? { count == 0 ? nil : self[count - 1] }

    /// Appends, returning the element evicted to make room (if the ring was full).
    @discardableResult
    mutating func append(_ element: Element) -> Element? {
        if count == storage.count {
            let evicted = storage[head]
            storage[head] = element
            head = (head + 1) % storage.count
            return evicted
        }
        storage[(head + count) % storage.count] = element
        count += 1
        return nil
    }

    @discardableResult
    mutating func removeFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head]
        head = (head + 1) % storage.count
        count -= 1
        return element
    }

    mutating func removeAll() {
        head = 0
        count = 0
    }
}

// The few string edits signaling needs, written on the standard library so that the module
// does not import Foundation (and with it ICU) for them.

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP header lists, SDP fmtp parameters).
    func trimmingSpacesAndTabs() -> SubSequence {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}

extension String {
    /// The first occurrence of `target` replaced (Janus's printf-style error templates).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var result = self
        result.replaceSubrange(range, with: replacement)
        return result
    }
}

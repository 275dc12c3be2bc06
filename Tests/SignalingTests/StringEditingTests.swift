import Testing
@testable import Signaling

@Suite struct StringEditingTests {
    @Test func trimmingRemovesOnlyOuterSpacesAndTabs() {
        #expect(" \tjanus-protocol \t".trimmingSpacesAndTabs() == "janus-protocol")
        #expect("a b".trimmingSpacesAndTabs() == "a b")
        #expect("   ".trimmingSpacesAndTabs() == "")
        #expect("".trimmingSpacesAndTabs() == "")
        #expect("x".trimmingSpacesAndTabs() == "x")
        let field = "profile-level-id = 42e01f"
        let pair = field.split(separator: "=", maxSplits: 1)
        #expect(pair[0].trimmingSpacesAndTabs() == "profile-level-id")
        #expect(pair[1].trimmingSpacesAndTabs() == "42e01f")
    }

    @Test func replacingFirstReplacesOneOccurrence() {
        #expect("Missing mandatory element (%s)".replacingFirst("%s", with: "room") == "Missing mandatory element (room)")
        #expect("%s and %s".replacingFirst("%s", with: "a") == "a and %s")
        #expect("no template".replacingFirst("%s", with: "a") == "no template")
    }
}

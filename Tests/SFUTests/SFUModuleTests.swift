import Testing
import SFU

@Test func sfuModuleReExportsTheMediaConfiguration() {
    // Compiles only if `import SFU` brings the media plane's types with it.
    let configuration = MediaConfiguration.self
    #expect("\(configuration)".contains("MediaConfiguration"))
}

/// The support bundle from the library (the same object the Admin API's `support_bundle`
/// returns; see `SFUSupportBundle` for what is in it and what is redacted).
extension SFUServer {
    /// Builds the support bundle of the running server.
    public func supportBundle() async throws(SFUError) -> JSONObject {
        await SFUSupportBundle(options: options, runtime: try await runtime()).make()
    }
}

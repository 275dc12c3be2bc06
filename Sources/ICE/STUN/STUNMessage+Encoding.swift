/// Allocating conveniences over `STUNMessageBuilder` for tests and the load-harness client.
/// The server's response path writes into its own buffers through `STUNMessageBuilder`.
extension STUNMessage {
    /// An ICE connectivity check (RFC 8445 §7.1): Binding request with USERNAME
    /// "remoteUfrag:localUfrag" as the sender writes it, PRIORITY, ICE-CONTROLLING or
    /// ICE-CONTROLLED, optional USE-CANDIDATE, MESSAGE-INTEGRITY keyed with `password`
    /// (the receiver's pwd) and FINGERPRINT.
    public static func encodeBindingRequest(
        transactionID: STUNTransactionID = .random(),
        username: String?,
        password: String?,
        priority: UInt32? = nil,
        useCandidate: Bool = false,
        iceControlling: UInt64? = nil,
        iceControlled: UInt64? = nil,
        software: String? = nil,
        fingerprint: Bool = true
    ) -> [UInt8] {
        encode(capacity: 512, type: .bindingRequest, transactionID: transactionID) { builder in
            if let software { builder.appendSoftware(software) }
            if let username { builder.appendUsername(username) }
            if let priority { builder.appendPriority(priority) }
            if useCandidate { builder.appendUseCandidate() }
            if let iceControlling { builder.appendICEControlling(tiebreaker: iceControlling) }
            if let iceControlled { builder.appendICEControlled(tiebreaker: iceControlled) }
            if let password { builder.appendMessageIntegrity(key: Array(password.utf8)) }
            if fingerprint { builder.appendFingerprint() }
        }
    }

    /// A Binding success response carrying XOR-MAPPED-ADDRESS, integrity (if `password`) and FINGERPRINT.
    public static func encodeBindingSuccess(
        transactionID: STUNTransactionID, mappedAddress: TransportAddress, password: String?, fingerprint: Bool = true
    ) -> [UInt8] {
        encode(capacity: 128, type: .bindingSuccessResponse, transactionID: transactionID) { builder in
            builder.appendXORMappedAddress(mappedAddress)
            if let password { builder.appendMessageIntegrity(key: Array(password.utf8)) }
            if fingerprint { builder.appendFingerprint() }
        }
    }

    /// A Binding error response with ERROR-CODE, integrity (if `password`) and FINGERPRINT.
    public static func encodeBindingError(
        transactionID: STUNTransactionID, error: STUNErrorCode, password: String?, fingerprint: Bool = true
    ) -> [UInt8] {
        encode(capacity: 256, type: .bindingErrorResponse, transactionID: transactionID) { builder in
            builder.appendErrorCode(error)
            if let password { builder.appendMessageIntegrity(key: Array(password.utf8)) }
            if fingerprint { builder.appendFingerprint() }
        }
    }

    /// A Binding indication (RFC 8489 §6.2.1), as used for keep-alives.
    public static func encodeBindingIndication(transactionID: STUNTransactionID = .random(), fingerprint: Bool = true) -> [UInt8] {
        encode(capacity: 64, type: .bindingIndication, transactionID: transactionID) { builder in
            if fingerprint { builder.appendFingerprint() }
        }
    }

    private static func encode(
        capacity: Int, type: STUNMessageType, transactionID: STUNTransactionID, _ body: (inout STUNMessageBuilder) -> Void
    ) -> [UInt8] {
        var storage = [UInt8](repeating: 0, count: capacity)
        let length: Int? = storage.withUnsafeMutableBytes { raw in
            var builder = STUNMessageBuilder(buffer: raw, type: type, transactionID: transactionID)
            body(&builder)
            return builder.finish()
        }
        return Array(storage.prefix(length ?? 0))
    }
}

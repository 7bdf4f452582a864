import Foundation

/// A DSSE envelope (secure-systems-lab/dsse v1.0.0, "Envelope"): the payload, its type, signatures over
/// the pre-authentication encoding. `payload` and `sig` are standard base64 in JSON (as Foundation
/// encodes `Data`).
public struct DSSEEnvelope: Codable, Sendable, Equatable {
    public struct Signature: Codable, Sendable, Equatable {
        public var sig: Data
        public var keyid: String?

        public init(sig: Data, keyid: String? = nil) {
            self.sig = sig
            self.keyid = keyid
        }
    }
    public var payload: Data
    public var payloadType: String
    public var signatures: [Signature]

    public init(payload: Data, payloadType: String, signatures: [Signature]) {
        self.payload = payload
        self.payloadType = payloadType
        self.signatures = signatures
    }

    /// The bytes a DSSE signature covers (DSSE v1.0.0 "Signature definition"):
    /// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimal byte counts.
    public static func preAuthenticationEncoding(payloadType: String, payload: Data) -> Data {
        let type = Data(payloadType.utf8)
        var result = Data("DSSEv1 \(type.count) ".utf8)
        result += type
        result += Data(" \(payload.count) ".utf8)
        result += payload
        return result
    }

    public var preAuthenticationEncoding: Data { Self.preAuthenticationEncoding(payloadType: payloadType, payload: payload) }
}

internal import CLibcrypto

/// Message digests over OpenSSL's libcrypto: SHA-256 (object names, SigV4), HMAC-SHA-256
/// (SigV4 signing keys) and MD5 (`Content-MD5`, export checksums).
public enum Digest {
    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let hasher = SHA256()
        hasher.update(Array(bytes))
        return hasher.finish()
    }

    /// MD5 of `bytes` (`Content-MD5`, DynamoDB export manifests' checksums: integrity against
    /// damage, not a security measure).
    public static func md5(_ bytes: [UInt8]) -> [UInt8] {
        let hasher = MD5()
        hasher.update(bytes)
        return hasher.finish()
    }

    /// HMAC-SHA-256 of `message` under `key` (RFC 2104: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), with a
    /// key longer than the 64-byte block hashed first).
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let blockSize = 64
        var block = key.count > blockSize ? sha256(key) : key
        block.append(contentsOf: repeatElement(0, count: blockSize - block.count))
        let inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        let outer = SHA256()
        outer.update(block.map { $0 ^ 0x5C })
        outer.update(inner.finish())
        return outer.finish()
    }

    /// Lower-case hex of `bytes`.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Incremental SHA-256.
public final class SHA256 {
    private let context: UnsafeMutablePointer<SHA256_CTX>

    /// A fresh hasher.
    public init() {
        context = .allocate(capacity: 1)
        context.initialize(to: SHA256_CTX())
        SHA256_Init(context)
    }

    deinit { context.deallocate() }

    /// Adds bytes.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count > 0 { SHA256_Update(context, bytes.baseAddress, bytes.count) }
    }

    /// Adds bytes.
    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The digest; the hasher is spent afterwards.
    public func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        SHA256_Final(&digest, context)
        return digest
    }
}

/// Incremental MD5, for checksums of files read in pieces (DynamoDB export data files).
public final class MD5 {
    private let context: UnsafeMutablePointer<MD5_CTX>

    /// A fresh hasher.
    public init() {
        context = .allocate(capacity: 1)
        context.initialize(to: MD5_CTX())
        MD5_Init(context)
    }

    deinit { context.deallocate() }

    /// Adds bytes.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count > 0 { MD5_Update(context, bytes.baseAddress, bytes.count) }
    }

    /// Adds bytes.
    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The digest; the hasher is spent afterwards.
    public func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(MD5_DIGEST_LENGTH))
        MD5_Final(&digest, context)
        return digest
    }
}

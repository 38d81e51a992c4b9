#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An I/O failure, with the path and the system's reason.
package struct IOError: Error, CustomStringConvertible {
    package var description: String

    /// `what path: reason`, the reason being the system's text for `code`.
    package init(_ what: String, path: String, errno code: Int32 = errno) {
        description = "\(what) \(path): \(String(cString: strerror(code)))"
    }

    /// A failure said in full.
    package init(message: String) { description = message }
}

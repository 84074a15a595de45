/// Reads a `/api/v1/query` answer straight from its bytes: one pass, no intermediate JSON tree.
///
/// A refresh of a large fleet reads about ten megabytes of answers (80,000 series of small label
/// sets); `JSONDecoder` spent most of a refresh building a dictionary per series through
/// `Decodable`. This reads only what a refresh needs — `status`, `errorType`, `error`,
/// `data.resultType` and each series' `metric` labels and `value` pair — and steps over anything
/// else (`warnings`, fields a newer Prometheus adds) without building it. It accepts any JSON, and
/// refuses what is not JSON with a position-free message, never trapping, however deep or broken
/// the input.
struct VectorAnswerParser {
    /// What the answer said, before it is judged.
    struct Answer {
        var status: String?
        var errorType: String?
        var error: String?
        var resultType: String?
        var result: [VectorSample]?
        var sawData = false
    }

    /// Why the bytes could not be read; `path` names the part (`data.result[3].value[1]`), or is
    /// empty when the bytes are not JSON at all.
    struct Failure: Error {
        var path: String
    }

    private let bytes: UnsafeRawBufferPointer
    private var at = 0
    /// Nesting of skipped values is limited, so a hostile answer cannot exhaust the stack.
    private static let maximumDepth = 64

    private init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The answer in `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> Answer {
        var parser = VectorAnswerParser(bytes)
        var answer = Answer()
        try parser.object(path: "") { (parser, key) throws(Failure) in
            switch key {
            case "status": answer.status = try parser.string(path: "status")
            case "errorType": answer.errorType = try parser.string(path: "errorType")
            case "error": answer.error = try parser.string(path: "error")
            case "data":
                answer.sawData = true
                try parser.data(&answer)
            default: try parser.skip(depth: 0)
            }
        }
        parser.whitespace()
        guard parser.at == parser.bytes.count else { throw Failure(path: "") }
        return answer
    }

    private mutating func data(_ answer: inout Answer) throws(Failure) {
        try object(path: "data") { (parser, key) throws(Failure) in
            switch key {
            case "resultType": answer.resultType = try parser.string(path: "data.resultType")
            case "result": answer.result = try parser.series()
            default: try parser.skip(depth: 1)
            }
        }
    }

    private mutating func series() throws(Failure) -> [VectorSample] {
        var samples: [VectorSample] = []
        var index = 0
        try array(path: "data.result") { (parser) throws(Failure) in
            let path = "data.result[\(index)]"
            var labels: [String: String]?
            var value: (Int64, Double)?
            try parser.object(path: path) { (parser, key) throws(Failure) in
                switch key {
                case "metric": labels = try parser.labels(path: path + ".metric")
                case "value": value = try parser.pair(path: path + ".value")
                default: try parser.skip(depth: 3)
                }
            }
            guard let labels else { throw Failure(path: path + ".metric") }
            guard let value else { throw Failure(path: path + ".value") }
            samples.append(VectorSample(labels: labels, timestampMilliseconds: value.0, value: value.1))
            index += 1
        }
        return samples
    }

    private mutating func labels(path: String) throws(Failure) -> [String: String] {
        var labels: [String: String] = [:]
        try object(path: path) { (parser, key) throws(Failure) in
            labels[key] = try parser.string(path: path + "." + key)
        }
        return labels
    }

    /// `[<unix seconds as a number>, "<value as a string>"]`.
    private mutating func pair(path: String) throws(Failure) -> (Int64, Double) {
        var seconds: Double?
        var value: Double?
        var index = 0
        try array(path: path) { (parser) throws(Failure) in
            let place = "\(path)[\(index)]"
            switch index {
            case 0:
                guard let number = try parser.number(), number.isFinite, abs(number) < 1e11 else {
                    throw Failure(path: place)
                }
                seconds = number
            case 1:
                guard let text = try? parser.string(path: place), let number = PrometheusResponse.number(text) else {
                    throw Failure(path: place)
                }
                value = number
            default:
                throw Failure(path: place)
            }
            index += 1
        }
        guard let seconds, let value else { throw Failure(path: path) }
        return (Int64((seconds * 1000).rounded()), value)
    }

    // MARK: - JSON

    private mutating func whitespace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, path: String) throws(Failure) {
        whitespace()
        guard at < bytes.count, bytes[at] == byte else { throw Failure(path: path) }
        at += 1
    }

    /// Whether the next byte (after whitespace) is `byte`, consuming it if so.
    private mutating func take(_ byte: UInt8) -> Bool {
        whitespace()
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    /// An object: `member` is called with each key, positioned at its value, and must consume it.
    private mutating func object(
        path: String, _ member: (inout VectorAnswerParser, String) throws(Failure) -> Void
    ) throws(Failure) {
        try expect(UInt8(ascii: "{"), path: path)
        if take(UInt8(ascii: "}")) { return }
        repeat {
            whitespace()
            let key = try string(path: path)
            try expect(UInt8(ascii: ":"), path: path)
            try member(&self, key)
        } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"), path: path)
    }

    /// An array: `element` is called positioned at each element, and must consume it.
    private mutating func array(
        path: String, _ element: (inout VectorAnswerParser) throws(Failure) -> Void
    ) throws(Failure) {
        try expect(UInt8(ascii: "["), path: path)
        if take(UInt8(ascii: "]")) { return }
        repeat {
            try element(&self)
        } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"), path: path)
    }

    /// A string, escapes decoded.
    private mutating func string(path: String) throws(Failure) -> String {
        try expect(UInt8(ascii: "\""), path: path)
        let start = at
        // Fast path: no escapes, the bytes are the string.
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                defer { at += 1 }
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw Failure(path: path) }
            at += 1
        }
        var scalars = Array(bytes[start..<at])
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { throw Failure(path: path) }
                let escape = bytes[at]
                at += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4(path: path)
                    if (0xD800..<0xDC00).contains(code), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"),
                        bytes[at + 1] == UInt8(ascii: "u")
                    {
                        at += 2
                        let low = try hex4(path: path)
                        guard (0xDC00..<0xE000).contains(low) else { throw Failure(path: path) }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    // A lone surrogate is no character: it becomes U+FFFD, as invalid UTF-8 does.
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    scalars.append(contentsOf: Array(String(scalar).utf8))
                default:
                    throw Failure(path: path)
                }
            default:
                guard byte >= 0x20 else { throw Failure(path: path) }
                scalars.append(byte)
            }
        }
        throw Failure(path: path)
    }

    private mutating func hex4(path: String) throws(Failure) -> UInt32 {
        guard at + 4 <= bytes.count else { throw Failure(path: path) }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[at]
            at += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure(path: path)
            }
            code = code << 4 | UInt32(digit)
        }
        return code
    }

    /// A number, or `nil` if the next value is not one (then nothing is consumed).
    private mutating func number() throws(Failure) -> Double? {
        whitespace()
        let start = at
        while at < bytes.count, Self.isNumberByte(bytes[at]) { at += 1 }
        guard at > start, at - start <= 64 else {
            at = start
            return nil
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        guard let value = Double(text) else { throw Failure(path: "") }
        return value
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"):
            return true
        default:
            return false
        }
    }

    /// Steps over one value of any kind.
    private mutating func skip(depth: Int) throws(Failure) {
        guard depth < Self.maximumDepth else { throw Failure(path: "") }
        whitespace()
        guard at < bytes.count else { throw Failure(path: "") }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            try object(path: "") { (parser, _) throws(Failure) in try parser.skip(depth: depth + 1) }
        case UInt8(ascii: "["):
            try array(path: "") { (parser) throws(Failure) in try parser.skip(depth: depth + 1) }
        case UInt8(ascii: "\""):
            _ = try string(path: "")
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            guard try number() != nil else { throw Failure(path: "") }
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { throw Failure(path: "") }
        for index in 0..<count where bytes[at + index] != word.utf8Start[index] { throw Failure(path: "") }
        at += count
    }
}

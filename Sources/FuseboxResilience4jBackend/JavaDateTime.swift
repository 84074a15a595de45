/// Reads a Java `ZonedDateTime.toString()` as the actuator writes `creationTime`:
/// `2026-11-29T08:30:22.536921906Z[Etc/UTC]`, `2026-11-29T08:30Z[Etc/UTC]` (seconds left out when
/// zero), `2026-11-29T09:30:22.536+01:00[Europe/Paris]`, with 0, 3, 6 or 9 fraction digits and
/// any bracketed zone (ignored: the offset before it already fixes the instant).
enum JavaDateTime {
    /// Milliseconds since the Unix epoch, or `nil` for anything else (years outside 1...9999 too).
    static func milliseconds(_ text: String) -> Int64? {
        var bytes = Array(text.utf8.prefix(128))
        if let bracket = bytes.firstIndex(of: UInt8(ascii: "[")) {
            guard bytes.last == UInt8(ascii: "]") else { return nil }
            bytes.removeSubrange(bracket...)
        }
        var reader = Reader(bytes: bytes)
        guard let year = reader.digits(4), reader.skip("-"), let month = reader.digits(2), reader.skip("-"),
            let day = reader.digits(2), reader.skip("T"), let hour = reader.digits(2), reader.skip(":"),
            let minute = reader.digits(2)
        else { return nil }
        var second: Int64 = 0
        var nanos: Int64 = 0
        if reader.skip(":") {
            guard let value = reader.digits(2) else { return nil }
            second = value
            if reader.skip(".") {
                var count = 0
                while let digit = reader.digit() {
                    guard count < 9 else { return nil }
                    nanos = nanos * 10 + digit
                    count += 1
                }
                guard count > 0 else { return nil }
                for _ in count..<9 { nanos *= 10 }
            }
        }
        var offsetSeconds: Int64 = 0
        if reader.skip("Z") {
            offsetSeconds = 0
        } else if let sign = reader.sign() {
            guard let hours = reader.digits(2), reader.skip(":"), let minutes = reader.digits(2) else { return nil }
            var seconds: Int64 = 0
            if reader.skip(":") {
                guard let value = reader.digits(2) else { return nil }
                seconds = value
            }
            guard hours <= 18, minutes < 60, seconds < 60 else { return nil }
            offsetSeconds = sign * (hours * 3600 + minutes * 60 + seconds)
        } else {
            return nil
        }
        guard reader.atEnd, (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 60, day <= daysIn(month: month, year: year)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1000 + nanos / 1_000_000
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position == bytes.count }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
            position += 1
            return true
        }

        mutating func digit() -> Int64? {
            guard position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) else {
                return nil
            }
            defer { position += 1 }
            return Int64(bytes[position] - UInt8(ascii: "0"))
        }

        mutating func digits(_ count: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<count {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        mutating func sign() -> Int64? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }
    }
}

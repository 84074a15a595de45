/// Source addresses as they may be shown: in messages, headers, logs.
public enum SourceAddress {
    /// `specification` with any user information replaced by `***` and any query or fragment by `…`,
    /// so a token pasted into an address never reaches a screen or a log.
    public static func redacted(_ specification: String) -> String {
        var shown = specification
        // User information first: a token may hold `?` or `#`, so cutting there first could keep half of it.
        if let separator = shown.firstRange(of: "://") {
            let rest = shown[separator.upperBound...]
            // Everything up to the last `@` may be a token, `/` and `:` included.
            if let at = rest.lastIndex(of: "@") {
                shown = String(shown[..<separator.upperBound]) + "***" + String(rest[at...])
            }
        }
        if let cut = shown.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            shown = String(shown[..<cut]) + "…"
        }
        return shown
    }
}

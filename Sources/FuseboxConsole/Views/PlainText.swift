import FuseboxProtocol

/// The overview as plain text for `fusebox status`: a header line, then the table, every row.
public func plainOverview(_ state: ConsoleState) -> String {
    var tall = state
    // A replay draws its timeline bar under the header: one line more, or the last dependency
    // would be cut ("1-11 of 12").
    let timeline = state.replay == nil ? 0 : 1
    tall.height = max(6, state.visibleRows.count + 4 + timeline)
    tall.screen = .overview
    tall.status = nil
    tall.input = nil
    tall.dialog = nil
    let canvas = render(tall)
    let tableRows = (1...(tall.visibleRows.count + 1 + timeline)).map { canvas.line($0) }
    return ([canvas.line(0)] + tableRows).joined(separator: "\n")
}

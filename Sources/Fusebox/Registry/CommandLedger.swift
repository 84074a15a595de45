import FuseboxProtocol

/// Remembers the results of recent commands by id, so a repeated id returns the first result.
/// Forgets the oldest ids beyond its capacity.
struct CommandLedger {
    let capacity: Int
    private var results: [String: (action: Command.Action, result: CommandResult)] = [:]
    private var order: [String] = []
    private var head = 0

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    /// The first result for `id`, with the action it was given for.
    func entry(for id: String) -> (action: Command.Action, result: CommandResult)? { results[id] }

    mutating func remember(_ result: CommandResult, for action: Command.Action) {
        if order.count < capacity {
            order.append(result.commandId)
        } else {
            results.removeValue(forKey: order[head])
            order[head] = result.commandId
            head = (head + 1) % capacity
        }
        results[result.commandId] = (action, result)
    }
}

public import FuseboxProtocol
import Logging

extension FuseboxRegistry {
    /// Applies an operator command: force open, close, disable, start back-in, or set a flag.
    ///
    /// Applying a command id again with the same action returns the first result and changes
    /// nothing; the same id with a different action is refused (`invalid-argument`), since a
    /// client that reuses ids would otherwise be told its new command had run. Every command,
    /// applied or refused, is logged and becomes an event with its actor and reason.
    public func apply(_ command: Command) -> CommandResult {
        applyReportingReplay(command).result
    }

    /// ``apply(_:)``, also saying whether the id had been applied before (so nothing changed and
    /// the first result came back): an audit trail records a replay as such.
    public func applyReportingReplay(_ command: Command) -> (result: CommandResult, replayed: Bool) {
        ledger.withLock { ledger in
            if let earlier = ledger.entry(for: command.id) {
                if earlier.action == command.action { return (earlier.result, true) }
                let refusal = CommandResult(
                    commandId: command.id, instance: instance, status: .refused, target: command.action.target,
                    before: nil, after: nil, refusal: .invalidArgument,
                    message:
                        "command id '\(command.id)' was already used for \(earlier.action.verb) "
                        + "\(earlier.action.target); send the new command with a new id",
                    atMilliseconds: clock.wallMilliseconds())
                return (refusal, false)
            }
            let result = execute(command)
            ledger.remember(result, for: command.action)
            record(command, result)
            return (result, false)
        }
    }

    private func execute(_ command: Command) -> CommandResult {
        let now = clock.wallMilliseconds()
        func refuse(_ refusal: CommandResult.Refusal, before: TargetState? = nil, _ message: String)
            -> CommandResult
        {
            CommandResult(
                commandId: command.id, instance: instance, status: .refused, target: command.action.target,
                before: before,
                after: before, refusal: refusal, message: message, atMilliseconds: now)
        }
        func applied(before: TargetState, after: TargetState, _ message: String) -> CommandResult {
            CommandResult(
                commandId: command.id, instance: instance, status: .applied, target: command.action.target,
                before: before, after: after,
                refusal: nil, message: message, atMilliseconds: now)
        }
        if command.id.isEmpty { return refuse(.invalidArgument, "a command needs a non-empty id") }

        if case .setFlag(let name, let value) = command.action {
            guard let flag = flag(named: name) else {
                return refuse(.unknownTarget, "no flag named '\(name)'; check the name in the flags view")
            }
            let before = TargetState.flag(flag.value)
            guard flag.operatorControllable else {
                return refuse(.notAllowed, before: before, "flag '\(name)' cannot be changed by operators")
            }
            guard value.kind == flag.kind else {
                return refuse(
                    .invalidArgument, before: before,
                    "flag '\(name)' is a \(flag.kind.rawValue) flag; send a \(flag.kind.rawValue) value")
            }
            if case .percentage(let p) = value, !(0...100).contains(p) {
                return refuse(.invalidArgument, before: before, "a percentage must be in 0...100 (got \(p))")
            }
            _ = flag.set(value, actor: command.actor, reason: command.reason, atMilliseconds: now)
            let after = TargetState.flag(flag.value)
            events.append(
                Event(
                    atMilliseconds: now, kind: .flag, from: before, to: after, reason: command.reason,
                    actor: command.actor, commandId: command.id, flag: name,
                    message: "\(name): \(before) -> \(after) by \(command.actor)"))
            return applied(before: before, after: after, "flag '\(name)' set to \(after)")
        }

        let target = command.action.target
        guard let dependency = dependency(named: target) else {
            return refuse(.unknownTarget, "no dependency named '\(target)'; check the name in the overview")
        }
        let breaker = dependency.breaker
        let before = TargetState.breaker(breaker.state)
        let action: OperatorAction
        switch command.action {
        case .forceOpen: action = .forceOpen
        case .close: action = .close
        case .disable: action = .disable
        case .startBackIn: action = .startBackIn
        case .setFlag: preconditionFailure("handled above")
        }
        guard dependency.configuration.allowedActions.contains(action) else {
            return refuse(.notAllowed, before: before, "'\(target)' does not allow \(action.rawValue) from operators")
        }
        let transition: BreakerTransition
        switch command.action {
        case .forceOpen:
            transition = breaker.forceOpen(actor: command.actor, reason: command.reason)
        case .close:
            transition = breaker.close(actor: command.actor, reason: command.reason)
        case .disable:
            transition = breaker.disable(actor: command.actor, reason: command.reason)
        case .startBackIn(_, let schedule):
            if let problem = schedule?.validationProblem() {
                return refuse(.invalidArgument, before: before, problem)
            }
            transition = breaker.startBackIn(schedule: schedule, actor: command.actor, reason: command.reason)
        case .setFlag:
            preconditionFailure("handled above")
        }
        return applied(
            before: .breaker(transition.from), after: .breaker(transition.to),
            "'\(target)' \(transition.from.label) -> \(transition.to.label)")
    }

    private func record(_ command: Command, _ result: CommandResult) {
        events.append(
            Event(
                atMilliseconds: result.atMilliseconds, kind: .command,
                dependency: command.action.kind == .setFlag ? nil : command.action.target,
                from: result.before, to: result.after, reason: command.reason, actor: command.actor,
                commandId: command.id, flag: command.action.kind == .setFlag ? command.action.target : nil,
                message:
                    "\(command.action.verb) \(command.action.target) by \(command.actor): \(result.status.rawValue)"
                    + (result.refusal.map { " (\($0.rawValue): \(result.message))" } ?? "")))
        logger.notice(
            "operator command \(result.status.rawValue)",
            metadata: [
                "command_id": "\(command.id.logQuoted)", "action": "\(command.action.verb)",
                "target": "\(command.action.target.logQuoted)", "actor": "\(command.actor.logQuoted)",
                "reason": "\(command.reason.logQuoted)",
                "before": "\(result.before.map(String.init(describing:))?.logSafe ?? "-")",
                "after": "\(result.after.map(String.init(describing:))?.logSafe ?? "-")",
                "result": "\(result.message.logQuoted)",
            ])
    }
}

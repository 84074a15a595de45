import Foundation
import FuseboxBackends
import FuseboxConsole
import FuseboxProtocol
import FuseboxTerminal
import Synchronization

/// Runs the console: the terminal loop on this thread, polling and commands on the concurrency
/// pool. Messages from the background arrive through an inbox the loop drains every frame, so
/// input never waits on the network.
final class ConsoleApp: Sendable {
    let backend: any ResilienceBackend
    nonisolated(unsafe) let terminal: Terminal
    let loader: ThemeLoader
    let interval: Double
    private let inbox = Mutex<[Message]>([])

    init(backend: any ResilienceBackend, terminal: Terminal, loader: ThemeLoader, interval: Double) {
        self.backend = backend
        self.terminal = terminal
        self.loader = loader
        self.interval = interval
    }

    static func wallMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    private func post(_ message: Message) { inbox.withLock { $0.append(message) } }

    /// Polls the backend every interval; on failure keeps the last data and backs off with jitter.
    private func startPolling() -> Task<Void, Never> {
        Task { [backend, interval] in
            var failures = 0
            while !Task.isCancelled {
                do {
                    let snapshots = try await backend.poll()
                    failures = 0
                    post(.data(snapshots, atMilliseconds: Self.wallMilliseconds()))
                } catch {
                    failures += 1
                    post(.pollFailed("\(error)", atMilliseconds: Self.wallMilliseconds()))
                }
                let backoff = failures == 0 ? interval : min(30, interval * pow(2, Double(min(failures, 5))))
                let jittered = backoff * (failures == 0 ? 1 : Double.random(in: 0.8...1.2))
                try? await Task.sleep(nanoseconds: UInt64(jittered * 1e9))
            }
        }
    }

    func run(_ state: inout ConsoleState) {
        let poller = startPolling()
        defer { poller.cancel() }
        var dirty = true
        var lastTick = Self.wallMilliseconds()
        loop: while terminal.stopRequested == nil {
            for message in inbox.withLock({ messages -> [Message] in
                defer { messages = [] }; return messages
            }) {
                if perform(update(&state, message), &state) { break loop }
                dirty = true
            }
            let now = Self.wallMilliseconds()
            if now - lastTick >= 250 {
                _ = update(&state, .tick(atMilliseconds: now))
                lastTick = now
                dirty = true
            }
            if dirty {
                terminal.draw(render(state))
                dirty = false
            }
            let (key, resized) = terminal.readKey(timeoutMilliseconds: 50)
            if resized {
                let (width, height) = terminal.size
                _ = update(&state, .resize(width: width, height: height))
                dirty = true
            }
            if let key {
                if perform(update(&state, .key(key)), &state) { break loop }
                dirty = true
            }
        }
    }

    /// Carries out effects; returns `true` to quit.
    private func perform(_ effects: [Effect], _ state: inout ConsoleState) -> Bool {
        for effect in effects {
            switch effect {
            case .quit:
                return true
            case .applyTheme(let name):
                do {
                    let theme = try loader.load(name)
                    terminal.use(theme)
                    state.themeName = theme.name
                    state.status = .init(text: "theme \(theme.name)", isError: false)
                } catch {
                    state.status = .init(text: "\(error)", isError: true)
                }
            case .send(let command, let instance):
                Task { [backend] in
                    do {
                        let results = try await backend.send(command, toInstance: instance)
                        post(.commandResults(results, atMilliseconds: Self.wallMilliseconds()))
                    } catch {
                        post(.commandFailed("\(error)", atMilliseconds: Self.wallMilliseconds()))
                    }
                }
            }
        }
        return false
    }
}

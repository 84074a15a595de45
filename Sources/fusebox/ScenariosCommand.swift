import ArgumentParser
import FuseboxSimulator

/// `fusebox scenarios`: the simulator's scenarios, one line each.
struct ScenariosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "List the simulator's outage scenarios."
    )

    @Flag(name: .long, help: "Also print each scenario's timeline.")
    var timeline = false

    func run() {
        let width = Scenario.all.map(\.name.count).max() ?? 0
        for scenario in Scenario.all {
            let marker = scenario.name == Scenario.defaultScenario.name ? " (default)" : ""
            let name = scenario.name.padding(to: width)
            print("\(name)  \(scenario.summary)\(marker)")
            if timeline {
                for step in scenario.steps {
                    print("    \(formatSeconds(step.atSeconds))  \(step.note)")
                }
                let ending = scenario.loops ? "loops: every downstream healed, start over" : "ends"
                print("    \(formatSeconds(scenario.durationSeconds))  \(ending)")
            }
        }
    }
}

/// `m:ss`.
func formatSeconds(_ seconds: Double) -> String {
    let whole = Int(seconds)
    let remainder = whole % 60
    return "\(whole / 60):\(remainder < 10 ? "0" : "")\(remainder)"
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

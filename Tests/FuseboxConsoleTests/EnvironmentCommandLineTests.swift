import Foundation
import Testing

/// `--env NAME` as a user runs it: the environment's sources and settings, and one line when wrong.
extension CommandLineTests {
    @Test func anEnvironmentFromTheConfigFileNamesTheSourcesAndSettings() async throws {
        try await withConfigDirectory { config in
            try """
            default-environment: drill
            environments:
              drill:
                sources: [sim:recovery]
                read-only: true
              broken:
                sources: [sim:recovery]
                intervall: 2
            """.write(to: config.appendingPathComponent("fusebox/config.yaml"), atomically: true, encoding: .utf8)
            let named = try await fusebox(
                ["status", "--env", "drill", "--at", "5"], environment: ["XDG_CONFIG_HOME": config.path])
            // The broken environment is in the same file: the whole file is refused, naming its line.
            expectOneLine(named, status: 2, containing: "line 8, key 'broken.intervall': unknown key")
            try """
            default-environment: drill
            environments:
              drill:
                sources: [sim:recovery]
                read-only: true
            """.write(to: config.appendingPathComponent("fusebox/config.yaml"), atomically: true, encoding: .utf8)
            let good = try await fusebox(
                ["status", "--env", "drill", "--at", "5"], environment: ["XDG_CONFIG_HOME": config.path])
            #expect(good.status == 0, "\(good.errors)")
            #expect(good.output.hasPrefix("Fusebox | drill: sim:recovery |"), "\(good.output.prefix(80))")
            let byDefault = try await fusebox(["status", "--at", "5"], environment: ["XDG_CONFIG_HOME": config.path])
            #expect(byDefault.output.hasPrefix("Fusebox | drill: sim:recovery |"), "the default environment")
            let explicit = try await fusebox(
                ["status", "--source", "sim", "--at", "5"], environment: ["XDG_CONFIG_HOME": config.path])
            #expect(explicit.output.hasPrefix("Fusebox | sim:partial-outage |"), "--source wins over the default")
            let unknown = try await fusebox(["status", "--env", "prod"], environment: ["XDG_CONFIG_HOME": config.path])
            expectOneLine(
                unknown, status: 2,
                containing: "no environment 'prod' in \(config.path)/fusebox/config.yaml; it has: drill")
            let both = try await fusebox(
                ["status", "--env", "drill", "--source", "sim"], environment: ["XDG_CONFIG_HOME": config.path])
            expectOneLine(both, status: 2, containing: "give --env or --source, not both")
        }
    }
}

import Foundation
import FuseboxConsole
import Testing

/// `config.yaml`: named environments, and every mistake named by file, line and key.
@Suite struct EnvironmentFileTests {
    func parse(_ text: String) throws(SettingsFileError) -> EnvironmentFile {
        try EnvironmentFile.parse(text, file: "/cfg/config.yaml", home: "/home/oncall")
    }

    func failure(_ text: String) -> SettingsFileError? {
        do {
            _ = try parse(text)
            Issue.record("parsed: \(text)")
            return nil
        } catch {
            return error
        }
    }

    @Test func environmentsCarryTheirSourcesAndSettings() throws {
        let file = try parse(
            """
            # the on-call's environments
            default-environment: staging
            environments:
              prod:
                sources:
                  - http://10.0.0.1:9901
                  - prometheus+http://prom:9090
                token-file: ~/.config/fusebox/prod.token
                read-only: true
                require-reason: yes
                interval: 2.5
                theme: high-contrast
              staging:
                sources: http://staging:9901
            """)
        #expect(file.defaultEnvironment == "staging")
        let prod = try #require(file.environments["prod"])
        #expect(prod.sources == ["http://10.0.0.1:9901", "prometheus+http://prom:9090"])
        #expect(prod.tokenFile == "/home/oncall/.config/fusebox/prod.token")
        #expect(prod.readOnly && prod.requireReason && prod.interval == 2.5 && prod.theme == "high-contrast")
        let staging = try #require(file.environments["staging"])
        #expect(staging.sources == ["http://staging:9901"] && !staging.readOnly && staging.interval == nil)
        #expect(try parse("").environments.isEmpty, "an empty file is no environments, not an error")
    }

    @Test(arguments: [
        (
            "environments:\n  prod:\n    sources: [http://a:1]\n    read-only: maybe\n",
            "config /cfg/config.yaml: line 4, key 'prod.read-only': expected true or false"
        ),
        (
            "environments:\n  prod:\n    sources: [http://a:1]\n    readonly: true\n",
            "config /cfg/config.yaml: line 4, key 'prod.readonly': unknown key; expected sources, token-file,"
                + " ca-file, theme, interval, read-only or require-reason"
        ),
        (
            "environments:\n  prod:\n    theme: dark\n",
            "config /cfg/config.yaml: line 3, key 'prod': the environment has no 'sources:'"
        ),
        (
            "environments:\n  prod:\n    sources: []\n",
            "config /cfg/config.yaml: line 3, key 'prod.sources': expected at least one source, e.g. [http://host:9901]"
        ),
        (
            "environments:\n  prod:\n    sources: [http://a:1]\n    interval: 0\n",
            "config /cfg/config.yaml: line 4, key 'prod.interval': expected seconds from 0.1 to 3600"
        ),
        (
            "default-environment: prod\nenvironments:\n  staging:\n    sources: [http://a:1]\n",
            "config /cfg/config.yaml: line 1, key 'default-environment': no environment named 'prod' in this file"
        ),
        (
            "environment:\n  prod: {}\n",
            "config /cfg/config.yaml: line 1, key 'environment': unknown key; expected 'environments' or"
                + " 'default-environment'"
        ),
    ])
    func mistakesNameTheFileTheLineAndTheKey(text: String, message: String) {
        #expect(failure(text)?.description == message)
    }

    @Test func brokenYamlNamesItsLine() {
        let error = failure("environments:\n  prod:\n    sources: [http://a:1\n  staging: x\n")
        #expect(error?.line == 4, "\(error?.description ?? "")")
        #expect(error?.description.hasPrefix("config /cfg/config.yaml: line 4: not valid YAML") == true)
        let twice = failure("environments:\n  prod:\n    sources: [a]\n  prod:\n    sources: [b]\n")
        #expect(twice?.description.contains("prod") == true, "\(twice?.description ?? "")")
    }
}

import Foundation
import Fusebox
import FuseboxBackend
import FuseboxConsole
import FuseboxProtocol
import FuseboxRecording

/// `fusebox-bench recording`: what recordings cost, on a generated day of a busy service.
///
/// - Size: 24 hours at one sample a second of 200 dependencies whose every counter moves every
///   second (``BusyService``), in bytes per dependency per sample, beside the same data as JSON
///   lines and as gzip'd JSON lines (measured on ten consecutive minutes of it).
/// - Replay, in a fresh child process so its memory is its own: opening the file, seeking to
///   random times (one frame, and the nine frames the console folds on a jump), playing at 64x,
///   and the peak resident memory.
/// - Recording's cost to a live console at 500 dependencies: CPU time per sample of the file
///   recorder (syncing each sample, as `--record` does) and of the session's memory, as a share of
///   a core at one poll a second, beside the console's own fold of the same poll.
enum RecordingBenchmarks {
    static func run(quick: Bool) throws -> [Result] {
        let hours =
            ProcessInfo.processInfo.environment["FUSEBOX_BENCH_HOURS"].flatMap(Double.init) ?? (quick ? 0.25 : 24.0)
        let dependencies = 200
        let samples = Int(hours * 3_600)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-bench-\(getpid()).fuserec")
            .path
        try? FileManager.default.removeItem(atPath: path)
        defer {
            if ProcessInfo.processInfo.environment["FUSEBOX_BENCH_KEEP"] == nil {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        var results: [Result] = []

        // Size.
        let start: Int64 = 1_796_000_000_000
        var service = BusyService(dependencies: dependencies, startMilliseconds: start, seed: 42)
        let recorder = try FileRecorder(
            path: path,
            header: RecordingHeader(
                sources: ["bench"], startedAtMilliseconds: start, fuseboxVersion: "bench", host: "bench",
                intervalMilliseconds: 1_000),
            syncEachSample: false, onStop: { print("# recording stopped: \($0)") })
        let began = now()
        for _ in 0..<samples {
            let snapshot = service.next()
            recorder.record([snapshot], atMilliseconds: service.nowMilliseconds)
        }
        recorder.finish()
        let generated = Double(now() - began) / 1e9
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.doubleValue ?? 0
        let perSample = size / Double(samples * dependencies)
        let (jsonLines, gzipped) = try jsonSizes(dependencies: dependencies, samples: 600)
        results.append(
            Result(
                name: "recording.size_per_dependency_sample", value: perSample, unit: "bytes", baseline: "json_lines",
                baselineValue: jsonLines, target: "<= 16 bytes", meetsTarget: perSample <= 16,
                note:
                    "\(String(format: "%.0f", hours)) h x \(dependencies) busy dependencies: \(Int(size / 1_048_576)) MiB; "
                    + "gzip'd JSON lines \(String(format: "%.1f", gzipped)) bytes; written in \(Int(generated)) s"))
        results.append(
            Result(
                name: "recording.size_vs_gzip_json_lines", value: perSample, unit: "bytes", baseline: "gzip_json_lines",
                baselineValue: gzipped))

        // Replay, in a child process.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["recording-replay", path, "\(quick ? 50 : 200)"]
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") { print(line) }

        results += try liveCost(dependencies: 500, samples: quick ? 30 : 120)
        return results
    }

    /// JSON lines of the same data, and the same gzip'd, per dependency per sample.
    static func jsonSizes(dependencies: Int, samples: Int) throws -> (Double, Double) {
        var service = BusyService(dependencies: dependencies, startMilliseconds: 1_796_000_000_000, seed: 42)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data()
        for _ in 0..<samples {
            data.append(try encoder.encode([service.next()]))
            data.append(0x0A)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-bench-\(getpid()).jsonl")
        try data.write(to: file)
        defer {
            try? FileManager.default.removeItem(at: file)
            try? FileManager.default.removeItem(atPath: file.path + ".gz")
        }
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -6 -c '\(file.path)' > '\(file.path).gz'"]
        try gzip.run()
        gzip.waitUntilExit()
        let gzipped =
            (try FileManager.default.attributesOfItem(atPath: file.path + ".gz")[.size] as? NSNumber)?
            .doubleValue ?? 0
        let count = Double(samples * dependencies)
        return (Double(data.count) / count, gzipped / count)
    }

    /// `fusebox-bench recording-replay FILE SEEKS`: open, seek and play in a fresh process.
    static func replay(path: String, seeks: Int) throws {
        var results: [Result] = []
        let opening = now()
        let reader = try RecordingReader(path: path)
        let times = reader.frameTimes()
        let opened = Double(now() - opening) / 1e6
        results.append(
            Result(
                name: "recording.open", value: opened, unit: "ms", target: "<= 1000 ms", meetsTarget: opened <= 1_000,
                note: "\(times.count) frames"))
        let random = SeededRandom(seed: 7)
        for count in [1, ReplayState.historyFrames + 1] {
            var durations: [Double] = []
            for _ in 0..<seeks {
                let time = times[random.below(times.count)] + Int64(random.below(999))
                let started = now()
                let frames = try reader.frames(endingAt: time, count: count)
                durations.append(Double(now() - started) / 1e6)
                blackHole(frames)
            }
            durations.sort()
            let p99 = durations[min(durations.count - 1, durations.count * 99 / 100)]
            results.append(
                Result(
                    name: "recording.seek.\(count == 1 ? "one_frame" : "console_jump")", value: p99, unit: "ms p99",
                    baseline: "median", baselineValue: durations[durations.count / 2], target: "<= 50 ms",
                    meetsTarget: durations.last! <= 50,
                    note:
                        "\(seeks) random seeks, \(count) frame(s) each; max \(String(format: "%.1f", durations.last!)) ms"
                ))
        }
        // Playing: an hour of frames in order, as 64x asks for them (about one per 16 ms).
        let hour = min(times.count - 1, 3_600)
        let playing = now()
        var played = 0
        var position = 0
        while position < hour {
            let next = min(hour, position + 4)
            played += try reader.frames(after: times[position], through: times[next]).count
            position = next
        }
        let perFrame = Double(now() - playing) / 1e6 / Double(max(1, played))
        results.append(
            Result(
                name: "recording.play_per_frame", value: perFrame, unit: "ms", target: "<= 16 ms (64x)",
                meetsTarget: perFrame <= 16, note: "\(played) frames in order"))
        let peak = peakResidentMegabytes()
        results.append(
            Result(
                name: "recording.replay_memory", value: peak, unit: "MiB peak RSS", target: "<= 200 MiB",
                meetsTarget: peak <= 200, note: "the whole replaying process"))
        for result in results { print(result.line) }
    }

    /// The recorder's and the session memory's CPU time per sample at `dependencies`, beside the
    /// console's fold of the same poll.
    static func liveCost(dependencies: Int, samples: Int) throws -> [Result] {
        var service = BusyService(dependencies: dependencies, startMilliseconds: 1_796_000_000_000, seed: 9)
        let polls = (0..<samples).map { _ in ([service.next()], service.nowMilliseconds) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-live-\(getpid()).fuserec")
            .path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let recorder = try FileRecorder(
            path: path,
            header: RecordingHeader(
                sources: ["bench"], startedAtMilliseconds: 0, fuseboxVersion: "bench", host: "bench",
                intervalMilliseconds: 1_000),
            onStop: { print("# recording stopped: \($0)") })
        let fileCPU = processCPUNanoseconds()
        for (snapshots, at) in polls { recorder.record(snapshots, atMilliseconds: at) }
        recorder.finish()
        let filePerSample = Double(processCPUNanoseconds() - fileCPU) / Double(samples)

        let history = SessionHistory()
        let memoryCPU = processCPUNanoseconds()
        for (snapshots, at) in polls { history.record(snapshots, atMilliseconds: at) }
        _ = history.frameTimes()  // waits for the writes queued before it
        let memoryPerSample = Double(processCPUNanoseconds() - memoryCPU) / Double(samples)

        var fleet = Fleet()
        let foldCPU = processCPUNanoseconds()
        for (snapshots, at) in polls { fleet = fleet.advanced(to: snapshots, atMilliseconds: at) }
        let foldPerSample = Double(processCPUNanoseconds() - foldCPU) / Double(samples)
        blackHole(fleet)

        // At one poll a second, CPU nanoseconds per sample over 1e9 is the share of a core.
        let share = { (nanoseconds: Double) in nanoseconds / 1e9 * 100 }
        return [
            Result(
                name: "recording.live_cost.file", value: share(filePerSample), unit: "% of a core",
                baseline: "console_fold", baselineValue: share(foldPerSample), target: "<= 1%",
                meetsTarget: share(filePerSample) <= 1,
                note: "\(dependencies) dependencies at 1 s, each sample synced to disk"),
            Result(
                name: "recording.live_cost.session_memory", value: share(memoryPerSample), unit: "% of a core",
                baseline: "console_fold", baselineValue: share(foldPerSample), target: "<= 1%",
                meetsTarget: share(memoryPerSample) <= 1, note: "the live console's look-back memory"),
        ]
    }

    static func peakResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1_024
    }
}

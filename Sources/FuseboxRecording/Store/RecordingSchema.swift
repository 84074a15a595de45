/// The tables of a recording (an SQLite database), as `docs/recording.md` describes them.
enum RecordingSchema {
    /// What `meta.format` holds: tells a recording from any other SQLite file.
    static let formatName = "fusebox-recording"

    static let create = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS shapes(
            id INTEGER PRIMARY KEY, kind TEXT NOT NULL, crc INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS events(
            id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, service TEXT NOT NULL, instance TEXT NOT NULL,
            sequence INTEGER NOT NULL, kind TEXT NOT NULL, dependency TEXT, message TEXT NOT NULL,
            crc INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS samples(
            id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, keyframe INTEGER NOT NULL, crc INTEGER NOT NULL,
            body BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS transitions(
            id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, service TEXT NOT NULL, instance TEXT NOT NULL,
            dependency TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS commands(
            id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, command_id TEXT NOT NULL, actor TEXT NOT NULL,
            reason TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, instance TEXT, status TEXT NOT NULL,
            message TEXT NOT NULL, body TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS annotations(
            id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS errors(
            id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, source TEXT NOT NULL, code TEXT NOT NULL,
            message TEXT NOT NULL);
        """
}

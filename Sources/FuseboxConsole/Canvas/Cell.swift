/// One character cell of a ``Canvas``: a grapheme cluster and its role.
///
/// A wide grapheme (CJK, most emoji) takes two cells: its own, with ``width`` 2, and a continuation cell to its
/// right, with ``width`` 0, that the terminal driver and ``Canvas/line(_:)`` skip.
public struct Cell: Sendable {
    /// The grapheme shown here; a space in a continuation cell.
    public private(set) var character: Character
    /// What the cell means; the theme decides how it looks.
    public var role: Role
    private var columns: UInt8

    /// A one-column cell. Canvases write wide graphemes themselves (``Canvas/put(_:x:y:role:limit:)``).
    public init(_ character: Character = " ", _ role: Role = .text) {
        self.character = character
        self.role = role
        self.columns = 1
    }

    init(_ character: Character, _ role: Role, width: Int) {
        self.character = character
        self.role = role
        self.columns = UInt8(truncatingIfNeeded: width)
    }

    /// Columns the grapheme takes: 1, 2 for a wide grapheme, 0 for the continuation cell right of a wide one.
    public var width: Int { Int(columns) }

    /// Whether this is the right half of a wide grapheme (nothing is drawn here).
    public var isContinuation: Bool { columns == 0 }

    /// The first Unicode scalar of ``character``.
    public var scalar: Unicode.Scalar { character.unicodeScalars.first! }

    /// Makes this cell a one-column space, keeping its role.
    mutating func clear() {
        character = " "
        columns = 1
    }
}

extension Cell: Hashable {
    public static func == (lhs: Cell, rhs: Cell) -> Bool {
        lhs.columns == rhs.columns && lhs.role.index == rhs.role.index && lhs.character == rhs.character
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(character)
        hasher.combine(role.index)
        hasher.combine(columns)
    }
}

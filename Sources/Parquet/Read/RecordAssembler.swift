/// Rebuilds rows from columns' repetition and definition levels (Dremel's record assembly).
///
/// Each node knows its own levels; reading one occurrence of a node consumes exactly one entry of
/// every leaf under it per occurrence of its innermost repeated descendants, so the leaves stay in
/// step. The first leaf under a node says whether the node is null (its definition level is below
/// the node's) and whether a repeated node goes on (the next repetition level equals the node's).
/// Columns that disagree (a corrupt file) end in an error, never a crash: every step is checked.
struct RecordAssembler {
    /// A schema node with its levels and leaves.
    struct Node: Sendable {
        indirect enum Shape: Sendable {
            case leaf(Int)
            case group([Node])
            /// A LIST group; `element` is the repeated node's only child (3-level), or nil when the
            /// repeated node is the element itself (2-level, older writers).
            case list(repeated: Node, element: Node?)
            /// A MAP group over its repeated key/value group.
            case map(repeated: Node)
        }
        var name: String
        var repetition: Repetition
        var shape: Shape
        /// Definition level of a present occurrence: optional and repeated nodes down to this one.
        var definition: Int
        /// Repetition level of this node's occurrences: repeated nodes down to this one.
        var repetitionLevel: Int
        /// The leaves under this node, depth-first indices.
        var leaves: Range<Int>
    }

    /// The top-level nodes for `schema`.
    static func nodes(_ schema: ParquetSchema) -> [Node] {
        var leaf = 0
        func build(_ node: SchemaNode, definition: Int, repetition: Int) -> Node {
            let definition = definition + (node.repetition == .required ? 0 : 1)
            let repetitionLevel = repetition + (node.repetition == .repeated ? 1 : 0)
            let first = leaf
            let shape: Node.Shape
            switch node {
            case .leaf:
                shape = .leaf(leaf)
                leaf += 1
            case .group(let name, _, let logical, let children):
                let built = children.map { build($0, definition: definition, repetition: repetitionLevel) }
                if logical == .list, built.count == 1, built[0].repetition == .repeated {
                    let repeated = built[0]
                    // parquet-format LogicalTypes.md, backward-compatibility rules: a repeated group
                    // of one field is the 3-level wrapper unless named `array` or `<list>_tuple`.
                    if case .group(let inner) = repeated.shape, inner.count == 1, repeated.name != "array", repeated.name != name + "_tuple" {
                        shape = .list(repeated: repeated, element: inner[0])
                    } else {
                        shape = .list(repeated: repeated, element: nil)
                    }
                } else if logical == .map, built.count == 1, built[0].repetition == .repeated {
                    shape = .map(repeated: built[0])
                } else {
                    shape = .group(built)
                }
            }
            return Node(
                name: node.name, repetition: node.repetition, shape: shape, definition: definition, repetitionLevel: repetitionLevel,
                leaves: first..<leaf)
        }
        return schema.columns.map { build($0, definition: 0, repetition: 0) }
    }

    /// A leaf's entries and how far they have been read.
    struct Cursor {
        var data: ColumnData
        var maxDefinition: Int
        var entry = 0
        var value = 0
        var path: String

        var atEnd: Bool { entry >= data.entries }
        var definition: Int { maxDefinition == 0 ? 0 : Int(data.definition[entry]) }
        var repetition: Int { data.repetition.isEmpty ? 0 : Int(data.repetition[entry]) }
    }

    var cursors: [Cursor]
    /// `row group G`, for errors.
    let place: String
    var row = 0

    private func fail(_ leaf: Int, _ message: String) -> ParquetError {
        ParquetError(.malformedPage, "\(place), row \(row), column \(cursors[leaf].path): \(message)")
    }

    /// The definition level of the next entry of `node`'s first leaf.
    private func peekDefinition(_ node: Node) throws(ParquetError) -> Int {
        let leaf = node.leaves.lowerBound
        guard !cursors[leaf].atEnd else { throw fail(leaf, "the column ends before the rows do") }
        return cursors[leaf].definition
    }

    /// Consumes one entry of every leaf under `node`, which is absent (null, or an empty list) at
    /// this point: each leaf's entry must say so.
    private mutating func skipAbsent(_ node: Node) throws(ParquetError) {
        for leaf in node.leaves {
            guard !cursors[leaf].atEnd else { throw fail(leaf, "the column ends before the rows do") }
            let definition = cursors[leaf].definition
            guard definition < node.definition else {
                throw fail(leaf, "definition level \(definition) where \(node.name) is absent in its sibling columns")
            }
            cursors[leaf].entry += 1
        }
    }

    /// A row: one value per top-level node. Every leaf's next entry must start a row.
    mutating func readRow(_ nodes: [Node]) throws(ParquetError) -> [ParquetValue?] {
        for leaf in cursors.indices {
            guard !cursors[leaf].atEnd else { throw fail(leaf, "the column ends before the rows do") }
            guard cursors[leaf].repetition == 0 else { throw fail(leaf, "repetition level \(cursors[leaf].repetition) where a row starts") }
        }
        var values: [ParquetValue?] = []
        values.reserveCapacity(nodes.count)
        for node in nodes { values.append(try field(node)) }
        row += 1
        return values
    }

    /// A field of a group (or a list's element): its value, a list of its occurrences when
    /// repeated, or nil when null.
    private mutating func field(_ node: Node) throws(ParquetError) -> ParquetValue? {
        if node.repetition == .repeated {
            return .list(try occurrences(node) { (this) throws(ParquetError) in try this.present(node) })
        }
        if node.repetition == .optional, try peekDefinition(node) < node.definition {
            try skipAbsent(node)
            return nil
        }
        return try present(node)
    }

    /// The occurrences of repeated `node`, each read by `element`.
    private mutating func occurrences(
        _ node: Node, _ element: (inout RecordAssembler) throws(ParquetError) -> ParquetValue?
    ) throws(ParquetError) -> [ParquetValue?] {
        if try peekDefinition(node) < node.definition {
            try skipAbsent(node)
            return []
        }
        var items: [ParquetValue?] = []
        let leaf = node.leaves.lowerBound
        repeat {
            let before = cursors[leaf].entry
            items.append(try element(&self))
            // Every occurrence consumes entries; a corrupt file cannot make this loop spin.
            guard cursors[leaf].entry > before else { throw fail(leaf, "an occurrence of \(node.name) read no entry") }
        } while !cursors[leaf].atEnd && cursors[leaf].repetition == node.repetitionLevel
        if !cursors[leaf].atEnd, cursors[leaf].repetition > node.repetitionLevel {
            throw fail(leaf, "repetition level \(cursors[leaf].repetition) after an occurrence of \(node.name) (level \(node.repetitionLevel))")
        }
        return items
    }

    /// One present occurrence of `node` (its definition level reached).
    private mutating func present(_ node: Node) throws(ParquetError) -> ParquetValue? {
        switch node.shape {
        case .leaf(let leaf):
            guard !cursors[leaf].atEnd else { throw fail(leaf, "the column ends before the rows do") }
            let definition = cursors[leaf].definition
            guard definition == cursors[leaf].maxDefinition else {
                throw fail(leaf, "definition level \(definition) where the value is present (level \(cursors[leaf].maxDefinition))")
            }
            guard cursors[leaf].value < cursors[leaf].data.values.count else { throw fail(leaf, "fewer values than present levels") }
            let value = cursors[leaf].data.values[cursors[leaf].value]
            cursors[leaf].value += 1
            cursors[leaf].entry += 1
            return value
        case .group(let children):
            var values: [ParquetValue?] = []
            values.reserveCapacity(children.count)
            for child in children { values.append(try field(child)) }
            return .group(values)
        case .list(let repeated, let element):
            return .list(
                try occurrences(repeated) { (this) throws(ParquetError) in
                    if let element { return try this.field(element) }
                    return try this.present(repeated)
                })
        case .map(let repeated):
            return .list(try occurrences(repeated) { (this) throws(ParquetError) in try this.present(repeated) })
        }
    }

    /// Checks that every column was read to its end.
    func finish() throws(ParquetError) {
        for leaf in cursors.indices where !cursors[leaf].atEnd || cursors[leaf].value != cursors[leaf].data.values.count {
            throw fail(leaf, "\(cursors[leaf].data.entries - cursors[leaf].entry) entries left after the row group's rows")
        }
    }
}

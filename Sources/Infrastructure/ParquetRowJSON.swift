import DDBTypes
package import Parquet
package import SparkTypes

/// Rows of a ddbcdc Parquet object turned back into the row JSON the NDJSON path writes for them,
/// so that what reads rows (``RowFiles``, the schema inferrer) reads both formats alike.
///
/// Packed layout (`ddbcdc.layout` = `packed`, or an `_item` column): the `_item` JSON's members,
/// then the other (metadata) columns. Typed layout: the columns other than the metadata ones in
/// file order, then the members of `_rescued_data` (attributes that did not fit their declared
/// type, kept exactly), then the metadata columns, then the typed columns that are null as `null`
/// (the schema declares them; a struct's null fields are `null` too); a metadata column that is null is left out, as NDJSON rows
/// leave out what a change does not carry (`_ingestTs`). A typed DECIMAL's text has no trailing
/// zeros (DynamoDB's numbers have none; the column's scale cannot say how many a text had).
package enum ParquetRowJSON {
    /// The column holding a packed row's item.
    static let itemColumn = "_item"
    /// The column holding a typed row's rescued attributes.
    static let rescuedColumn = "_rescued_data"

    /// Every row of `file` as a row-JSON object; `metadataNames` are the metadata columns' names
    /// (placed last, as NDJSON rows have them).
    /// - Throws: ``ParquetError`` naming the row and column of a value that is not what its
    ///   column says (an `_item` that is not a JSON object, text that is not UTF-8).
    package static func rows(of file: ParquetFile, metadataNames: Set<String>) throws(ParquetError) -> [JSONValue] {
        let columns = file.schema.columns
        let packed =
            file.keyValueMetadata.contains { $0.key == "ddbcdc.layout" && $0.value == "packed" }
            || (columns.contains { $0.name == itemColumn } && !file.keyValueMetadata.contains { $0.key == "ddbcdc.layout" && $0.value == "typed" })
        var rows: [JSONValue] = []
        for (index, row) in try file.readRows().enumerated() {
            var members: [(String, JSONValue)] = []
            var metadata: [(String, JSONValue)] = []
            var rescued: [(String, JSONValue)] = []
            var nulls: [(String, JSONValue)] = []
            for (value, column) in zip(row, columns) {
                let place = "row \(index), column \(column.name)"
                let isMetadata = packed || metadataNames.contains(column.name)
                guard let value else {
                    // A typed column is declared: null says the row has it as null (or not at
                    // all), so the column is seen even when every row has it null. Metadata
                    // columns a row does not carry (_ingestTs) stay out, as in NDJSON rows.
                    if !isMetadata && column.name != rescuedColumn { nulls.append((column.name, .null)) }
                    continue
                }
                if packed && column.name == itemColumn || !packed && column.name == rescuedColumn {
                    guard case .bytes(let raw) = value, let object = try? JSONValue.parse(raw), case .object(let inner) = object else {
                        throw ParquetError(.malformedPage, "\(place): not a JSON object")
                    }
                    if packed { members += inner } else { rescued += inner }
                } else if isMetadata {
                    metadata.append((column.name, try json(value, column, place: place)))
                } else {
                    members.append((column.name, try json(value, column, place: place)))
                }
            }
            // A rescued attribute's column is null in its row: the rescued value stands for it.
            let rescuedNames = Set(rescued.map(\.0))
            nulls.removeAll { rescuedNames.contains($0.0) }
            // Null columns last: a column first seen in a later row comes after the metadata
            // columns in the NDJSON rows' order too, and the schema lists columns in that order.
            rows.append(.object(members + rescued + metadata + nulls))
        }
        return rows
    }

    /// A decimal's text without the zeros its column's scale added (`19.950000` → `19.95`,
    /// `7.000000` → `7`): DynamoDB trims trailing zeros, so this is the number's text in the row
    /// the NDJSON path writes, and the schema inferred from it is the same.
    static func withoutTrailingZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var trimmed = Substring(text)
        while trimmed.last == "0" { trimmed.removeLast() }
        if trimmed.last == "." { trimmed.removeLast() }
        return String(trimmed)
    }

    /// A value as row JSON, by its column's types: DECIMAL as its exact value (the digits DynamoDB
    /// keeps: trailing zeros of the scale dropped), STRING and JSON as strings, other byte arrays as base64 (how rows carry binaries),
    /// integers and timestamps as integers, LIST as an array, MAP as an object, a group as an
    /// object (null fields as null).
    static func json(_ value: ParquetValue, _ node: SchemaNode, place: String) throws(ParquetError) -> JSONValue {
        func mismatch() -> ParquetError {
            ParquetError(.malformedPage, "\(place): a value that does not match its column's type")
        }
        switch (node, value) {
        case (.leaf(_, _, _, .decimal(_, let scale)?), _):
            guard let text = value.decimalText(scale: scale) else { throw mismatch() }
            return .number(withoutTrailingZeros(text))
        case (.leaf(_, _, _, let logical), .bytes(let raw)):
            if logical == .string || logical == .json {
                guard let text = String(validating: raw, as: UTF8.self) else {
                    throw ParquetError(.malformedPage, "\(place): a STRING value that is not UTF-8")
                }
                return .string(text)
            }
            var encoded: [UInt8] = []
            Base64.encode(raw, to: &encoded)
            return .string(String(decoding: encoded, as: UTF8.self))
        case (.leaf, .bool(let flag)): return .bool(flag)
        case (.leaf, .int32(let number)): return .number(String(number))
        case (.leaf, .int64(let number)): return .number(String(number))
        case (.group(_, _, .list?, let children), .list(let items)):
            // 3-level lists (what ddbcdc and pyarrow write); the repeated group's only field is the element.
            guard case .group(_, _, _, let inner) = children[0], inner.count == 1 else { throw mismatch() }
            var array: [JSONValue] = []
            for (position, item) in items.enumerated() {
                array.append(try item.map { (item) throws(ParquetError) in try json(item, inner[0], place: "\(place)[\(position)]") } ?? .null)
            }
            return .array(array)
        case (.group(_, _, .map?, let children), .list(let entries)):
            guard case .group(_, _, _, let pair) = children[0], pair.count == 2 else { throw mismatch() }
            var object: [(String, JSONValue)] = []
            for entry in entries {
                guard case .group(let fields)? = entry, fields.count == 2, case .bytes(let rawKey)? = fields[0],
                    let key = String(validating: rawKey, as: UTF8.self)
                else { throw ParquetError(.malformedPage, "\(place): a map key that is not a string") }
                let item = try fields[1].map { (item) throws(ParquetError) in try json(item, pair[1], place: "\(place).\(key)") } ?? .null
                object.append((key, item))
            }
            return .object(object)
        case (.group(_, _, _, let children), .group(let fields)):
            // Every declared field, null ones as null (a struct's fields are the members seen).
            var object: [(String, JSONValue)] = []
            for (field, child) in zip(fields, children) {
                object.append((child.name, try field.map { (field) throws(ParquetError) in try json(field, child, place: "\(place).\(child.name)") } ?? .null))
            }
            return .object(object)
        default:
            throw mismatch()
        }
    }
}

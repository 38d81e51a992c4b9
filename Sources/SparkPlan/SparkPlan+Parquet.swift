extension SparkPlan {
    /// The packed layout's item column: the item's members as one JSON text.
    public static let itemColumn = "_item"
    /// Where Auto Loader puts a Parquet column whose type is not the stream's. Not `_rescued_data`:
    /// typed objects carry a column of that name themselves (what the writer could not type).
    public static let readerRescuedColumn = "_ddbcdc_reader_rescued"

    /// The item's members as the stream reads them from a packed object's `_item`: keys and
    /// attributes, every column holding a number as STRING (its exact text), as the NDJSON objects
    /// are read; no metadata columns (they are Parquet columns of their own).
    var itemColumns: [StructField] {
        let metadata = Set(SchemaInferrer.metadataColumns(prefix: config.metadataPrefix).map { ExactName($0.name) })
        return sourceColumns.filter { !metadata.contains(ExactName($0.name)) && $0.name != Self.rescuedColumn }
    }

    /// `itemColumns` in Spark's JSON form.
    var itemSchemaJSON: String { SparkSchema(itemColumns.map { StructField($0.name, $0.type) }).json.jsonText }

    /// The Python the notebook and the DLT pipeline add for Parquet objects: the layout told from the
    /// columns read, the packed item expanded with every number as its exact text, the typed
    /// layout's own rescued data turned into misfits. It needs `exactnessPython` before it.
    static let parquetLayoutPython = #"""
        from json.decoder import scanstring as _scanstring

        # ddbcdc's Parquet objects come in two layouts, told apart by their columns. packed (written
        # without --schema): the metadata columns, then _item, the item's members as one JSON text (the
        # row-JSON the NDJSON objects hold). typed (--schema FILE): the metadata columns, a column per
        # attribute, typed (decimals exact in Parquet), then _rescued_data: the attributes that did not fit
        # their declared types, as JSON, their columns null.
        ITEM_SCHEMA = T.StructType.fromJson(_json.loads(ITEM_SCHEMA_JSON))
        _ITEM_TEXTS = "__ddbcdc_item_texts"
        _ITEM_PARSED = "__ddbcdc_item_parsed"
        _ITEM_BAD = "__ddbcdc_item_bad"
        _UNKNOWN = "__ddbcdc_unknown_members"
        _NO_ITEM = "__ddbcdc_no_item"
        _MISFIT_TYPE = "array<struct<column:string,declared_type:string,reason:string,value:string>>"


        def _skip(text, i):
            while i < len(text) and text[i] in " \t\n\r":
                i += 1
            return i


        def json_members(text):
            """A JSON object's top-level members as (name, the value's text, the value parsed, numbers as
            Decimal), in order; None when text is not one JSON object. A value's text is cut from the
            input, never written again: Spark's from_json would give a number read as STRING the digits
            of a DOUBLE (1.2345678901234567890 as 1.2345678901234567)."""
            if text is None:
                return None
            decoder = _json.JSONDecoder(parse_float=_Decimal, parse_int=_Decimal)
            try:
                i = _skip(text, 0)
                if text[i] != "{":
                    return None
                i = _skip(text, i + 1)
                members = []
                if text[i] == "}":
                    return members if _skip(text, i + 1) == len(text) else None
                while True:
                    if text[i] != '"':
                        return None
                    name, i = _scanstring(text, i + 1)
                    i = _skip(text, i)
                    if text[i] != ":":
                        return None
                    start = _skip(text, i + 1)
                    value, end = decoder.raw_decode(text, start)
                    members.append((name, text[start:end], value))
                    i = _skip(text, end)
                    if text[i] == "}":
                        return members if _skip(text, i + 1) == len(text) else None
                    if text[i] != ",":
                        return None
                    i = _skip(text, i + 1)
            except (IndexError, ValueError):
                return None


        def _value_text(raw, value):
            """A value as a STRING column holds it (as Spark's JSON reader gives it): a string's content,
            null for null, any other value's JSON text as written."""
            if value is None or isinstance(value, str):
                return value
            return raw


        def _item_texts(text):
            members = json_members(text)
            return None if members is None else {name: _value_text(raw, value) for name, raw, value in members}


        def is_packed(df):
            """Whether the rows are of the packed layout: they have an _item column the schema does not declare."""
            return ITEM_COLUMN in df.columns and ITEM_COLUMN not in {field.name for field in ITEM_SCHEMA.fields}


        def with_new_members(df, item_schema):
            """item_schema and, as STRING, the members of the batch's items it does not declare: a new
            attribute is read as its exact text, as Auto Loader reads one in the NDJSON objects
            (cloudFiles.inferColumnTypes false); the MERGE adds its column."""
            known = {field.name for field in item_schema.fields} | set(df.columns)
            names = df.select(F.explode(F.json_object_keys(column(ITEM_COLUMN))).alias("name")).distinct().collect()
            schema = T.StructType(list(item_schema.fields))
            for name in sorted(row["name"] for row in names if row["name"] not in known):
                schema = schema.add(name, T.StringType())
            return schema


        def expand_packed(df, item_schema):
            """Packed rows as the NDJSON objects are read: the other columns as they are, then the item's
            members from _item. A member of a STRING column (every column holding a number is one) gets
            its exact text; one of another type (boolean, string arrays) is parsed by from_json, and a
            value that is not of that type leaves _item's text in the rescued column, as the JSON reader
            does. Members the schema does not declare are listed, a row without _item is marked: both
            are misfits (see checked_layout), never dropped."""
            present = set(df.columns)
            fields = [field for field in item_schema.fields if field.name not in present]
            known = [field.name for field in item_schema.fields] + list(df.columns)
            parse_schema = T.StructType(
                [field for field in fields if not isinstance(field.dataType, T.StringType)] + [T.StructField(_ITEM_BAD, T.StringType())])
            df = df.withColumn(_ITEM_TEXTS, F.udf(_item_texts, "map<string,string>")(column(ITEM_COLUMN))).withColumn(
                _ITEM_PARSED, F.from_json(column(ITEM_COLUMN), parse_schema, {"columnNameOfCorruptRecord": _ITEM_BAD}))
            members = [
                (F.try_element_at(column(_ITEM_TEXTS), F.lit(field.name)) if isinstance(field.dataType, T.StringType)
                 else column(_ITEM_PARSED).getField(field.name)).alias(field.name)
                for field in fields
            ]
            rescued = [column(name) for name in (READER_RESCUED_COLUMN, RESCUED_COLUMN) if name in present]
            rescued.append(F.when(column(_ITEM_TEXTS).isNull() & column(ITEM_COLUMN).isNotNull(), column(ITEM_COLUMN)))
            rescued.append(column(_ITEM_PARSED).getField(_ITEM_BAD))
            kept = [column(name) for name in df.columns
                    if name not in (ITEM_COLUMN, READER_RESCUED_COLUMN, RESCUED_COLUMN, _ITEM_TEXTS, _ITEM_PARSED)]
            return df.select(
                *kept, *members, F.coalesce(*rescued).alias(RESCUED_COLUMN),
                F.filter(F.map_keys(column(_ITEM_TEXTS)), lambda name: ~name.isin(known)).alias(_UNKNOWN),
                column(_ITEM_TEXTS).alias(_ITEM_TEXTS), column(ITEM_COLUMN).isNull().alias(_NO_ITEM))


        def written_misfits(text, declared):
            """The rescued data a typed object carries ({"attribute": value, …}, what the writer could not
            type) as one misfit per attribute: the column, its declared type, why (the rescued JSON
            with it), the value's exact text."""
            if text is None:
                return []
            members = json_members(text)
            if members is None:
                return [(RESCUED_COLUMN, "", "rescued when written, not a JSON object", text)]
            misfits = []
            for name, raw, value in members:
                data_type = declared.get(name.lower())
                if data_type is None:
                    why = "not in the schema: an attribute no declared column has"
                else:
                    why = value_misfit(value, data_type, "") or f"does not fit {data_type.simpleString()}"
                misfits.append((name, data_type.simpleString() if data_type else "", f"{why}; rescued when written: {text}",
                                _value_text(raw, value)))
            return misfits


        def checked_layout(df, table_schema, new_members=False):
            """Rows of either layout with MISFITS_COLUMN, as with_misfits gives it for the NDJSON objects,
            and the misfits only Parquet objects hold: a typed row's own rescued attributes, a packed
            item's members the schema does not declare (unless new_members reads them as STRING, as
            the notebook's micro-batch does), a row without _item among packed ones."""
            extra = []
            if is_packed(df):
                item_schema = with_new_members(df, ITEM_SCHEMA) if new_members else ITEM_SCHEMA
                checked = with_misfits(expand_packed(df, item_schema), table_schema, RESCUED_COLUMN)
                extra.append(F.transform(column(_UNKNOWN), lambda name: F.struct(
                    name.alias("column"), F.lit("").alias("declared_type"),
                    F.lit("not in the schema: a member no declared column has (emit the notebook again with a schema that has it)").alias("reason"),
                    F.try_element_at(column(_ITEM_TEXTS), name).alias("value"))))
                extra.append(F.when(column(_NO_ITEM), F.array(F.struct(
                    F.lit(ITEM_COLUMN).alias("column"), F.lit("").alias("declared_type"),
                    F.lit("no _item: a typed row among packed ones (one layout per landing prefix)").alias("reason"),
                    F.lit(None).cast("string").alias("value")))))
            else:
                checked = with_misfits(df, table_schema, READER_RESCUED_COLUMN)
                if RESCUED_COLUMN in df.columns:
                    declared = {field.name.lower(): field.dataType for field in table_schema.fields}
                    extra.append(F.udf(lambda text: written_misfits(text, declared), _MISFIT_TYPE)(column(RESCUED_COLUMN)))
            empty = F.array().cast(_MISFIT_TYPE)
            misfits = F.concat(column(MISFITS_COLUMN), *[F.coalesce(item.cast(_MISFIT_TYPE), empty) for item in extra])
            helpers = [name for name in (_UNKNOWN, _ITEM_TEXTS, _NO_ITEM, READER_RESCUED_COLUMN) if name in checked.columns]
            return checked.withColumn(MISFITS_COLUMN, misfits).drop(*helpers)
        """#

    /// The notebook's and the pipeline's constants for Parquet objects.
    var parquetConstants: String {
        """
        # The packed layout's item column; Auto Loader's own rescued data (a Parquet column whose type is
        # not the stream's), apart from the _rescued_data column typed objects carry.
        ITEM_COLUMN = \(Quote.pythonString(Self.itemColumn))
        READER_RESCUED_COLUMN = \(Quote.pythonString(Self.readerRescuedColumn))
        # The item's members as a packed object's _item is read: numbers as STRING, their exact text.
        ITEM_SCHEMA_JSON = \(Quote.pythonString(itemSchemaJSON))
        """
    }
}

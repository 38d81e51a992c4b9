extension SparkPlan {
    /// The Python both the notebook and the DLT pipeline use to turn columns read as exact text
    /// into the table's types: a value is converted only where it fits exactly (checked with
    /// Python's `decimal`, which never rounds here), and every value that does not is named with
    /// its column and the reason, never rounded, truncated or nulled.
    static let exactnessPython = #"""
        import json as _json
        import re as _re
        from decimal import Decimal as _Decimal
        
        from pyspark.sql import types as T

        MISFITS_COLUMN = "__ddbcdc_misfits"
        # A number as ddbcdc writes it (JSON's grammar; leading zeros allowed for --numbers string rows).
        _NUMBER = _re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


        def column(name):
            """A column by its exact name, whatever characters it holds."""
            return F.col("`" + name.replace("`", "``") + "`")


        def decimal_misfit(value, precision, scale):
            """Why a finite Decimal does not fit DECIMAL(precision, scale) exactly, or None. Trailing
            zeros of the fraction are not places (1.50 fits scale 1); nothing is rounded."""
            _, digits, exponent = value.as_tuple()
            digits = list(digits)
            while exponent < 0 and len(digits) > 1 and digits[-1] == 0:
                digits.pop()
                exponent += 1
            if digits == [0]:
                return None
            places = max(0, -exponent)
            integer_digits = max(0, len(digits) + exponent)
            if places > scale:
                return f"scale: {places} decimal place(s), DECIMAL({precision},{scale}) has {scale}; not rounded"
            if integer_digits > precision - scale:
                return f"precision: {integer_digits} integer digit(s), DECIMAL({precision},{scale}) has room for {precision - scale}"
            return None


        def _kind(value):
            if isinstance(value, bool):
                return "a boolean"
            if isinstance(value, _Decimal):
                return "a number"
            if isinstance(value, str):
                return "a string"
            if isinstance(value, list):
                return "an array"
            if isinstance(value, dict):
                return "an object"
            return "a value"


        def value_misfit(value, data_type, path):
            """Why a parsed JSON value (numbers as Decimal) does not fit data_type exactly, or None."""
            if value is None or isinstance(data_type, T.StringType):
                return None  # a STRING column keeps any value's text
            if isinstance(data_type, T.DecimalType):
                if isinstance(value, bool) or not isinstance(value, _Decimal):
                    return f"{path}type: {_kind(value)} where {data_type.simpleString()} is declared"
                reason = decimal_misfit(value, data_type.precision, data_type.scale)
                return None if reason is None else path + reason
            if isinstance(data_type, T.BooleanType):
                return None if isinstance(value, bool) else f"{path}type: {_kind(value)} where boolean is declared"
            if isinstance(data_type, (T.LongType, T.IntegerType, T.ShortType, T.ByteType)):
                if isinstance(value, _Decimal) and value == value.to_integral_value() and -(2**63) <= value < 2**63:
                    return None
                return f"{path}type: {_kind(value)} where bigint is declared"
            if isinstance(data_type, T.ArrayType):
                if not isinstance(value, list):
                    return f"{path}type: {_kind(value)} where an array is declared"
                for index, item in enumerate(value):
                    reason = value_misfit(item, data_type.elementType, f"{path}[{index}] ")
                    if reason:
                        return reason
                return None
            if isinstance(data_type, T.MapType):
                if not isinstance(value, dict):
                    return f"{path}type: {_kind(value)} where a map is declared"
                for name, item in value.items():
                    reason = value_misfit(item, data_type.valueType, f"{path}.{name} ")
                    if reason:
                        return reason
                return None
            if isinstance(data_type, T.StructType):
                if not isinstance(value, dict):
                    return f"{path}type: {_kind(value)} where a struct is declared"
                fields = {field.name: field for field in data_type.fields}
                for name, item in value.items():
                    if name not in fields:
                        return f"{path}.{name}: a member the declared struct does not have (it would be dropped)"
                    reason = value_misfit(item, fields[name].dataType, f"{path}.{name} ")
                    if reason:
                        return reason
                return None
            return f"{path}type: {data_type.simpleString()} is not checked"


        def text_misfit(text, data_type):
            """Why the exact text of a value (a number's digits; a struct's or array's JSON) does not
            fit the declared type, or None."""
            if text is None:
                return None
            if isinstance(data_type, T.DecimalType):
                if not _NUMBER.fullmatch(text):
                    return f"type: {_json.dumps(text[:40], ensure_ascii=False)} is not a number, {data_type.simpleString()} is declared"
                return value_misfit(_Decimal(text), data_type, "")
            try:
                value = _json.loads(text, parse_float=_Decimal, parse_int=_Decimal)
            except ValueError:
                return f"type: text where {data_type.simpleString()} is declared"
            return value_misfit(value, data_type, "")


        def _misfit_udf(data_type):
            return F.udf(lambda text: text_misfit(text, data_type), "string")


        def exact_columns(batch_schema, table_schema):
            """Columns the batch holds as exact text that the table types otherwise: (name, the table's
            type). A STRING column of the table keeps the text as it is."""
            declared = {field.name.lower(): field.dataType for field in table_schema.fields}
            return [
                (field.name, declared[field.name.lower()])
                for field in batch_schema.fields
                if isinstance(field.dataType, T.StringType)
                and field.name.lower() in declared
                and not isinstance(declared[field.name.lower()], T.StringType)
            ]


        def with_misfits(df, table_schema, rescued_column):
            """The rows with MISFITS_COLUMN: an array of (column, declared_type, reason, value), empty
            where every value fits. A row the reader could not type (its rescued-data column is set) is a
            misfit too: its text is not lost in a column nobody reads."""
            checks = []
            for name, data_type in exact_columns(df.schema, table_schema):
                reason = _misfit_udf(data_type)(column(name))
                checks.append(F.when(reason.isNotNull(), F.struct(
                    F.lit(name).alias("column"), F.lit(data_type.simpleString()).alias("declared_type"),
                    reason.alias("reason"), column(name).alias("value"))))
            if rescued_column in df.columns:
                checks.append(F.when(column(rescued_column).isNotNull(), F.struct(
                    F.lit(rescued_column).alias("column"), F.lit("").alias("declared_type"),
                    F.lit("rescued: a value the reader could not read as its column's type").alias("reason"),
                    column(rescued_column).alias("value"))))
            if not checks:
                empty = F.array().cast("array<struct<column:string,declared_type:string,reason:string,value:string>>")
                return df.withColumn(MISFITS_COLUMN, empty)
            return df.withColumn(MISFITS_COLUMN, F.filter(F.array(*checks), lambda item: item.isNotNull()))


        def typed(df, table_schema, keep_misfits=False):
            """The rows, each text column converted to the table's type: exactly, for the rows whose
            MISFITS_COLUMN is empty (the only ones that may be written)."""
            converted = {name: data_type for name, data_type in exact_columns(df.schema, table_schema)}
            out = []
            for name in df.columns:
                if name == MISFITS_COLUMN:
                    if keep_misfits:
                        out.append(column(name))
                    continue
                if name in converted:
                    data_type = converted[name]
                    value = column(name).cast(data_type) if isinstance(data_type, T.DecimalType) else F.from_json(column(name), data_type)
                    # Only a row that fits is converted (under ANSI mode a misfit's cast would raise).
                    fits = F.size(MISFITS_COLUMN) == 0 if MISFITS_COLUMN in df.columns else F.lit(True)
                    out.append(F.when(fits, value).alias(name))
                else:
                    out.append(column(name))
            return df.select(*out)


        def quarantine_rows(df, batch_id, key_columns, order_column):
            """One row per misfit: the batch, the column, its declared type, the reason, the value's text,
            the item's keys, the change's order key and the whole row as read (JSON)."""
            originals = [name for name in df.columns if name != MISFITS_COLUMN]
            return df.select(
                F.lit(batch_id).cast("bigint").alias("batch_id"),
                F.current_timestamp().alias("quarantined_at"),
                F.explode(MISFITS_COLUMN).alias("misfit"),
                F.to_json(F.struct(*[column(name) for name in key_columns if name in originals])).alias("keys"),
                (column(order_column) if order_column in originals else F.lit(None).cast("string")).alias("order_key"),
                F.to_json(F.struct(*[column(name) for name in originals])).alias("row_json"),
            ).select(
                "batch_id", "quarantined_at", F.col("misfit.column").alias("column"),
                F.col("misfit.declared_type").alias("declared_type"), F.col("misfit.reason").alias("reason"),
                F.col("misfit.value").alias("value"), "keys", "order_key", "row_json",
            )
        """#
}

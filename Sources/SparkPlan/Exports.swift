// The schema model (SparkType, SparkSchema, JSONValue, SparkPlanError, Quote) lives in SparkTypes so
// that the Parquet encoder can read a schema file without linking the notebook generator; a user of
// SparkPlan gets it with SparkPlan.
@_exported public import SparkTypes

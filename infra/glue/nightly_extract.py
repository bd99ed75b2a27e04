"""Threadline nightly extract (Glue ETL, 02:00 KST): the AWS form of `threadline pipeline run`.

Copies only the tables and columns the analyses need out of PostgreSQL, drops what is useless
(cancelled test orders, rows without a customer), joins them into the order-items analysis set,
checks it with the Data Quality ruleset *before* publishing, and writes Parquet partitioned by
dt=YYYY-MM-DD into the curated bucket. A failed check fails the job, so the workflow's crawler
never catalogues a bad day.
"""
import sys
from datetime import datetime, timedelta, timezone

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from awsgluedq.transforms import EvaluateDataQuality
from pyspark.context import SparkContext
from pyspark.sql import functions as F

args = getResolvedOptions(sys.argv, ["JOB_NAME", "connection_name", "curated_path", "dq_ruleset", "database"])
glue = GlueContext(SparkContext.getOrCreate())
spark = glue.spark_session
job = Job(glue)
job.init(args["JOB_NAME"], args)

# Yesterday in the shop's reporting zone (the job starts at 02:00 KST = 17:00 UTC).
day = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()


def read(table, columns, where=None):
    query = f"SELECT {', '.join(columns)} FROM {table}" + (f" WHERE {where}" if where else "")
    frame = glue.create_dynamic_frame.from_options(
        connection_type="postgresql",
        connection_options={"useConnectionProperties": "true", "connectionName": args["connection_name"], "dbtable": f"({query}) AS t"},
    )
    return frame.toDF()


orders = read("orders", ["id AS order_id", "user_id AS customer_id", "status", "total_cents", "currency", "placed_at"],
              f"placed_at >= DATE '{day}' AND placed_at < DATE '{day}' + 1 AND status <> 'cancelled'")
items = read("order_items", ["order_id", "product_id", "quantity", "unit_price_cents", "size", "colour"])
products = read("products", ["id AS product_id", "category_id"])
# Customer characteristics only, never names or e-mail addresses (personal data stays in the DB).
customers = read("users", ["id AS customer_id", "age_band", "gender", "country", "region", "customer_segment"])

analysis = (
    orders.where(F.col("customer_id").isNotNull())
    .join(items, "order_id")
    .join(products, "product_id", "left")
    .join(customers, "customer_id", "left")
    .withColumn("dt", F.lit(day))
)

checked = EvaluateDataQuality.apply(
    frame=DynamicFrame.fromDF(analysis, glue, "analysis"),
    ruleset=args["dq_ruleset"],
    publishing_options={"dataQualityEvaluationContext": "order_items_daily", "enableDataQualityResultsPublishing": True},
)
failed = [row for row in checked.toDF().collect() if row["Outcome"] != "Passed"]
if failed:
    raise RuntimeError("data quality failed, nothing published: " + "; ".join(f"{r['Rule']}: {r['FailureReason']}" for r in failed))

(analysis.repartition(1).write.mode("overwrite").partitionBy("dt")
 .option("partitionOverwriteMode", "dynamic").parquet(args["curated_path"] + "order_items_daily/"))
job.commit()

"""Airflow DAG: the dept-spark pipeline, one SparkSubmitOperator task per stage.

Each task submits the shaded jobs jar with the same sub-command the CLI takes
(`dept <stage> --config ... --set run.output=...`), so a stage can be re-run alone
from the Airflow UI. The run id is templated into the output path, the config path
is a DAG parameter, and GPU stages (train) go to the `gpu` pool. A retried train
task passes --resume, so it continues from its newest complete checkpoint.

Deploy: copy this file to the DAGs folder, put the jar and the config where every
Spark client can read them, and set the Airflow Variables `dept_jar` (path or
URL of dept-jobs-<version>-cluster.jar) and `dept_output_root` (e.g. s3a://bucket/dept).
Credentials come from the Spark connection's environment / instance profile, never
from here.
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# Spark on Java 17 needs these opens on the driver and executors (see README).
JAVA17_OPENS = " ".join(
    "--add-opens=java.base/%s=ALL-UNNAMED" % p
    for p in [
        "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio",
        "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref",
        "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar",
    ]
) + " -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true -Dai.djl.offline=true"

SPARK_CONF = {
    "spark.driver.extraJavaOptions": JAVA17_OPENS,
    "spark.executor.extraJavaOptions": JAVA17_OPENS,
}

# The stages in dependency order; each reads what the previous ones wrote under run.output.
STAGES = ["ingest", "vocab", "tokenize", "ngrams", "train", "scone-precompute", "scone-scaling", "extend", "early-exit", "evaluate", "report"]
# Stages whose Spark tasks run DJL models (a GPU pool on the cluster).
GPU_STAGES = {"train", "scone-precompute", "scone-scaling", "extend", "early-exit"}
# A retried train task continues from its newest complete checkpoint instead of starting over.
EXTRA_ARGS = {"train": ["--resume"]}

default_args = {
    "owner": "ml-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}

with DAG(
    dag_id="dept_pipeline",
    description="dept-spark: ingest, tokenizers, blocks, n-grams and DEPT pre-training",
    start_date=datetime(2026, 11, 1),
    schedule=None,
    catchup=False,
    default_args=default_args,
    params={"config": "conf/cluster-gpu.yaml"},
    tags=["dept", "spark"],
) as dag:
    previous = None
    for stage in STAGES:
        task = SparkSubmitOperator(
            task_id=stage,
            conn_id="spark_default",
            application="{{ var.value.dept_jar }}",
            java_class="dept.jobs.cli.DeptCli",
            name="dept-" + stage + "-{{ run_id }}",
            conf=SPARK_CONF,
            application_args=[
                stage,
                "--config",
                "{{ params.config }}",
                "--set",
                "run.output={{ var.value.dept_output_root }}/{{ run_id }}",
            ]
            + EXTRA_ARGS.get(stage, []),
            pool="gpu" if stage in GPU_STAGES else "default_pool",
        )
        if previous is not None:
            previous >> task
        previous = task

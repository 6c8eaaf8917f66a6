package dept.jobs.study;

import static org.apache.spark.sql.functions.avg;

import dept.jobs.run.StageContext;
import dept.prep.io.AtomicOutput;
import org.apache.spark.sql.Row;

/**
 * A {@code +SCONE} arm's scores through its precomputed lookup tables (the arm's
 * {@code evaluation/scone_lookup}), reduced to the arms table's columns: means over sources.
 *
 * @param bitsPerByte mean over sources through the tables (NaN for an arm without SCONE)
 * @param fgramsPerTable f-grams per table
 * @param tableBytesPerSource bytes of the table one source's inference holds in host memory
 */
record LookupScores(double bitsPerByte, long fgramsPerTable, long tableBytesPerSource) {

  static final LookupScores NONE = new LookupScores(Double.NaN, 0, 0);

  static LookupScores of(StageContext run, StudyArm arm) {
    if (!arm.variant().scone()) {
      return NONE;
    }
    String path = run.layout().sconeLookup();
    run.requireComplete(path, "study --resume");
    Row r = run.spark().read().parquet(path).agg(avg("bits_per_byte_lookup"), avg("table_fgrams"), avg("table_bytes")).first();
    return new LookupScores(r.getDouble(0), Math.round(r.getDouble(1)), Math.round(r.getDouble(2)));
  }
}

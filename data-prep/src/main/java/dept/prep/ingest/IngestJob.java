package dept.prep.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import dept.prep.io.AtomicOutput;
import dept.prep.io.HadoopConfig;
import dept.prep.io.StreamingRows;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.BZip2Codec;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * The ingest stage: input files -> {@code documents} + {@code rejects}. Reads every planned file
 * once in its own task, routes records to sources, normalises, rejects empty / short / duplicate
 * documents, splits long ones, and assigns the train/val split by content hash. The session is
 * passed in; reading config and choosing where outputs go belong to the caller.
 */
public final class IngestJob {

  /**
   * Records as read and cleaned ({@link RecordCleaner}): a {@link RawRecord}'s columns with the
   * cleaned text, plus its location and content hash (null when rejected).
   */
  static final StructType CLEAN_SCHEMA =
      new StructType()
          .add("source", DataTypes.StringType, true)
          .add("file", DataTypes.StringType, false)
          .add("line", DataTypes.LongType, false)
          .add("text", DataTypes.StringType, true)
          .add("reason", DataTypes.StringType, true)
          .add("raw", DataTypes.StringType, true)
          .add("location", DataTypes.StringType, false)
          .add("hash", DataTypes.StringType, true)
          .add("measures", DataTypes.createArrayType(DataTypes.LongType, false), true);

  public static final StructType DOCUMENTS_SCHEMA =
      new StructType()
          .add("source", DataTypes.StringType, false)
          .add("doc_id", DataTypes.StringType, false)
          .add("text", DataTypes.StringType, false)
          .add("split", DataTypes.StringType, false)
          .add("bytes", DataTypes.LongType, false);

  public static final StructType REJECTS_SCHEMA =
      new StructType()
          .add("source", DataTypes.StringType, false)
          .add("location", DataTypes.StringType, false)
          .add("reason", DataTypes.StringType, false)
          .add("raw", DataTypes.StringType, true);

  public static final StructType STATS_SCHEMA =
      new StructType()
          .add("source", DataTypes.StringType, false)
          .add("read", DataTypes.LongType, false)
          .add("written", DataTypes.LongType, false)
          .add("rejected", DataTypes.LongType, false)
          .add("documents", DataTypes.LongType, false)
          .add("train_documents", DataTypes.LongType, false)
          .add("val_documents", DataTypes.LongType, false)
          .add("bytes", DataTypes.LongType, false)
          .add("chars", DataTypes.LongType, false)
          .add("dominant_script", DataTypes.StringType, false)
          .add(
              "script_mix",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), false)
          .add(
              "rejected_by_reason",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), false)
          .add("tags", DataTypes.createArrayType(DataTypes.StringType), false);

  private final SparkSession spark;
  private final IngestConfig config;
  private final HadoopConfig hadoop;
  /** What reading kept until the records are cached (the lines of bzip2 ranges). */
  private final List<JavaRDD<?>> readCaches = new ArrayList<>();

  public IngestJob(SparkSession spark, IngestConfig config, Configuration hadoop) {
    this.spark = spark;
    this.config = config;
    this.hadoop = new HadoopConfig(hadoop);
  }

  /**
   * Documents, rejects and the records behind both. Records are cleaned and hashed where they are
   * read and cached; the repeated hashes are found from the cached keys here (one Spark job, which
   * reads the input), and de-duplication then moves only keys, not the text ({@link
   * #markDuplicates}). The rest is computed by the caller's actions.
   */
  public IngestResult run(List<FileTask> tasks) {
    Dataset<Row> cleaned = readRecords(tasks).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> repeated = repeatedHashes(cleaned);
    // The records are cached now; what reading kept for them is no longer needed (a lost block of
    // the records recomputes from the inputs, which give the same lines).
    readCaches.forEach(r -> r.unpersist(false));
    readCaches.clear();
    Dataset<Row> records = markDuplicates(cleaned, repeated);
    Dataset<Row> routed = records.where(col("source").isNotNull());
    Dataset<Row> rejects =
        routed.where(col("reason").isNotNull()).select("source", "location", "reason", "raw");
    Dataset<Row> documents = split(routed.where(col("reason").isNull()));
    return new IngestResult(records, documents, rejects, List.of(cleaned, repeated));
  }

  // ---- reading ---------------------------------------------------------------------------

  private Dataset<Row> readRecords(List<FileTask> tasks) {
    List<FileTask> byLine =
        tasks.stream().filter(t -> t.format() == InputFormat.JSONL || t.format() == InputFormat.TEXT_LINES).toList();
    List<FileTask> wholeFiles = tasks.stream().filter(t -> t.format() == InputFormat.TEXT_FILES).toList();
    int cores = spark.sparkContext().defaultParallelism();
    Dataset<Row> records = spark.createDataFrame(List.of(), CLEAN_SCHEMA);
    if (!byLine.isEmpty()) {
      LineSpreading spreading = config.spreadLines().resolve(byLine.size(), cores);
      List<FileTask> inRanges = spreading == LineSpreading.AUTO
          ? byLine.stream().filter(t -> codec(t.path(), hadoop) instanceof BZip2Codec).toList() : List.of();
      List<FileTask> rest = byLine.stream().filter(t -> !inRanges.contains(t)).toList();
      if (!inRanges.isEmpty()) {
        records = records.union(spark.createDataFrame(readInRanges(inRanges, cores / byLine.size()), CLEAN_SCHEMA));
      }
      if (!rest.isEmpty()) {
        JavaRDD<Row> rows = switch (spreading) {
          case AUTO, REREAD -> readInShares(rest, cores);
          case SHUFFLE -> spreadLines(rest, cores);
          case NEVER -> readInTasks(rest);
        };
        records = records.union(spark.createDataFrame(rows, CLEAN_SCHEMA));
      }
    }
    if (!wholeFiles.isEmpty()) {
      records = records.union(spark.createDataFrame(readInTasks(wholeFiles), CLEAN_SCHEMA));
    }
    for (FileTask t : tasks) {
      if (t.format() == InputFormat.PARQUET) {
        records = records.union(readParquet(t));
      }
    }
    return records;
  }

  /** One task per input reads, decodes and parses it: enough inputs keep every core busy. */
  private JavaRDD<Row> readInTasks(List<FileTask> inputs) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopConfig conf = hadoop;
    long maxRecordBytes = config.maxRecordBytes();
    RecordCleaner cleaner = cleaner();
    return jsc.parallelize(inputs, inputs.size())
        .flatMap(task -> {
          InputStream in = open(task, conf);
          return closingAtEnd(new RecordExtractor(maxRecordBytes).records(task, in), in, cleaner::clean);
        });
  }

  /**
   * Fewer line-format inputs than cores (see {@link LineSpreading#REREAD}): each input is read whole
   * by several tasks, each keeping the lines of its share (line number modulo the readers), so
   * every core decodes, parses and cleans and no line crosses the network; the price is reading and
   * decompressing an input once per reader. Output does not depend on it: de-duplication orders by
   * (file, line), whichever task a line was parsed in.
   */
  private JavaRDD<Row> readInShares(List<FileTask> inputs, int cores) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopConfig conf = hadoop;
    long maxRecordBytes = config.maxRecordBytes();
    RecordCleaner cleaner = cleaner();
    int ways = LineSpreading.readersPerInput(inputs.size(), cores);
    List<int[]> shares = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      for (int s = 0; s < ways; s++) {
        shares.add(new int[] {i, s});
      }
    }
    return jsc.parallelize(shares, shares.size())
        .flatMap(share -> {
          FileTask task = inputs.get(share[0]);
          InputStream in = open(task, conf);
          RecordExtractor extractor = new RecordExtractor(maxRecordBytes);
          Iterator<RawRecord> records = StreamingRows.<LineFrame, RawRecord>each(
              extractor.frames(in, share[1], ways), (frame, out) -> extractor.fromFrame(task, frame, out));
          return closingAtEnd(records, in, cleaner::clean);
        });
  }

  /**
   * bzip2 inputs when there are fewer line-format inputs than cores: each is read in up to {@code
   * perInput} byte ranges, one task each ({@link RangeReading}), so that decompression too runs on
   * every core. The ranges' lines are kept (memory, then disk) while one job tallies each range's
   * lines; the driver turns the tallies (two numbers per range) into each range's first line
   * number, and the records are parsed from the kept lines with their file-wide line numbers.
   */
  private JavaRDD<Row> readInRanges(List<FileTask> inputs, int perInput) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopConfig conf = hadoop;
    long maxRecordBytes = config.maxRecordBytes();
    RecordCleaner cleaner = cleaner();
    List<RangeReading.Range> ranges = RangeReading.plan(inputs, perInput, RangeReading.MIN_RANGE_BYTES, conf.get());
    JavaRDD<RangeReading.RangeLine> lines =
        jsc.parallelize(ranges, ranges.size())
            .flatMap(r -> RangeReading.lines(r, inputs.get(r.input()), conf, maxRecordBytes))
            .persist(StorageLevel.MEMORY_AND_DISK());
    List<RangeReading.RangeLine> tallies = lines.filter(RangeReading.RangeLine::tally).collect();
    long[] firstLines = RangeReading.firstLines(ranges, tallies);
    boolean[] empty = RangeReading.emptyInputs(ranges, tallies, inputs.size());
    boolean[] repeatedFailure = RangeReading.repeatedFailures(ranges, tallies);
    readCaches.add(lines);
    List<RawRecord> emptyFiles = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      if (empty[i]) {
        emptyFiles.add(RawRecord.rejected(inputs.get(i).owner(), inputs.get(i).path(), -1, RejectReason.EMPTY_FILE, ""));
      }
    }
    JavaRDD<Row> parsed = lines.filter(l -> RangeReading.kept(l, repeatedFailure))
        .mapPartitions(it -> {
          RecordExtractor extractor = new RecordExtractor(maxRecordBytes);
          return StreamingRows.<RangeReading.RangeLine, Row>each(it, (l, out) -> {
            FileTask task = inputs.get(ranges.get(l.range()).input());
            extractor.fromFrame(task, l.frame(firstLines[l.range()]), r -> out.accept(cleaner.clean(r)));
          });
        });
    return parsed.union(jsc.parallelize(emptyFiles, 1).map(cleaner::clean));
  }

  /** A line as it travels between the task that reads a file and the one that parses it. */
  private static final StructType FRAME_SCHEMA =
      new StructType()
          .add("input", DataTypes.IntegerType, false)
          .add("line", DataTypes.LongType, false)
          .add("bytes", DataTypes.BinaryType, true)
          .add("full_length", DataTypes.LongType, false)
          .add("failure", DataTypes.StringType, true)
          .add("message", DataTypes.StringType, true);

  /**
   * Fewer line-format inputs than cores (e.g. one large gzip file, which only one task can read;
   * see {@link LineSpreading}): the reading tasks only cut lines, and the lines are hash-spread by line number over every core,
   * where they are checked, decoded and parsed. Output does not depend on it: de-duplication
   * orders by (file, line), whichever task a line was parsed in.
   */
  private JavaRDD<Row> spreadLines(List<FileTask> inputs, int cores) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopConfig conf = hadoop;
    long maxRecordBytes = config.maxRecordBytes();
    RecordCleaner cleaner = cleaner();
    JavaRDD<Row> frames =
        jsc.parallelize(java.util.stream.IntStream.range(0, inputs.size()).boxed().toList(), inputs.size())
            .flatMap(i -> {
              InputStream in = open(inputs.get(i), conf);
              return closingAtEnd(new RecordExtractor(maxRecordBytes).frames(in), in, f -> frameRow(i, f));
            });
    return spark.createDataFrame(frames, FRAME_SCHEMA)
        .repartition(cores, col("line"))
        .toJavaRDD()
        .mapPartitions(rows -> {
          RecordExtractor extractor = new RecordExtractor(maxRecordBytes);
          return StreamingRows.<Row, Row>each(rows, (row, out) -> extractor.fromFrame(inputs.get(row.getInt(0)), lineFrame(row), r -> out.accept(cleaner.clean(r))));
        });
  }

  private static Row frameRow(int input, LineFrame f) {
    return RowFactory.create(
        input, f.line(), f.bytes(), f.fullLength(), f.failure() == null ? null : f.failure().name(), f.message());
  }

  private static LineFrame lineFrame(Row row) {
    return row.isNullAt(4)
        ? LineFrame.of(row.getLong(1), (byte[]) row.get(2), row.getLong(3))
        : LineFrame.failed(row.getLong(1), RejectReason.valueOf(row.getString(4)), row.getString(5));
  }

  private RecordCleaner cleaner() {
    return new RecordCleaner(config.sources(), config.minChars(), config.maxChars());
  }

  private static InputStream open(FileTask task, HadoopConfig conf) throws java.io.IOException {
    Path path = new Path(task.path());
    FileSystem fs = path.getFileSystem(conf.get());
    InputStream in = fs.open(path);
    CompressionCodec codec = codec(task.path(), conf);
    if (codec == null) {
      return in;
    }
    try {
      return codec.createInputStream(in);
    } catch (java.io.IOException e) {
      // A corrupt header (not gzip after all, a bzip2 block cut short): the file is unreadable from
      // its first line, which the readers report as unreadable_file, as for a stream that breaks later.
      in.close();
      return new InputStream() {
        @Override
        public int read() throws java.io.IOException {
          throw e;
        }
      };
    }
  }

  /** The codec Hadoop picks for {@code path} by its suffix; null for an uncompressed file. */
  private static CompressionCodec codec(String path, HadoopConfig conf) {
    return new CompressionCodecFactory(conf.get()).getCodec(new Path(path));
  }

  /** {@code items} mapped to rows, closing {@code stream} once they are all read. */
  private static <T> Iterator<Row> closingAtEnd(
      Iterator<T> items, InputStream stream, java.util.function.Function<T, Row> toRow) {
    return new Iterator<>() {
      private boolean closed;

      @Override
      public boolean hasNext() {
        boolean more = items.hasNext();
        if (!more && !closed) {
          closed = true;
          try {
            stream.close();
          } catch (java.io.IOException ignored) {
            // everything was read; a failing close loses nothing
          }
        }
        return more;
      }

      @Override
      public Row next() {
        return toRow.apply(items.next());
      }
    };
  }

  /** One Parquet file of a source: the text column, validated like the line formats. */
  private Dataset<Row> readParquet(FileTask task) {
    Dataset<Row> df = spark.read().parquet(task.path());
    checkColumn(df.schema(), task.textField(), task, true);
    task.sources().forEach(s -> s.filter().keySet().forEach(f -> checkColumn(df.schema(), f, task, false)));
    Dataset<Row> all = spark.createDataFrame(List.of(), CLEAN_SCHEMA);
    RecordCleaner cleaner = cleaner();
    Column anySource = lit(false);
    for (SourceSpec s : task.sources()) {
      Column accepted = lit(true);
      for (Map.Entry<String, List<String>> f : s.filter().entrySet()) {
        accepted = accepted.and(col(f.getKey()).cast("string").isin(f.getValue().toArray()));
      }
      if (s.shard() != null) { // the same shards as SourceSpec.Shard#holds: xxHash64 of the text's UTF-8 bytes, seed 42
        accepted = accepted.and(org.apache.spark.sql.functions.pmod(org.apache.spark.sql.functions.xxhash64(col(task.textField()).cast("string")),
            lit(s.shard().of())).equalTo(s.shard().index()));
      }
      anySource = anySource.or(accepted);
      String name = s.name();
      all =
          all.union(
              df.where(accepted)
                  .select(
                      col(task.textField()).cast("binary").as("payload"),
                      input_file_name().as("file"),
                      monotonically_increasing_id().as("id"))
                  .map(
                      (org.apache.spark.api.java.function.MapFunction<Row, Row>)
                          r -> cleaner.clean(parquetRecord(name, r.getString(1), r.getLong(2) + 1, (byte[]) r.get(0))),
                      Encoders.row(CLEAN_SCHEMA)));
    }
    Dataset<Row> unrouted =
        df.where(anySource.isNull().or(anySource.equalTo(false)))
            .select(
                lit(null).cast("string").as("source"), input_file_name().as("file"),
                monotonically_increasing_id().as("line"), lit(null).cast("string").as("text"),
                lit(null).cast("string").as("reason"), lit(null).cast("string").as("raw"))
            .withColumn("location", concat(col("file"), lit(":"), col("line").cast("string")))
            .withColumn("hash", lit(null).cast("string"))
            .withColumn("measures", lit(null).cast("array<bigint>"));
    return all.union(unrouted);
  }

  /** A Parquet record; {@code id} is Spark's record id (unique, not a row number). */
  private static RawRecord parquetRecord(String source, String file, long id, byte[] payload) {
    if (payload == null) {
      return RawRecord.rejected(source, file, id, RejectReason.MISSING_FIELD, "null text");
    }
    if (Utf8.hasNul(payload, payload.length)) {
      return RawRecord.rejected(
          source, file, id, RejectReason.BINARY, Utf8.preview(payload, payload.length, 1000));
    }
    String text = Utf8.decodeStrict(payload, payload.length);
    return text == null
        ? RawRecord.rejected(
            source, file, id, RejectReason.INVALID_UTF8, Utf8.preview(payload, payload.length, 1000))
        : RawRecord.ok(source, file, id, text);
  }

  private static void checkColumn(StructType schema, String name, FileTask task, boolean text) {
    StructField field =
        java.util.Arrays.stream(schema.fields())
            .filter(f -> f.name().equals(name))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        task.path() + ": no column '" + name + "' (columns: "
                            + String.join(", ", schema.fieldNames()) + ")"));
    if (text && !(field.dataType() instanceof StringType)) {
      throw new IllegalArgumentException(
          task.path() + ": column '" + name + "' is " + field.dataType().simpleString()
              + ", text_field must be a string column");
    }
  }

  // ---- de-duplication and splitting ---------------------------------------------------

  /**
   * Exact duplicates within a source: the first by (file, line) of each (source, hash) stays, the
   * rest are rejected naming it. Only keys travel: the (source, hash, file, line, location) of
   * every hashed record are grouped to find each repeated hash's first occurrence (an exchange of
   * ~100 bytes per record), those groups are cached and counted, and the records are joined with
   * them. Once cached, their size is known to Spark's planner, which broadcasts them while they fit
   * {@code spark.sql.autoBroadcastJoinThreshold} (duplicates are a few percent of a corpus) and
   * shuffles by key beyond it; planned before their size is known, the join would shuffle the
   * text. The join keeps the rows in Spark's binary form (a typed map would decode and re-encode
   * every text).
   */
  private static Dataset<Row> markDuplicates(Dataset<Row> cleaned, Dataset<Row> repeated) {
    Column duplicate = col("first_location").isNotNull()
        .and(col("file").notEqual(col("first_file")).or(col("line").notEqual(col("first_line"))));
    return cleaned
        .join(repeated, col("source").equalTo(col("dup_source")).and(col("hash").equalTo(col("dup_hash"))), "left_outer")
        .select(
            col("source"), col("file"), col("line"),
            when(duplicate, lit(null).cast("string")).otherwise(col("text")).as("text"),
            when(duplicate, lit(RejectReason.DUPLICATE.code())).otherwise(col("reason")).as("reason"),
            when(duplicate, concat(lit("duplicate of "), col("first_location"), lit(": "), substring(col("text"), 1, 200)))
                .otherwise(col("raw")).as("raw"),
            col("location"), col("hash"), col("measures"));
  }

  /** Each (source, hash) held by more than one record, with its first (file, line, location); cached and counted. */
  private static Dataset<Row> repeatedHashes(Dataset<Row> cleaned) {
    Dataset<Row> repeated = cleaned.where(col("hash").isNotNull())
        .groupBy("source", "hash")
        .agg(count(lit(1)).as("copies"), min(struct(col("file"), col("line"), col("location"))).as("first"))
        .where(col("copies").gt(1))
        .select(col("source").as("dup_source"), col("hash").as("dup_hash"),
            col("first.file").as("first_file"), col("first.line").as("first_line"), col("first.location").as("first_location"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    repeated.count();
    return repeated;
  }

  private Dataset<Row> split(Dataset<Row> accepted) {
    int maxChars = config.maxChars();
    double valFraction = config.valFraction();
    return accepted
        .select("source", "text", "hash")
        .flatMap(
            (org.apache.spark.api.java.function.FlatMapFunction<Row, Row>)
                r -> pieces(r.getString(0), r.getString(1), r.getString(2), maxChars, valFraction),
            Encoders.row(DOCUMENTS_SCHEMA));
  }

  private static Iterator<Row> pieces(
      String source, String text, String hash, int maxChars, double valFraction) {
    String split = ContentHash.isValidation(hash, valFraction) ? "val" : "train";
    List<String> parts = new DocumentSplitter(maxChars).split(text);
    List<Row> rows = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      String part = parts.get(i);
      rows.add(
          RowFactory.create(
              source, hash + "-" + i, part, split, Utf8.encodedLength(part)));
    }
    return rows.iterator();
  }

  // ---- outputs and accounting ------------------------------------------------------------

  /**
   * Writes a run's documents (by source), rejects and {@code source_stats}, each atomically, and
   * returns the accounting the statistics came from.
   */
  public IngestSummary write(IngestResult result, String documents, String rejects, String stats) {
    AtomicOutput.writeParquet(result.documents(), documents, hadoop.get(), "source");
    AtomicOutput.writeParquet(result.rejects().coalesce(1), rejects, hadoop.get());
    IngestSummary summary = summarize(result);
    AtomicOutput.writeParquet(statsTable(summary).coalesce(1), stats, hadoop.get());
    return summary;
  }

  /**
   * Per-source accounting and statistics of a run's result: one Spark job over the persisted
   * records, each task tallying its partition, the tallies merged per source (a few numbers per
   * source and reject reason reach the driver).
   */
  public IngestSummary summarize(IngestResult result) {
    double valFraction = config.valFraction();
    Map<String, SourceTally> tallies =
        // No text: the cache decodes these columns only.
        result.records().select("source", "reason", "hash", "measures").toJavaRDD()
            .mapPartitionsToPair(rows -> SourceTally.ofPartition(rows, valFraction))
            .reduceByKey(SourceTally::merge)
            .collectAsMap();
    SourceTally unrouted = tallies.get(SourceTally.UNROUTED);
    List<SourceStats> stats = new ArrayList<>();
    for (Map.Entry<String, SourceTally> e : new TreeMap<>(tallies).entrySet()) {
      String source = e.getKey();
      if (source.equals(SourceTally.UNROUTED)) {
        continue;
      }
      List<String> tags = source.equals(RawRecord.UNATTRIBUTED) ? List.of() : config.source(source).tags();
      stats.add(e.getValue().stats(source, tags));
    }
    return new IngestSummary(stats, unrouted == null ? 0 : unrouted.read());
  }

  /** The statistics as the {@code source_stats} table. */
  public Dataset<Row> statsTable(IngestSummary summary) {
    List<Row> rows = new ArrayList<>();
    for (SourceStats s : summary.sources()) {
      rows.add(
          RowFactory.create(
              s.source(), s.read(), s.written(), s.rejectedTotal(), s.documents(),
              s.trainDocuments(), s.valDocuments(), s.bytes(), s.chars(), s.dominantScript(),
              scala.jdk.javaapi.CollectionConverters.asScala(s.scriptMix()),
              scala.jdk.javaapi.CollectionConverters.asScala(s.rejected()),
              s.tags().toArray(new String[0])));
    }
    return spark.createDataFrame(rows, STATS_SCHEMA);
  }
}

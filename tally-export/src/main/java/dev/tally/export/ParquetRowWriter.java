package dev.tally.export;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Apache Parquet through parquet-java's Hadoop-free API: an {@link OutputFile} over the target stream, a
 * {@link PlainParquetConfiguration}, Snappy-compressed pages, row groups of at most 64 MiB (the writer's buffer, so
 * memory stays bounded whatever the row count). Types as {@link ColumnType} says; file metadata carries
 * {@code tally.dataset} and {@code tally.columns_version}.
 */
final class ParquetRowWriter implements RowWriter {
    static final int DECIMAL_BYTES = 16;
    private final ParquetWriter<Group> writer;
    private final SimpleGroupFactory groups;
    private final List<Column> columns;

    ParquetRowWriter(OutputStream stream, Dataset dataset) throws IOException {
        this.columns = dataset.columns();
        MessageType schema = schema(dataset);
        this.groups = new SimpleGroupFactory(schema);
        this.writer = ExampleParquetWriter.builder(new StreamOutputFile(stream))
                .withConf(new PlainParquetConfiguration())
                .withType(schema)
                .withCodecFactory(new SnappyCodecs())
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withRowGroupSize(64L * 1024 * 1024)
                .withExtraMetaData(Map.of("tally.dataset", dataset.wireName(), "tally.columns_version", "1"))
                .build();
    }

    static MessageType schema(Dataset dataset) {
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (Column c : dataset.columns()) {
            Type.Repetition rep = c.nullable() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
            Type t = switch (c.type()) {
                case STRING -> Types.primitive(PrimitiveTypeName.BINARY, rep)
                        .as(LogicalTypeAnnotation.stringType()).named(c.name());
                case JSON -> Types.primitive(PrimitiveTypeName.BINARY, rep)
                        .as(LogicalTypeAnnotation.jsonType()).named(c.name());
                case TIMESTAMP -> Types.primitive(PrimitiveTypeName.INT64, rep)
                        .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
                        .named(c.name());
                case DECIMAL -> Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, rep).length(DECIMAL_BYTES)
                        .as(LogicalTypeAnnotation.decimalType(ColumnType.DECIMAL_SCALE, ColumnType.DECIMAL_PRECISION))
                        .named(c.name());
                case INT64 -> Types.primitive(PrimitiveTypeName.INT64, rep).named(c.name());
                case BOOLEAN -> Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(c.name());
            };
            b.addField(t);
        }
        return b.named("tally_" + dataset.wireName());
    }

    @Override
    public void write(Object[] row) throws IOException {
        Group g = groups.newGroup();
        for (int i = 0; i < columns.size(); i++) {
            Object v = row[i];
            if (v == null) {
                continue;
            }
            String name = columns.get(i).name();
            switch (columns.get(i).type()) {
                case STRING, JSON -> g.add(name, Binary.fromString((String) v));
                case TIMESTAMP -> g.add(name, micros((Instant) v));
                case DECIMAL -> g.add(name, Binary.fromConstantByteArray(decimal((BigDecimal) v)));
                case INT64 -> g.add(name, (Long) v);
                case BOOLEAN -> g.add(name, (Boolean) v);
            }
        }
        writer.write(g);
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    /**
     * The 16-byte big-endian two's complement of the value at scale 12; a value with more fractional digits, or more
     * than 26 integer digits, is refused rather than rounded (an export never changes a number).
     */
    static byte[] decimal(BigDecimal v) {
        BigDecimal scaled;
        try {
            scaled = v.setScale(ColumnType.DECIMAL_SCALE, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a value has more than " + ColumnType.DECIMAL_SCALE
                    + " fractional digits and cannot be exported exactly as DECIMAL(38, 12)");
        }
        if (scaled.precision() > ColumnType.DECIMAL_PRECISION) {
            throw new IllegalArgumentException("a value does not fit DECIMAL(38, 12)");
        }
        byte[] raw = scaled.unscaledValue().toByteArray();
        byte[] out = new byte[DECIMAL_BYTES];
        byte fill = (byte) (raw[0] < 0 ? 0xff : 0);
        int pad = DECIMAL_BYTES - raw.length;
        for (int i = 0; i < pad; i++) {
            out[i] = fill;
        }
        System.arraycopy(raw, 0, out, pad, raw.length);
        return out;
    }

    @Override
    public void finish() throws IOException {
        writer.close();
    }

    /** A Parquet output file that is a stream: position counts the bytes written; closing leaves the stream open. */
    private static final class StreamOutputFile implements OutputFile {
        private final OutputStream out;

        StreamOutputFile(OutputStream out) {
            this.out = out;
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            return new PositionOutputStream() {
                private long pos;

                @Override
                public long getPos() {
                    return pos;
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    pos++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    pos += len;
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    out.flush();
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }

        @Override
        public String getPath() {
            return "stream";
        }
    }
}

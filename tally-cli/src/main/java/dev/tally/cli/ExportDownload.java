package dev.tally.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Downloads an export page by page, following {@code Tally-Next-Cursor}, streaming each response body to disk (the
 * CLI holds one 64 KiB buffer, whatever the size). After each complete page it fsyncs the output and records the
 * resume point in {@code <out>.resume} (the next cursor, the output's length, the page number; written temp +
 * rename); {@code --resume} truncates the output back to that length and continues from the cursor, so an
 * interrupted export resumes without duplicated or missing rows. CSV and JSON Lines pages are appended to one file
 * (later CSV pages without the header row); Parquet pages are separate files: {@code <out>}, then
 * {@code <name>-part-00001.parquet}, ... beside it. The resume file is removed when the export is complete.
 */
final class ExportDownload {
    /** Options every export subcommand takes. */
    static final class Options {
        @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:TALLY_URL:-http://localhost:8080}",
                description = "Server URL ($TALLY_URL if set).")
        URI url;

        @Option(names = "--key", paramLabel = "KEY",
                description = "API key (default: $TALLY_API_KEY, else $${TALLY_DATA_DIR:-./data}/bootstrap-key).")
        String key;

        @Option(names = "--from", required = true, paramLabel = "RFC3339", description = "Start (inclusive).")
        String from;

        @Option(names = "--to", required = true, paramLabel = "RFC3339", description = "End (exclusive).")
        String to;

        @Option(names = "--format", defaultValue = "csv", paramLabel = "csv|jsonl|parquet", description = "File format.")
        String format;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file.")
        Path out;

        @Option(names = "--page-size", defaultValue = "100000", paramLabel = "ROWS", description = "Rows per request.")
        long pageSize;

        @Option(names = "--max-pages", defaultValue = "0", paramLabel = "N",
                description = "Stop after N pages, leaving <out>.resume to continue with --resume (0: no limit).")
        int maxPages;

        @Option(names = "--resume", description = "Continue the interrupted export recorded in <out>.resume.")
        boolean resume;

        @Option(names = "--no-progress", negatable = true, defaultValue = "true",
                description = "Show a progress line on stderr.")
        boolean progress;

        @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
        picocli.CommandLine.Model.CommandSpec spec;
    }

    private final Options o;
    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ExportDownload(Options o, Map<String, String> env) {
        this.o = o;
        this.env = env;
    }

    Path resumeFile() {
        return o.out.resolveSibling(o.out.getFileName() + ".resume");
    }

    Path partFile(int page) {
        if (page == 0) {
            return o.out;
        }
        String name = o.out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        return o.out.resolveSibling(String.format("%s-part-%05d%s", base, page, ext));
    }

    int run(String path, List<String> extra) {
        if (!List.of("csv", "jsonl", "parquet").contains(o.format)) {
            throw new picocli.CommandLine.ParameterException(o.spec.commandLine(), "--format must be csv, jsonl or parquet");
        }
        String key = ApiKeys.resolve(Optional.ofNullable(o.key), env);
        boolean parquet = o.format.equals("parquet");
        Optional<String> cursor = Optional.empty();
        long length = 0;
        int page = 0;
        long rows = 0;
        try {
            if (o.resume && Files.exists(resumeFile())) {
                var state = Jsons.MAPPER.readTree(resumeFile().toFile());
                cursor = Optional.of(state.get("cursor").asText());
                length = state.get("bytes").asLong();
                page = state.get("page").asInt();
                rows = state.get("rows").asLong();
                if (!parquet) {
                    try (FileChannel ch = FileChannel.open(o.out, StandardOpenOption.WRITE)) {
                        ch.truncate(length);
                    }
                }
            } else if (o.resume) {
                throw new CliFailureException("nothing to resume: " + resumeFile() + " does not exist");
            } else {
                Files.deleteIfExists(o.out);
            }
            PrintWriter err = o.spec.commandLine().getErr();
            int startPage = page;
            try (ExportProgress bar = ExportProgress.start(err, o.progress, rows)) {
                while (true) {
                    List<String> params = new ArrayList<>(extra);
                    params.add("format=" + o.format);
                    params.add("from=" + URLEncoder.encode(o.from, StandardCharsets.UTF_8));
                    params.add("to=" + URLEncoder.encode(o.to, StandardCharsets.UTF_8));
                    params.add("limit=" + o.pageSize);
                    if (page > 0 && o.format.equals("csv")) {
                        params.add("header=false");
                    }
                    cursor.ifPresent(c -> params.add("cursor=" + URLEncoder.encode(c, StandardCharsets.UTF_8)));
                    HttpRequest req = HttpRequest.newBuilder(o.url.resolve(path + "?" + String.join("&", params)))
                            .header("Authorization", "Bearer " + key).GET().build();
                    HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                    if (resp.statusCode() != 200) {
                        byte[] body;
                        try (InputStream in = resp.body()) {
                            body = in.readNBytes(8192);
                        }
                        throw new RequestFailedException("export failed: HTTP " + new ApiResponse(resp.statusCode(), body,
                                Optional.empty()).problem(), resp.statusCode());
                    }
                    Path target = parquet ? partFile(page) : o.out;
                    try (InputStream in = resp.body(); OutputStream out = Files.newOutputStream(target,
                            StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            parquet ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND)) {
                        byte[] buf = new byte[64 * 1024];
                        for (int n; (n = in.read(buf)) > 0; ) {
                            out.write(buf, 0, n);
                            if (!parquet) {
                                bar.rows(count(buf, n, o.format));
                            }
                        }
                    }
                    try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
                        ch.force(true);
                        length = ch.size();
                    }
                    long pageRows = resp.headers().firstValue("Tally-Export-Rows").map(Long::parseLong).orElse(0L);
                    rows += pageRows;
                    bar.set(rows);
                    cursor = resp.headers().firstValue("Tally-Next-Cursor");
                    page++;
                    if (cursor.isEmpty()) {
                        break;
                    }
                    saveResume(cursor.get(), length, page, rows);
                    if (o.maxPages > 0 && page - startPage >= o.maxPages) {
                        o.spec.commandLine().getOut().println(Format.count(rows, "row") + " exported so far to "
                                + o.out + "; continue with --resume");
                        return 0;
                    }
                }
            }
            Files.deleteIfExists(resumeFile());
            o.spec.commandLine().getOut().println(Format.count(rows, "row") + " exported to " + o.out
                    + (parquet && page > 1 ? " and " + (page - 1) + " part file(s) beside it" : ""));
            return 0;
        } catch (ConnectException e) {
            throw new ServerUnreachableException("cannot reach " + o.url, e);
        } catch (IOException e) {
            throw new CliFailureException("export interrupted (" + ApiClient.describe(e) + "); rerun with --resume", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailureException("interrupted; rerun with --resume");
        }
    }

    /** Rows in a chunk of text: line feeds (a CSV header row is counted once too: the bar is a rate, not a total). */
    static long count(byte[] buf, int n, String format) {
        long lines = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                lines++;
            }
        }
        return lines;
    }

    private void saveResume(String cursor, long bytes, int page, long rows) throws IOException {
        ObjectNode s = Jsons.MAPPER.createObjectNode();
        s.put("cursor", cursor).put("bytes", bytes).put("page", page).put("rows", rows);
        Path tmp = resumeFile().resolveSibling(resumeFile().getFileName() + ".tmp");
        Files.write(tmp, Jsons.MAPPER.writeValueAsBytes(s));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, resumeFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

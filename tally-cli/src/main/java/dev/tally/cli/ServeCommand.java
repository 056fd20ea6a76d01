package dev.tally.cli;

import dev.tally.engine.DataDirectoryInUseException;
import dev.tally.kafka.KafkaMode;
import dev.tally.server.ServerConfig;
import dev.tally.server.TallyServer;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tally serve}: runs the HTTP server until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the Tally HTTP server until SIGTERM/SIGINT.",
                "Configuration comes from TALLY_HOST, TALLY_PORT, TALLY_DATA_DIR, TALLY_BOOTSTRAP_KEY, TALLY_METERS_FILE, "
                        + "TALLY_BACKDATING_DAYS, TALLY_BILLING_INTERVAL_SECONDS, TALLY_DATABASE_URL, TALLY_SECRETS_KEY and "
                        + "TALLY_SECRETS_KEY_FILE; "
                        + "the options below override them.",
                "Kafka scale-out (docs/SCALING.md): TALLY_KAFKA_BOOTSTRAP (brokers; needs a database URL), "
                        + "TALLY_ROLE=api|worker|all (default all), TALLY_KAFKA_TOPIC, TALLY_KAFKA_PARTITIONS, "
                        + "TALLY_KAFKA_REPLICATION, TALLY_KAFKA_WORKERS."})
final class ServeCommand implements Callable<Integer>, Main.UsesEnvironment {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", description = "Port to listen on (0 = any free port).")
    Integer port;

    @Option(names = "--host", paramLabel = "ADDRESS",
            description = "Address to listen on (default 127.0.0.1, loopback only: nothing outside this machine can"
                    + " connect; 0.0.0.0 or :: listens on every interface, normally behind a TLS reverse proxy).")
    String host;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory.")
    Path data;

    @Option(names = "--meters", paramLabel = "FILE", description = "Meters file to load at start.")
    Path meters;

    @Option(names = "--database-url", paramLabel = "URL",
            description = "PostgreSQL instead of the embedded store, e.g. postgresql://postgres@127.0.0.1:5432/tally.")
    String databaseUrl;

    @Option(names = "--secrets-key-file", paramLabel = "FILE",
            description = "File holding the key (32 bytes, base64) that encrypts stored secrets; default "
                    + "TALLY_SECRETS_KEY, TALLY_SECRETS_KEY_FILE, else the data directory's generated secrets-key file.")
    Path secretsKeyFile;

    @Option(names = "--simulated-clock", hidden = true, paramLabel = "SIM_START_MS,WALL_START_MS,RATE",
            description = "Benchmarks only (tally bench soak): run the server on a clock RATE times as fast as the "
                    + "wall clock, anchored at the two instants, so ids age through the dedup window in minutes.")
    String simulatedClock;

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(Map<String, String> env) {
        this.env = env;
    }

    /**
     * Starts the server; a port or data directory already in use (taken since {@link ServePreflight} looked) is
     * a one-line message naming the option that avoids it, not a stack trace.
     */
    private static TallyServer start(ServerConfig config, Clock clock, Optional<KafkaMode> kafka) {
        try {
            return TallyServer.start(config, clock, kafka.map(KafkaMode::storeFactory).orElse(null));
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    throw ServePreflight.portInUse(config.http().host(), config.port(), t.getMessage());
                }
                if (t instanceof DataDirectoryInUseException inUse) {
                    throw ServePreflight.dataInUse(inUse.dataDir());
                }
            }
            throw e;
        }
    }

    /** The address the HTTP server will listen on. */
    private static InetSocketAddress listenAddress(ServerConfig config) {
        InetSocketAddress address = new InetSocketAddress(config.http().host(), config.port());
        if (address.isUnresolved()) {
            throw new CliFailureException("cannot resolve the address to listen on, " + config.http().host()
                    + ": give an IP address or a known host name with --host (or TALLY_HOST)");
        }
        return address;
    }

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig config = ServerConfig.fromEnvironment(env);
        if (port != null) {
            config = config.withPort(port);
        }
        if (host != null) {
            try {
                config = config.withHost(host);
            } catch (IllegalArgumentException e) {
                throw new CliFailureException(e.getMessage(), e);
            }
        }
        if (data != null) {
            config = config.withDataDir(data);
        }
        if (meters != null) {
            config = config.withMetersFile(meters);
        }
        if (databaseUrl != null) {
            config = config.withDatabaseUrl(databaseUrl);
        }
        if (secretsKeyFile != null) {
            config = config.withSecrets(dev.tally.engine.secrets.SecretsConfig.ofFile(secretsKeyFile));
        }
        Optional<KafkaMode> kafka;
        try {
            kafka = KafkaMode.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            throw new CliFailureException(e.getMessage(), e);
        }
        if (kafka.isPresent() && config.databaseUrl().isEmpty()) {
            throw new CliFailureException("TALLY_KAFKA_BOOTSTRAP needs a PostgreSQL database (TALLY_DATABASE_URL or "
                    + "--database-url): the workers store the events there and every node reads them there");
        }
        boolean servesHttp = kafka.isEmpty() || kafka.get().role().servesHttp();
        ServePreflight.check(config.dataDir(), servesHttp ? Optional.of(listenAddress(config)) : Optional.empty());
        PrintWriter out = spec.commandLine().getOut();
        if (kafka.isPresent() && kafka.get().role().runsWorkers()) {
            kafka.get().startWorkers(config.databaseUrl().get());
            out.println("Tally Kafka worker" + (kafka.get().workers() == 1 ? "" : "s") + " consuming "
                    + kafka.get().topic() + " into PostgreSQL");
        }
        Clock clock;
        try {
            clock = simulatedClock == null ? Clock.systemUTC() : ScaledClock.parse(simulatedClock);
        } catch (IllegalArgumentException e) {
            throw new CliFailureException(e.getMessage(), e);
        }
        TallyServer server = servesHttp ? start(config, clock, kafka) : null;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long started = System.nanoTime();
            LOG.info("shutting down (signal received)");
            boolean clean = false;
            try {
                if (server != null) {
                    server.close();
                }
                kafka.ifPresent(KafkaMode::close);
                clean = true;
            } finally {
                long ms = (System.nanoTime() - started) / 1_000_000;
                if (clean) {
                    LOG.info("Tally stopped in {} ms", ms);
                } else {
                    LOG.error("Tally stopped in {} ms, but closing failed (see above)", ms);
                }
                stopped.countDown();
            }
        }, "tally-shutdown"));
        if (server == null) {
            out.flush();
            stopped.await();
            return 0;
        }
        out.println("Tally " + kafka.map(k -> "(Kafka " + k.role().name().toLowerCase(java.util.Locale.ROOT)
                + " node, topic " + k.topic() + ") ").orElse("") + "listening on http://" + server.address()
                + " (data in " + config.dataDir().toAbsolutePath().normalize() + ")");
        Path keyFile = config.dataDir().resolve(ApiKeys.KEY_FILE);
        if (Files.exists(keyFile)) {
            out.println("admin API key: in " + keyFile.toAbsolutePath().normalize());
        }
        out.flush();
        stopped.await();
        return 0;
    }
}

package dev.tally.server;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium for the web tests: Debian's {@code chromium} and {@code chromium-driver} at fixed
 * paths (the driver path is given explicitly, so Selenium Manager never downloads anything), a fresh profile,
 * no network besides the test server, downloads into a temp directory. Fails with a clear message when the
 * browser is not installed.
 */
final class WebBrowser implements AutoCloseable {
    static final String CHROMIUM = System.getProperty("tally.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("tally.chromedriver", "/usr/bin/chromedriver");

    /** Selenium warns that it has no DevTools bindings for this Chromium: the tests use WebDriver only. */
    private static final java.util.logging.Logger CDP_LOG = java.util.logging.Logger.getLogger(
            "org.openqa.selenium.devtools.CdpVersionFinder");

    static {
        CDP_LOG.setLevel(Level.SEVERE);
    }

    final ChromeDriver driver;
    final ChromeDriverService service;
    final Path profile;
    final Path downloads;
    final String base;

    WebBrowser(int port) {
        if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(CHROMEDRIVER))) {
            fail("The web tests drive a real headless Chromium, but " + (Files.isExecutable(Path.of(CHROMIUM))
                    ? CHROMEDRIVER : CHROMIUM) + " is missing. Install Debian's browser and driver: "
                    + "'apt-get update && apt-get install -y chromium chromium-driver' (.ci/run does it in CI), "
                    + "or point -Dtally.chromium and -Dtally.chromedriver at them.");
        }
        try {
            profile = Files.createTempDirectory("tally-chromium-profile");
            downloads = Files.createTempDirectory("tally-chromium-downloads");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        base = "http://localhost:" + port;
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--disable-extensions", "--disable-default-apps",
                "--no-default-browser-check", "--metrics-recording-only", "--disable-features=Translate,MediaRouter",
                "--user-data-dir=" + profile, "--lang=en-US", "--force-device-scale-factor=1",
                "--hide-scrollbars", "--window-size=1280,900");
        options.setExperimentalOption("prefs", Map.of(
                "download.default_directory", downloads.toString(),
                "download.prompt_for_download", false,
                "intl.accept_languages", "en-US"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort()
                .withLogOutput(java.io.OutputStream.nullOutputStream()).build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    }

    void open(String path) {
        driver.get(base + path);
    }

    WebElement waitFor(String css) {
        return new WebDriverWait(driver, Duration.ofSeconds(15))
                .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /**
     * Whether Chromium has finished downloading {@code file}: it is there, not empty, and no partial download
     * ({@code .crdownload}) is left (Chromium creates the file under its final name before it has written it).
     */
    boolean downloaded(Path file) {
        try (var partial = Files.list(downloads)) {
            return Files.isRegularFile(file) && Files.size(file) > 0
                    && partial.noneMatch(p -> p.getFileName().toString().endsWith(".crdownload"));
        } catch (IOException e) {
            return false;
        }
    }

    void waitUntil(String what, java.util.function.BooleanSupplier condition) {
        try {
            new WebDriverWait(driver, Duration.ofSeconds(15)).ignoring(StaleElementReferenceException.class)
                    .until(d -> condition.getAsBoolean());
        } catch (org.openqa.selenium.TimeoutException e) {
            try {
                Files.createDirectories(Path.of("target"));
                Files.write(Path.of("target", "web-timeout.png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            } catch (IOException | RuntimeException ignored) {
                // the failure below says what matters
            }
            fail("timed out waiting for " + what + "; the page shows: " + text("main") + "; console: " + problems());
        }
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    WebElement one(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    String text(String css) {
        for (int attempt = 0; ; attempt++) {
            try {
                List<WebElement> found = all(css);
                return found.isEmpty() ? "" : found.get(0).getText();
            } catch (StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    Object jsAsync(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /** Sets the window to this width and the viewport (the window less the browser's own bars) to this height. */
    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        long bars = (Long) js("return Math.max(0, window.outerHeight - window.innerHeight);");
        if (bars > 0) {
            driver.manage().window().setSize(new Dimension(width, height + (int) bars));
        }
    }

    /** A PNG of the whole page (the window grows to the page's height, up to a limit) under docs/screenshots. */
    Path screenshot(String name, int width) {
        return screenshot(name, width, 4000);
    }

    Path screenshot(String name, int width, int maxHeight) {
        size(width, 900);
        Number h = (Number) js("return Math.ceil(Math.max(document.documentElement.scrollHeight, document.body.scrollHeight));");
        size(width, Math.min(maxHeight, Math.max(600, h.intValue())));
        js("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur && document.activeElement.blur();");
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Path dir = screenshotsDir();
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(name + ".png");
            Files.write(file, png);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            size(1280, 900);
        }
    }

    static Path screenshotsDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("docs")) && Files.isRegularFile(dir.resolve("docs").resolve("openapi.yaml"))) {
                return dir.resolve("docs").resolve("screenshots");
            }
        }
        return Path.of("target", "screenshots");
    }

    /** Browser console messages at warning level or worse. */
    List<String> problems() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).map(LogEntry::getMessage).toList();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteQuietly(profile);
            deleteQuietly(downloads);
        }
    }

    static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temp directory: best effort
        }
    }
}

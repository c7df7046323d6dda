package io.stasis.agent.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptionsParserTest {

    private static AgentOptions parse(String argument) {
        return OptionsParser.parse(argument, new Properties());
    }

    @Test
    void defaultsAreTheDesignTable() {
        AgentOptions options = parse(null);
        assertEquals(Path.of("./stasis-data"), options.dir());
        assertEquals("latest", options.restore());
        assertNull(options.interval());
        assertTrue(options.onExit());
        assertEquals(5, options.keep());
        assertEquals(Duration.ofSeconds(10), options.quiesceTimeout());
        assertTrue(options.quiesce().isEmpty() && options.fields().isEmpty());
        assertNull(options.maxAge());
        assertEquals(AgentOptions.Compression.LZ4, options.compression());
    }

    @Test
    void compressionIsLz4OrNone() {
        assertEquals(AgentOptions.Compression.NONE, parse("compression=none").compression());
        assertEquals(AgentOptions.Compression.LZ4, parse("compression=lz4").compression());
    }

    @Test
    void aStoreInObjectStorageIsABucketAPrefixAndTheS3Options() {
        AgentOptions options = parse("dir=s3://my-bucket/apps/ledger/,s3.endpoint=http://127.0.0.1:9000,"
                + "s3.region=eu-west-1,s3.path-style=true");
        assertEquals("my-bucket", options.s3().bucket());
        assertEquals("apps/ledger", options.s3().prefix());
        assertEquals("http://127.0.0.1:9000", options.s3().endpoint().toString());
        assertEquals("eu-west-1", options.s3().region());
        assertTrue(options.s3().pathStyle());
        assertEquals(Duration.ofSeconds(60), options.s3().lease());
        assertEquals(Duration.ofSeconds(20), parse("dir=s3://b1/a,s3.lease=20s").s3().lease());
        assertEquals("s3://my-bucket/apps/ledger", options.storeLocation());
        assertEquals(Path.of("./stasis-data"), options.dir(), "images and bundles stay local");
        assertNull(parse("dir=s3://b1").s3().endpoint());
        assertEquals("", parse("dir=s3://b1").s3().prefix());
        assertNull(parse("dir=/tmp/x").s3());
        assertNull(parse("dir=/tmp/x").mirror());
    }

    @Test
    void aMirrorIsABucketBesideALocalDirWithTheS3Options() {
        AgentOptions options = parse("dir=/tmp/x,mirror=s3://my-bucket/apps/ledger,s3.endpoint=http://127.0.0.1:9000,"
                + "s3.path-style=true");
        assertNull(options.s3());
        assertEquals(Path.of("/tmp/x"), options.dir());
        assertEquals("s3://my-bucket/apps/ledger", options.mirror().url());
        assertEquals("http://127.0.0.1:9000", options.mirror().endpoint().toString());
        assertTrue(options.mirror().pathStyle());
        assertEquals("/tmp/x", options.storeLocation());
        assertNull(options.forensicsUpload());
    }

    @Test
    void forensicBundlesGoToABucketWithTheS3OptionsAndAreWrittenLocallyFirst() {
        AgentOptions options = parse("dir=/tmp/x,forensics=on,forensics.recipients=" + ForensicsOptionsTest.RECIPIENT
                + ",forensics.dir=s3://incidents/svc-a,s3.endpoint=http://127.0.0.1:9000");
        assertEquals(Path.of("/tmp/x/forensics"), options.forensics().dir(), "written locally first");
        assertEquals("s3://incidents/svc-a", options.forensicsUpload().url());
        assertEquals("http://127.0.0.1:9000", options.forensicsUpload().endpoint().toString());
        assertNull(options.s3());
        assertNull(options.mirror());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "dir=/tmp/x,s3.endpoint=http://h|option 's3.endpoint' is for a store in object storage, but dir is '/tmp/x'",
        "dir=/tmp/x,mirror=/tmp/y|option 'mirror' has a bad value '/tmp/y': expected s3://BUCKET/PREFIX",
        "dir=/tmp/x,mirror=s3://B/y|option 'mirror': 'B' is not a bucket name",
        "dir=s3://b1/x,mirror=s3://b2/y|option 'mirror' copies a local store to object storage, but dir is already",
        "dir=s3://B/x|option 'dir': 'B' is not a bucket name",
        "dir=s3:///x|option 'dir': '' is not a bucket name",
        "dir=s3://b1/x,s3.endpoint=ftp://h|option 'dir': s3.endpoint 'ftp://h' is not an http:// or https:// URL",
        "dir=s3://b1/x,s3.path-style=yes|option 's3.path-style' has a bad value 'yes'",
        "dir=s3://b1/a//b|option 'dir': the prefix 'a//b' has an empty folder name",
        "dir=s3://b1/a,s3.lease=5s|option 's3.lease' has a bad value '5s': expected a duration of at least 15s",
    })
    void aBadStoreInObjectStorageNamesTheOption(String argument, String message) {
        OptionsException e = assertThrows(OptionsException.class, () -> parse(argument));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void aMemberOfAGroupNamesItsGroupItselfItsSizeAndItsZooKeeper() {
        AgentOptions options = parse("interval=1s,group=bank,group.member=a,group.size=3,"
                + "group.zookeeper=zk1:2181;zk2:2181/apps");
        assertEquals(new GroupOptions("bank", "a", 3, "zk1:2181,zk2:2181/apps", Duration.ofSeconds(30)), options.group());
        assertEquals(Duration.ofSeconds(20), parse("group=g,group.member=m,group.size=1,group.zookeeper=h:1,"
                + "group.timeout=20s").group().timeout());
        assertEquals(null, parse("").group());
    }

    @Test
    void maxAgeIsADurationLongerThanTheInterval() {
        assertEquals(Duration.ofMinutes(5), parse("max-age=5m").maxAge());
        assertEquals(Duration.ofMinutes(2), parse("interval=30s,max-age=2m").maxAge());
    }

    @Test
    void everyKeyOfTheTableIsAccepted() {
        AgentOptions options = parse("dir=/tmp/x,restore=none,interval=250ms,on-exit=false,keep=3,"
                + "quiesce=com.acme.Worker#process;com.acme.*Job#run*,fields=com.acme.Cache#entries;com.acme.Stats#*,"
                + "quiesce-timeout=5m,allow=com.acme.model.*;com.acme.Money");
        assertEquals(Path.of("/tmp/x"), options.dir());
        assertEquals("none", options.restore());
        assertEquals(Duration.ofMillis(250), options.interval());
        assertEquals(Duration.ofMinutes(5), options.quiesceTimeout());
        assertEquals(2, options.quiesce().size());
        assertTrue(options.quiesce().get(1).matches("com.acme.NightlyJob", "runAll"));
        assertTrue(options.fields().get(1).matches("com.acme.Stats", "anything"));
        assertTrue(!options.fields().get(0).matches("com.acme.Cache", "other"));
        assertTrue(options.allowed().allows("com.acme.model.sub.Order"));
        assertTrue(options.allowed().allows("com.acme.Money"));
        assertTrue(!options.allowed().allows("com.acme.Other"));
    }

    @Test
    void intervalAutoHasDocumentedDefaults() {
        AgentOptions options = parse("interval=auto");
        CadenceOptions cadence = options.cadence();
        assertTrue(cadence.auto());
        assertEquals(0.01, cadence.pauseBudget(), 1e-12);
        assertEquals(Duration.ofSeconds(5), cadence.min());
        assertEquals(Duration.ofMinutes(5), cadence.max());
        assertEquals(Duration.ofSeconds(5), options.interval(), "the first interval is interval.min");
    }

    @Test
    void intervalAutoTakesItsBudgetAndBounds() {
        CadenceOptions cadence = parse("interval=auto,pause-budget=0.5%,interval.min=250ms,interval.max=2m").cadence();
        assertEquals(0.005, cadence.pauseBudget(), 1e-12);
        assertEquals("0.5%", cadence.budgetText());
        assertEquals(Duration.ofMillis(250), cadence.min());
        assertEquals(Duration.ofMinutes(2), cadence.max());
        Properties system = new Properties();
        system.setProperty("stasis.interval", "auto");
        system.setProperty("stasis.pause-budget", "5%");
        assertEquals(0.05, OptionsParser.parse(null, system).cadence().pauseBudget(), 1e-12);
    }

    @Test
    void aFixedIntervalBacksOffUpToIntervalMax() {
        assertEquals(Duration.ofMinutes(5), parse("interval=30s").cadence().max(), "default ceiling");
        assertEquals(Duration.ofHours(1), parse("interval=1h").cadence().max(), "never below the interval itself");
        assertEquals(Duration.ofMinutes(1), parse("interval=30s,interval.max=1m").cadence().max());
        assertNull(parse("interval=off").cadence());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "nope=1|unknown option 'nope'",
            "interval=fast|option 'interval' has a bad value 'fast'",
            "interval=1d|option 'interval'",
            "interval=9999999999999h|option 'interval' has a bad value '9999999999999h': expected off, auto or a duration of at most 8760h",
            "interval=99999999999999999999ms|option 'interval' has a bad value '99999999999999999999ms': expected off, auto or a duration of at most 8760h",
            "interval=1ms|option 'interval' has a bad value '1ms': expected off, auto or a duration of at least 10ms",
            "interval=9ms|option 'interval' has a bad value '9ms': expected off, auto or a duration of at least 10ms",
            "quiesce-timeout=9999999999999h|option 'quiesce-timeout' has a bad value '9999999999999h': expected a duration of at most 8760h",
            "keep=-2|option 'keep'",
            "allow=*|option 'allow' has a bad value '*'",
            "on-exit=yes|option 'on-exit'",
            "quiesce-timeout=0ms|option 'quiesce-timeout'",
            "max-age=soon|option 'max-age' has a bad value 'soon': expected a duration such as 250ms, 30s, 5m or 1h",
            "max-age=0s|option 'max-age' has a bad value '0s': expected a duration greater than zero",
            "max-age=9000h|option 'max-age' has a bad value '9000h': expected a duration of at most 8760h",
            "interval=30s,max-age=30s|option 'max-age' has a bad value '30s': expected a duration longer than interval=30s",
            "interval=1m,max-age=10s|option 'max-age' has a bad value '10s': expected a duration longer than interval=60s",
            "restore=a/b|option 'restore'",
            "quiesce=Worker|option 'quiesce'",
            "fields=a#b#c|option 'fields'",
            "dir=|option 'dir'",
            "justakey|'justakey' is not key=value",
            "fields=com.acme.A#x,com.acme.B#y|'com.acme.B#y' is not key=value (the items of 'fields' are separated by ';'",
            "quiesce=com.acme.A#x,com.acme.B#y|the items of 'quiesce' are separated by ';'",
            "dir=./x;interval=1s|option 'dir' has the value './x;interval=1s', which holds option 'interval': options are separated by ',', not ';'",
            "dir=./x;pause-budget=2%|which holds option 'pause-budget'",
            "interval=auto,pause-budget=1|option 'pause-budget' has a bad value '1': expected a share of wall time above 0% and at most 50%",
            "interval=auto,pause-budget=0%|option 'pause-budget' has a bad value '0%'",
            "interval=auto,pause-budget=60%|option 'pause-budget' has a bad value '60%'",
            "interval=auto,pause-budget=-1%|option 'pause-budget' has a bad value '-1%'",
            "interval=auto,interval.min=5ms|option 'interval.min' has a bad value '5ms': expected a duration of at least 10ms",
            "interval=auto,interval.max=soon|option 'interval.max' has a bad value 'soon'",
            "interval=auto,interval.min=10m|option 'interval.min' (10m) is longer than interval.max (5m)",
            "interval=auto,interval.min=1s,interval.max=500ms|option 'interval.min' (1s) is longer than interval.max (500ms)",
            "interval=30s,pause-budget=2%|option 'pause-budget' is set but interval is not auto (write interval=auto)",
            "interval=30s,interval.min=1s|option 'interval.min' is set but interval is not auto",
            "interval=30s,interval.max=10s|option 'interval.max' (10s) is shorter than interval (30s)",
            "interval.max=1m|option 'interval.max' is set but interval is off",
            "interval=AUTOMATIC|option 'interval' has a bad value 'AUTOMATIC': expected off, auto or a duration",
        "group.size=3|option 'group.size' is for a member of a group, but option 'group' is not set",
        "group=g,group.size=3,group.zookeeper=h:1|option 'group.member' is missing",
        "group=g,group.member=a,group.zookeeper=h:1|option 'group.size' is missing",
        "group=g,group.member=a,group.size=3|option 'group.zookeeper' is missing",
        "group=g h,group.member=a,group.size=3,group.zookeeper=h:1|option 'group' has a bad value 'g h'",
        "group=g,group.member=a/b,group.size=3,group.zookeeper=h:1|option 'group.member' has a bad value 'a/b'",
        "group=g,group.member=a,group.size=0,group.zookeeper=h:1|option 'group.size' has a bad value '0'",
        "group=g,group.member=a,group.size=3,group.zookeeper=h:1 x|option 'group.zookeeper' has a bad value 'h:1 x'",
        "group=g,group.member=a,group.size=3,group.zookeeper=h:1,group.timeout=5s|option 'group.timeout' has a bad value '5s'",
        "interval=auto,group=g,group.member=a,group.size=3,group.zookeeper=h:1|option 'interval' has a bad value 'auto'",
        "restore=12,group=g,group.member=a,group.size=3,group.zookeeper=h:1|option 'restore' has a bad value '12'",
        "compression=zstd|option 'compression' has a bad value 'zstd': expected lz4, none",
    })
    void badOptionsNameTheKey(String argument, String message) {
        OptionsException e = assertThrows(OptionsException.class, () -> parse(argument));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void argumentWinsOverSystemPropertyWhichWinsOverTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("stasis.properties");
        Files.writeString(file, "keep=1\ninterval=1m\nquiesce-timeout=1s\n");
        Properties system = new Properties();
        system.setProperty("stasis.config", file.toString());
        system.setProperty("stasis.interval", "2m");
        system.setProperty("stasis.keep", "2");
        system.setProperty("unrelated.property", "x");
        AgentOptions options = OptionsParser.parse("keep=3", system);
        assertEquals(3, options.keep());
        assertEquals(Duration.ofMinutes(2), options.interval());
        assertEquals(Duration.ofSeconds(1), options.quiesceTimeout());
    }

    @Test
    void unknownKeysInTheFileAndSystemPropertiesAreErrorsToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("stasis.properties");
        Files.writeString(file, "intervall=1m\n");
        OptionsException fromFile = assertThrows(OptionsException.class, () -> parse("config=" + file));
        assertTrue(fromFile.getMessage().contains("unknown option 'intervall'"), fromFile.getMessage());

        Properties system = new Properties();
        system.setProperty("stasis.kep", "2");
        OptionsException fromSystem = assertThrows(OptionsException.class, () -> OptionsParser.parse(null, system));
        assertTrue(fromSystem.getMessage().contains("system property stasis.kep"), fromSystem.getMessage());
    }
}

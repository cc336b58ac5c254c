package io.idsync.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The state store as the jar configures it: what a durability test or a benchmark measures is what runs. */
public final class ShippedStateStore {

    private ShippedStateStore() {
    }

    /** The options of the shipped {@code quarkus.datasource.jdbc.url} (from its first {@code ;}): {@code ;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0}. */
    public static String h2Options() {
        Properties shipped = new Properties();
        try (InputStream in = ShippedStateStore.class.getClassLoader().getResourceAsStream("application.properties")) {
            shipped.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String url = shipped.getProperty("quarkus.datasource.jdbc.url");
        return url.substring(url.indexOf(';'));
    }
}

package io.idsync.testsupport.scim;

import java.util.Map;

/**
 * A SCIM 2.0 service provider the project did not write, started by a test on loopback and stopped with it. The
 * interoperability tests run one scenario against each, through idsync's SCIM connection, configured from
 * {@link #connectionSettings()}.
 */
public interface ScimServerUnderTest extends AutoCloseable {

    /** Which implementation and version, as the test names it: "scimmy 1.3.5". */
    String name();

    /** Its SCIM base URL, such as {@code http://127.0.0.1:41234/scim/v2} (no trailing slash). */
    String baseUrl();

    /**
     * The keys of an idsync SCIM connection that reach it (without the {@code idsync.connections.<name>.} prefix):
     * {@code base-url}, {@code auth} and that auth's keys.
     */
    Map<String, String> connectionSettings();

    @Override
    void close();
}

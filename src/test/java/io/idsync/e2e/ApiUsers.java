package io.idsync.e2e;

import io.restassured.RestAssured;

/** The test profile's API users (quarkus.security.users.embedded.* in the test profile). */
final class ApiUsers {

    static final String OPERATOR = "idsync-operator";
    static final String OPERATOR_PASSWORD = "test-operator-password";
    static final String VIEWER = "idsync-viewer";
    static final String VIEWER_PASSWORD = "test-viewer-password";

    private ApiUsers() {
    }

    /** Every following RestAssured call of the test goes as the operator. */
    static void asOperator() {
        RestAssured.authentication = RestAssured.preemptive().basic(OPERATOR, OPERATOR_PASSWORD);
    }
}

package io.idsync.cluster;

import io.agroal.api.AgroalDataSource;

/** The state database this instance uses (and shares with the others, on PostgreSQL). */
public record StateDatabase(AgroalDataSource dataSource) {
}

"use strict";
/*
 * An independent SCIM 2.0 service provider for idsync's interoperability tests: the npm packages scimmy (resources,
 * schemas, filters, PatchOp, ListResponse, errors) and scimmy-routers (the RFC 7644 HTTP endpoints) on express, with
 * an in-memory store. This file only supplies what scimmy leaves to its user: the ingress/egress/degress handlers,
 * the bearer token check and the service provider configuration.
 *
 *   SCIMMY_TOKEN=secret node server.js [port]     port 0 (the default) takes any free port on 127.0.0.1
 *
 * When listening it prints one line to stdout: "scimmy listening on http://127.0.0.1:<port>/scim/v2". A line per
 * request goes to stderr. SIGTERM or SIGINT stops it; so does the end of its standard input when
 * SCIMMY_EXIT_ON_STDIN_EOF=1 (set by the Java harness, so that a JVM that dies does not leave it running).
 */
const crypto = require("node:crypto");
const express = require("express");
const {SCIMMY, SCIMMYRouters} = require("scimmy-routers");

const {Error: SCIMError} = SCIMMY.Types;
const MAX_RESULTS = 200;

const token = process.env.SCIMMY_TOKEN ?? "";
if (!token) {
    process.stderr.write("server.js: set SCIMMY_TOKEN to the bearer token that clients must send\n");
    process.exit(2);
}
const portArg = process.argv[2] ?? "0";
if (!/^\d+$/.test(portArg) || Number(portArg) > 65535) {
    process.stderr.write(`server.js: port '${portArg}' is not 0..65535\n`);
    process.exit(2);
}

// ---------------------------------------------------------------------------------------------------------------
// In-memory store: id -> stored representation (plain JSON, as scimmy coerced it on ingress, plus id and meta)
// ---------------------------------------------------------------------------------------------------------------
const users = new Map();
const groups = new Map();

const plain = (instance) => JSON.parse(JSON.stringify(instance));
const now = () => new Date().toISOString();
const notFound = (id) => new SCIMError(404, null, `Resource ${id} not found`);

/** The stored record for resource.id, or a 404. */
function existing(store, resource) {
    const record = store.get(resource.id);
    if (!record) throw notFound(resource.id);
    return record;
}

/** A record with the read-only attributes the server owns. */
function stored(resource, instance, previous) {
    const {id: _ignoredId, meta: _ignoredMeta, ...data} = plain(instance);
    const time = now();
    return {...data, id: resource.id ?? crypto.randomUUID(), meta: {created: previous?.meta?.created ?? time, lastModified: time}};
}

/**
 * Whether scimmy's Filter matches one record. Filter#match throws a TypeError where a filter names a sub-attribute
 * (emails.value, emails[type eq "work"], name.givenName) of a complex attribute the record lacks: that record does
 * not match. Match alone does not resolve an extension's URN-qualified paths
 * ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"): the record it is given also has
 * each extension attribute under such a name.
 */
function matches(filter, record) {
    const candidate = {...record};
    for (const [key, value] of Object.entries(record)) {
        if (key.startsWith("urn:") && value === Object(value) && !Array.isArray(value)) {
            for (const [name, attribute] of Object.entries(value)) candidate[`${key}:${name}`] = attribute;
        }
    }
    try {
        return filter.match([candidate]).length > 0;
    } catch (error) {
        if (error instanceof TypeError) return false;
        throw error;
    }
}

/**
 * RFC 7644 §3.4.2: filter (scimmy's Filter#match), then startIndex and count. scimmy's ListResponse (built by the
 * resource's read() from what egress returns and resource.constraints) sorts, skips startIndex-1 and keeps count
 * (20 when none is asked for); this caps count at filter.maxResults, and answers a startIndex past the last match
 * with no resources (ListResponse would otherwise keep the first page when startIndex exceeds the matches).
 */
function list(resource, records) {
    const matched = resource.filter ? records.filter((record) => matches(resource.filter, record)) : records;
    const constraints = resource.constraints ?? {};
    if (constraints.count === undefined || constraints.count > MAX_RESULTS) {
        resource.constraints = {...constraints, count: Math.min(constraints.count ?? 20, MAX_RESULTS)};
    }
    const startIndex = constraints.startIndex ?? 1;
    // An array as long as the matches with no elements: ListResponse reports totalResults and no Resources
    return startIndex > matched.length ? new Array(matched.length) : matched;
}

// ---------------------------------------------------------------------------------------------------------------
// Users: userName is unique case-insensitively (RFC 7643 §4.1.1: caseExact false, uniqueness server)
// ---------------------------------------------------------------------------------------------------------------
function userOut(record) {
    const memberOf = [...groups.values()]
        .filter((group) => (group.members ?? []).some((member) => member.value === record.id))
        .map((group) => ({value: group.id, $ref: `${SCIMMY.Resources.Group.basepath() ?? ""}/${group.id}`, display: group.displayName, type: "direct"}));
    return memberOf.length ? {...record, groups: memberOf} : {...record};
}

function assertUniqueUserName(userName, selfId) {
    const wanted = String(userName ?? "").toLowerCase();
    for (const user of users.values()) {
        if (user.id !== selfId && String(user.userName ?? "").toLowerCase() === wanted) {
            throw new SCIMError(409, "uniqueness", `userName '${userName}' is already taken by another User`);
        }
    }
}

SCIMMY.Resources.declare(SCIMMY.Resources.User, {
    extensions: [{schema: SCIMMY.Schemas.EnterpriseUser, required: false}],
    ingress: (resource, instance) => {
        const previous = resource.id ? existing(users, resource) : undefined;
        assertUniqueUserName(instance.userName, resource.id);
        const record = stored(resource, instance, previous);
        users.set(record.id, record);
        return userOut(record);
    },
    egress: (resource) => {
        if (resource.id) return userOut(existing(users, resource));
        return list(resource, [...users.values()].map(userOut));
    },
    degress: (resource) => {
        existing(users, resource);
        users.delete(resource.id);
        // A deleted user is no member of any group any more
        for (const group of groups.values()) {
            if ((group.members ?? []).some((member) => member.value === resource.id)) {
                group.members = group.members.filter((member) => member.value !== resource.id);
                if (!group.members.length) delete group.members;
                group.meta.lastModified = now();
            }
        }
    }
});

// ---------------------------------------------------------------------------------------------------------------
// Groups: displayName need not be unique; members are kept as given ({value, display?, type?, $ref?})
// ---------------------------------------------------------------------------------------------------------------
SCIMMY.Resources.declare(SCIMMY.Resources.Group, {
    ingress: (resource, instance) => {
        const previous = resource.id ? existing(groups, resource) : undefined;
        const record = stored(resource, instance, previous);
        groups.set(record.id, record);
        return {...record};
    },
    egress: (resource) => {
        if (resource.id) return {...existing(groups, resource)};
        return list(resource, [...groups.values()].map((group) => ({...group})));
    },
    degress: (resource) => {
        existing(groups, resource);
        groups.delete(resource.id);
    }
});

// ---------------------------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------------------------
const expected = crypto.createHash("sha256").update(token).digest();

/** scimmy-routers' authentication handler: a throw becomes a 401 SCIM error whose detail is the message. */
function authenticate(req) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.header("Authorization") ?? "");
    if (!match) throw new Error("Authorization: Bearer <token> required");
    const given = crypto.createHash("sha256").update(match[1]).digest();
    if (!crypto.timingSafeEqual(given, expected)) throw new Error("Bearer token not recognised");
    // No user id: the /Me endpoint answers 501
}

const app = express();
app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => process.stderr.write(
        `${new Date().toISOString()} ${req.method} ${req.originalUrl} -> ${res.statusCode} (${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms)\n`));
    next();
});
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    handler: authenticate,
    // meta.location absolute, as the client addressed this server (scimmy-routers would otherwise make it relative)
    baseUri: (req) => `${req.protocol}://${req.get("host")}`
}));

// SCIMMYRouters' constructor sets patch, filter, sort and bulk supported; the rest is configured here
SCIMMY.Config.set({
    patch: true,
    filter: {supported: true, maxResults: MAX_RESULTS},
    sort: true,
    etag: false,
    changePassword: false
});

const server = app.listen(Number(portArg), "127.0.0.1", () => {
    process.stdout.write(`scimmy listening on http://127.0.0.1:${server.address().port}/scim/v2\n`);
});
server.on("error", (error) => {
    process.stderr.write(`server.js: ${error.message}\n`);
    process.exit(1);
});

let stopping = false;
function stop(why) {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`server.js: stopping (${why})\n`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
if (process.env.SCIMMY_EXIT_ON_STDIN_EOF === "1") {
    process.stdin.on("end", () => stop("standard input closed"));
    process.stdin.on("error", () => stop("standard input failed"));
    process.stdin.resume();
}

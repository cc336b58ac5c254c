// idsync's dashboard: one card per pipe in the terms of PingOne's sync summary (seed 003), its failures, Resync and
// Dry run with their progress, where its change feed reads from (and Set startpoint), provision on demand with its
// trace, the removals the deletion guard held (each approved or rejected), and the audit log. It reads the HTTP API only (the
// browser sends the credentials it was asked for) and refreshes itself every two seconds. No library, no CDN.
"use strict";

const REFRESH_MS = 2000;
const USER_FIGURES = [["impacted", "Impacted"], ["success", "Success"], ["unsynced", "Unsynced"], ["partialSynced", "Partial Synced"], ["failed", "Failed"]];
const GROUP_FIGURES = [["impacted", "Impacted"], ["success", "Success"], ["failed", "Failed"]];
const cards = new Map();
const previews = new Map(); // pipe -> planned operations of its last dry run
const lastRuns = new Map(); // pipe -> a line on its last run started here

async function api(path, options) {
  const response = await fetch(path, Object.assign({headers: {Accept: "application/json"}}, options));
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error || response.status + " " + response.statusText);
  }
  return body;
}

function when(text) {
  return text ? new Date(text).toLocaleString() : "never";
}

function card(pipe) {
  let element = cards.get(pipe);
  if (!element) {
    element = document.getElementById("pipe-card").content.firstElementChild.cloneNode(true);
    element.dataset.pipe = pipe;
    element.querySelector(".resync").addEventListener("click", () => resync(pipe, false));
    element.querySelector(".dry-run").addEventListener("click", () => resync(pipe, true));
    element.querySelector(".failure-category").addEventListener("change", () => refresh());
    element.querySelector(".retry-category").addEventListener("click", () => decideFailures(pipe, "retry-failed"));
    element.querySelector(".dismiss-category").addEventListener("click", () => decideFailures(pipe, "dismiss"));
    element.querySelector(".provision").addEventListener("submit", event => {
      event.preventDefault();
      provision(pipe, false);
    });
    element.querySelector(".provision-dry").addEventListener("click", () => provision(pipe, true));
    element.querySelector(".approve-all").addEventListener("click", () => decideHeld(pipe, "approve", null));
    element.querySelector(".reject-all").addEventListener("click", () => decideHeld(pipe, "reject", null));
    element.querySelector(".startpoint").addEventListener("submit", event => {
      event.preventDefault();
      setStartpoint(pipe);
    });
    document.getElementById("pipes").appendChild(element);
    cards.set(pipe, element);
    const option = document.createElement("option");
    option.value = option.textContent = pipe;
    document.querySelector("#audit-filters select[name=pipe]").appendChild(option);
  }
  return element;
}

function render(status) {
  const element = card(status.pipe);
  element.querySelector(".name").textContent = status.pipe;
  const state = element.querySelector(".state");
  state.textContent = status.state;
  state.className = "state " + status.state;
  element.querySelector(".activity").textContent = status.activity;
  element.querySelector(".held-by").textContent = status.heldBy
    ? "on " + status.heldBy.instance + " since " + when(status.heldBy.since) : "on no instance yet";
  element.querySelector(".last-sync").textContent = when(status.lastSync);
  element.querySelector(".last-poll").textContent = when(status.lastPoll);
  // source change → destination answer, over the last minutes; past the pipe's objective, a warning
  const latency = status.latency || {};
  const shown = element.querySelector(".latency");
  shown.textContent = latency.changes ? "p50 " + latency.p50Seconds + " s, p99 " + latency.p99Seconds + " s"
    + (latency.objectiveSeconds != null ? " (objective " + latency.objectiveSeconds + " s" + (latency.objectiveBreached ? ": past it" : "") + ")" : "")
    : "no change yet";
  shown.title = shown.textContent;
  shown.classList.toggle("breached", !!latency.objectiveBreached);
  const summary = status.syncStatus;
  element.querySelector(".summary-title").textContent = summary.entryType === "groups" ? "Groups" : "Users";
  const figures = element.querySelector(".figures");
  figures.replaceChildren();
  for (const [key, label] of summary.entryType === "groups" ? GROUP_FIGURES : USER_FIGURES) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.className = "figure";
    dd.dataset.figure = key;
    dd.textContent = summary[key];
    figures.append(dt, dd);
  }
  element.querySelector(".error").textContent = status.lastError ? "Failing since " + when(status.failingSince) + ": " + status.lastError : "";
  const run = element.querySelector(".run");
  if (element.classList.contains("running")) {
    // followed by resync()
  } else if (status.run) {
    run.hidden = false; // a run started elsewhere: a scheduled reconciliation, the initial load, another browser
    showProgress(element, status.run);
  } else {
    run.hidden = true;
  }
  element.querySelector(".last-run").textContent = lastRuns.get(status.pipe) || (status.lastRun
    ? "Last " + status.lastRun.kind + ": " + status.lastRun.entries + " entries, finished " + when(status.lastRun.finishedAt) : "");
  const preview = element.querySelector(".preview");
  const planned = previews.get(status.pipe);
  preview.hidden = !planned;
  if (planned) {
    preview.querySelector("tbody").replaceChildren(...planned.map(line => {
      const row = document.createElement("tr");
      const cell = document.createElement("td");
      cell.textContent = line;
      row.appendChild(cell);
      return row;
    }));
  }
}

async function renderFailures(status) {
  const element = card(status.pipe);
  const wanted = status.syncStatus.failed + (status.syncStatus.partialSynced || 0);
  element.querySelector(".failure-count").textContent = wanted;
  if (wanted === 0) {
    element.querySelector(".failures").replaceChildren();
    return;
  }
  // one category (schema, conflict...): its failed entries only; every category: the failed and the partly synced
  const category = element.querySelector(".failure-category").value;
  const kinds = category ? ["failed"] : ["failed", "partial"];
  const pages = await Promise.all(kinds.map(kind => api("/api/pipes/" + encodeURIComponent(status.pipe) + "/entries?status=" + kind + "&limit=20"
    + (category ? "&category=" + encodeURIComponent(category) : "")).catch(() => ({entries: []}))));
  element.querySelector(".failures").replaceChildren(...pages.flatMap(page => page.entries).map(entry => {
    const item = document.createElement("li");
    item.className = "failure";
    item.dataset.sourceId = entry.sourceId;
    item.dataset.category = entry.category || "";
    item.textContent = (entry.category ? "[" + entry.category + "] " : "") + (entry.destination || entry.sourceId) + " — " + entry.status + ": " + (entry.reason || "no reason recorded")
      + (entry.retryAttempts ? " (retried " + entry.retryAttempts + "×)" : "");
    return item;
  }));
}

function showProgress(element, run) {
  const total = Math.max(run.estimatedTotal || 0, run.entries || 0, 1);
  element.querySelector(".run-progress").max = total;
  element.querySelector(".run-progress").value = run.entries || 0;
  element.querySelector(".run-text").textContent = (run.dryRun ? "dry run" : run.kind) + " " + run.state + ": " + (run.entries || 0)
    + " of about " + total + ", " + (run.entriesPerSecond || 0) + "/s" + (run.ratePerSecond ? " (paced at " + run.ratePerSecond + "/s)" : "")
    + (run.secondsLeft != null ? ", " + run.secondsLeft + " s left" : "");
}

// Resync and Dry run start a run in the background (POST .../runs) and follow it (GET .../runs/{id}) until it ends
async function resync(pipe, dryRun) {
  const element = card(pipe);
  element.classList.add("running");
  element.querySelectorAll("button.resync, button.dry-run").forEach(button => button.disabled = true);
  element.querySelector(".run").hidden = false;
  element.querySelector(".run-text").textContent = (dryRun ? "dry run" : "resync") + " starting…";
  lastRuns.delete(pipe);
  const base = "/api/pipes/" + encodeURIComponent(pipe) + "/runs";
  try {
    const rate = element.querySelector(".actions input.rate").value;
    let run = await api(base + "?dryRun=" + dryRun + (rate ? "&ratePerSecond=" + encodeURIComponent(rate) : ""), {method: "POST"});
    const cancel = element.querySelector("button.cancel");
    cancel.hidden = false;
    cancel.onclick = () => api(base + "/" + run.id + "/cancel", {method: "POST"}).catch(() => {});
    while (run.state === "running" || run.state === "cancelling") {
      showProgress(element, run);
      await new Promise(resolve => setTimeout(resolve, 300));
      run = await api(base + "/" + run.id);
    }
    const counts = run.outcomes || run.wouldBe || {};
    lastRuns.set(pipe, (dryRun ? "Dry run" : "Resync") + " " + run.state + ": " + run.entries + " entries ("
      + Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => n + " " + k).join(", ") + ")" + (run.error ? " — " + run.error : ""));
    if (dryRun) {
      previews.set(pipe, run.plannedOperations || []);
    } else {
      previews.delete(pipe);
    }
  } catch (error) {
    lastRuns.set(pipe, (dryRun ? "Dry run" : "Resync") + " failed: " + error.message);
  } finally {
    element.classList.remove("running");
    element.querySelector("button.cancel").hidden = true;
    element.querySelector(".run-progress").value = element.querySelector(".run-progress").max;
    element.querySelectorAll("button").forEach(button => button.disabled = false);
    refresh();
  }
}

// where the pipe's change feed reads from, in the source's words (read apart: a source that does not answer costs only this line)
async function renderStartpoint(status) {
  const element = card(status.pipe);
  const position = element.querySelector(".startpoint-position");
  await api("/api/pipes/" + encodeURIComponent(status.pipe) + "/startpoint")
    .then(startpoint => position.textContent = position.title = startpoint.position)
    .catch(error => position.textContent = "unknown: " + error.message);
}

// PingDataSync's set-startpoint: the feed goes on from end (now), beginning, a time or a position of the source
async function setStartpoint(pipe) {
  const element = card(pipe);
  const at = element.querySelector(".startpoint input[name=at]").value.trim();
  const result = element.querySelector(".startpoint-result");
  try {
    const moved = await api("/api/pipes/" + encodeURIComponent(pipe) + "/startpoint?at=" + encodeURIComponent(at), {method: "POST"});
    result.textContent = "Set: " + moved.position;
    element.querySelector(".startpoint-position").textContent = moved.position;
  } catch (error) {
    result.textContent = "Not set: " + error.message;
  }
  refresh();
}

// The failures of the category chosen (or all), in bulk: retried at the next poll, or dismissed (they leave the Failed figure)
async function decideFailures(pipe, call) {
  const element = card(pipe);
  const category = element.querySelector(".failure-category").value;
  const result = element.querySelector(".failure-result");
  if (call === "dismiss" && !category) {
    result.textContent = "Choose a category to dismiss";
    return;
  }
  const query = (category ? "category=" + encodeURIComponent(category) : "") + (call === "dismiss" ? "&reason=" + encodeURIComponent("dismissed on the dashboard") : "");
  try {
    const answer = await api("/api/pipes/" + encodeURIComponent(pipe) + "/" + call + (query ? "?" + query : ""), {method: "POST"});
    result.textContent = call === "dismiss" ? "Dismissed " + answer.dismissed : "Retrying " + answer.retrying + " at the next poll";
  } catch (error) {
    result.textContent = "Not done: " + error.message;
  }
  refresh();
}

// Entra's provision on demand: one entry down the road now; its trace, a line per step (what it did, then its details)
async function provision(pipe, dryRun) {
  const element = card(pipe);
  const id = element.querySelector(".provision input[name=id]").value.trim();
  const trace = element.querySelector(".trace");
  trace.hidden = false;
  trace.replaceChildren();
  const line = (step, summary, detail) => {
    const item = document.createElement("li");
    item.className = "trace-step";
    item.dataset.step = step;
    item.append(step + ": " + summary);
    if (detail) {
      const more = document.createElement("div");
      more.className = "detail";
      more.textContent = detail;
      item.append(more);
    }
    trace.append(item);
  };
  try {
    const answer = await api("/api/pipes/" + encodeURIComponent(pipe) + "/provision?dryRun=" + dryRun + "&id=" + encodeURIComponent(id), {method: "POST"});
    for (const step of answer.steps) {
      const {step: name, summary, ...rest} = step;
      const detail = Object.entries(rest).filter(([, value]) => value != null && !(Array.isArray(value) && value.length === 0))
        .map(([key, value]) => key + ": " + (typeof value === "string" ? value : JSON.stringify(value))).join("\n");
      line(name, summary, detail);
    }
  } catch (error) {
    line("error", error.message, null);
  }
  refresh();
}

// The removals the deletion guard held: the first 20, each with Approve and Reject; the list is rebuilt only when it
// changes, so a refresh never replaces a button under a click
async function renderHeld(status) {
  const element = card(status.pipe);
  const count = status.heldRemovals || 0;
  element.querySelector(".held").hidden = count === 0;
  element.querySelector(".held-count").textContent = count;
  const list = element.querySelector(".held-list");
  const page = count === 0 ? {entries: []}
    : await api("/api/pipes/" + encodeURIComponent(status.pipe) + "/held?limit=20").catch(() => ({entries: []}));
  const key = page.entries.map(entry => entry.sourceId).join("\n");
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(...page.entries.map(entry => {
    const item = document.createElement("li");
    item.className = "held-entry";
    item.dataset.sourceId = entry.sourceId;
    item.title = entry.reason;
    item.append((entry.destination || entry.sourceId) + " — " + entry.action);
    for (const decision of ["approve", "reject"]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = decision;
      button.textContent = decision === "approve" ? "Approve" : "Reject";
      button.addEventListener("click", () => decideHeld(status.pipe, decision, entry.sourceId));
      item.append(button);
    }
    return item;
  }));
}

// Approve: the entry goes down the road now and is removed if it still should be; reject: it is kept, unlinked
async function decideHeld(pipe, decision, sourceId) {
  const result = card(pipe).querySelector(".held-result");
  const which = sourceId == null ? "all=true" : "ids=" + encodeURIComponent(sourceId);
  const why = decision === "reject" ? "&reason=" + encodeURIComponent("rejected on the dashboard") : "";
  try {
    const answer = await api("/api/pipes/" + encodeURIComponent(pipe) + "/held/" + decision + "?" + which + why, {method: "POST"});
    result.textContent = decision === "approve" ? "Approved: " + (answer.entries || 0) + " read again, " + ((answer.outcomes || {}).deleted || 0)
      + " deleted, " + ((answer.outcomes || {}).modified || 0) + " disabled or modified" : "Rejected " + answer.rejected + ": kept, unlinked";
  } catch (error) {
    result.textContent = "Not done: " + error.message;
  }
  refresh();
}

async function refreshAudit() {
  const form = new FormData(document.getElementById("audit-filters"));
  const query = new URLSearchParams({limit: "25"});
  for (const [key, value] of form.entries()) {
    if (value) query.set(key, value);
  }
  const page = await api("/api/audit?" + query);
  document.getElementById("audit-rows").replaceChildren(...page.records.map(record => {
    const row = document.createElement("tr");
    row.className = "audit-record";
    for (const value of [when(record.at), record.pipe, record.operation, record.outcome, record.sourceId, record.destination, record.attributes, record.reason]) {
      const cell = document.createElement("td");
      cell.textContent = value == null ? "" : value;
      cell.title = cell.textContent; // the whole text, where the column cuts it
      row.appendChild(cell);
    }
    return row;
  }));
}

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const all = await api("/api/pipes");
    all.forEach(render);
    await Promise.all(all.map(renderFailures).concat(all.map(renderStartpoint), all.map(renderHeld)));
    await refreshAudit();
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (error) {
    document.getElementById("updated").textContent = "cannot read the API: " + error.message;
  } finally {
    refreshing = false;
  }
}

document.getElementById("audit-filters").addEventListener("input", () => refreshAudit());
refresh();
setInterval(refresh, REFRESH_MS);

// Drives Debian's headless Chromium through idsync's dashboard, as DashboardBrowserTest asks, and prints what a
// person would have seen, as one JSON object: the cards and their figures, the failures, a dry run's preview, a
// resync's progress and its end, a startpoint set from the card, a dry run of provision on demand and its trace, held
// removals approved and rejected, the audit log. It asserts nothing itself: the Java test compares with the API.
//
//   node dashboard-check.mjs <url> <user> <password> <pipe> <screenshot.png> <an entry to provision on demand, dry run>
import puppeteer from "puppeteer-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [url, user, password, pipe, screenshot, onDemand] = process.argv.slice(2);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "idsync-chromium-"));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  userDataDir: profile,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
const seen = {};
try {
  const page = await browser.newPage();
  await page.setViewport({width: 1400, height: 1000});
  await page.authenticate({username: user, password});
  const response = await page.goto(url, {waitUntil: "load"});
  seen.status = response.status();
  const card = `article.pipe[data-pipe="${pipe}"]`;
  await page.waitForSelector(`${card} dd.figure[data-figure="impacted"]`, {timeout: 20000});
  // the failures of the pipe, with their reasons, as the page lists them once it has read them
  await page.waitForFunction(c => document.querySelectorAll(`${c} li.failure`).length > 0, {timeout: 20000}, card);
  seen.cards = await page.$$eval("article.pipe", cards => cards.map(c => ({
    pipe: c.dataset.pipe,
    state: c.querySelector(".state").textContent,
    heldBy: c.querySelector(".held-by").textContent,
    kind: c.querySelector(".summary-title").textContent,
    figures: Object.fromEntries([...c.querySelectorAll("dd.figure")].map(d => [d.dataset.figure, Number(d.textContent)])),
    failures: [...c.querySelectorAll("li.failure")].map(li => li.textContent),
  })));

  // Dry run: the preview table lists what a resync would change
  await page.click(`${card} button.dry-run`);
  await page.waitForFunction(c => document.querySelector(`${c} .last-run`).textContent.startsWith("Dry run "), {timeout: 60000}, card);
  seen.dryRun = await page.$eval(card, c => ({
    lastRun: c.querySelector(".last-run").textContent,
    preview: [...c.querySelectorAll(".preview tbody td")].map(td => td.textContent),
    previewShown: !c.querySelector(".preview").hidden,
  }));

  // Resync: the progress bar shows while it runs, then the result
  const progress = [];
  await page.click(`${card} button.resync`);
  const started = Date.now();
  while (Date.now() - started < 60000) {
    const now = await page.$eval(card, c => ({
      shown: !c.querySelector(".run").hidden,
      value: c.querySelector(".run-progress").value,
      max: c.querySelector(".run-progress").max,
      text: c.querySelector(".run-text").textContent,
      disabled: c.querySelector("button.resync").disabled,
      lastRun: c.querySelector(".last-run").textContent,
    }));
    if (progress.length === 0 || progress[progress.length - 1].text !== now.text || progress[progress.length - 1].lastRun !== now.lastRun) {
      progress.push(now);
    }
    if (now.lastRun.startsWith("Resync ")) break;
    await new Promise(resolve => setTimeout(resolve, 25));
  }
  seen.resync = progress;

  // Set startpoint: first something the source cannot take, then end; the card says where the feed reads from
  const startpoint = {before: await page.$eval(card, c => c.querySelector(".startpoint-position").textContent)};
  for (const [key, at] of [["refused", "beginning"], ["set", "end"]]) {
    await page.$eval(`${card} .startpoint input[name=at]`, (input, value) => input.value = value, at);
    await page.$eval(`${card} .startpoint-result`, r => r.textContent = "");
    await page.click(`${card} button.set-startpoint`);
    await page.waitForFunction(c => document.querySelector(`${c} .startpoint-result`).textContent !== "", {timeout: 20000}, card);
    startpoint[key] = await page.$eval(`${card} .startpoint-result`, r => r.textContent);
  }
  startpoint.after = await page.$eval(card, c => c.querySelector(".startpoint-position").textContent);
  seen.startpoint = startpoint;

  // the audit log shows the runs and the startpoint's move, newest first (before the held removals' decisions fill it)
  await page.waitForFunction(() => [...document.querySelectorAll("tr.audit-record")].some(r => r.textContent.includes("resync-finished")), {timeout: 20000});
  await page.waitForFunction(() => [...document.querySelectorAll("tr.audit-record")].some(r => r.textContent.includes("startpoint-set")), {timeout: 20000});
  seen.audit = await page.$$eval("tr.audit-record", rows => rows.slice(0, 10).map(r => [...r.querySelectorAll("td")].map(td => td.textContent)));

  // the failures filtered by category: none is a conflict, the refused phone is the schema's
  const failuresBy = {};
  await page.$eval(`${card} details.failures-box`, d => d.open = true);
  for (const [category, some] of [["conflict", false], ["schema", true]]) {
    await page.select(`${card} select.failure-category`, category);
    await page.waitForFunction((c, k, s) => {
      const items = [...document.querySelectorAll(`${c} li.failure`)];
      return (!s || items.length > 0) && items.every(li => li.dataset.category === k);
    }, {timeout: 20000}, card, category, some);
    failuresBy[category] = await page.$$eval(`${card} li.failure`, items => items.map(li => li.textContent));
  }
  seen.failuresBy = failuresBy;

  // provision on demand, a dry run: the trace's steps as the card lists them
  await page.$eval(`${card} .provision input[name=id]`, (input, value) => input.value = value, onDemand);
  await page.click(`${card} button.provision-dry`);
  await page.waitForFunction(c => document.querySelectorAll(`${c} li.trace-step[data-step=outcome], ${c} li.trace-step[data-step=error]`).length > 0,
    {timeout: 30000}, card);
  seen.provision = await page.$eval(card, c => ({
    steps: [...c.querySelectorAll("li.trace-step")].map(li => li.dataset.step),
    text: c.querySelector(".trace").textContent,
  }));

  // the removals the deletion guard held: the first approved from its line, the rest rejected with Reject all
  await page.waitForFunction(c => !document.querySelector(`${c} .held`).hidden && document.querySelectorAll(`${c} li.held-entry`).length > 0,
    {timeout: 20000}, card);
  const held = await page.$eval(card, c => ({
    count: Number(c.querySelector(".held-count").textContent),
    entries: [...c.querySelectorAll("li.held-entry")].map(li => ({sourceId: li.dataset.sourceId, text: li.firstChild.textContent, reason: li.title})),
  }));
  await page.click(`${card} li.held-entry button.approve`);
  await page.waitForFunction(c => document.querySelector(`${c} .held-result`).textContent !== "", {timeout: 60000}, card);
  held.approved = await page.$eval(`${card} .held-result`, r => r.textContent);
  await page.waitForFunction((c, n) => Number(document.querySelector(`${c} .held-count`).textContent) === n - 1, {timeout: 20000}, card, held.count);
  await page.$eval(`${card} .held-result`, r => r.textContent = "");
  await page.click(`${card} button.reject-all`);
  await page.waitForFunction(c => document.querySelector(`${c} .held-result`).textContent !== "", {timeout: 60000}, card);
  held.rejected = await page.$eval(`${card} .held-result`, r => r.textContent);
  await page.waitForFunction(c => document.querySelector(`${c} .held`).hidden, {timeout: 20000}, card);
  seen.held = held;

  await page.screenshot({path: screenshot, fullPage: true});
} catch (error) {
  seen.error = String(error && error.stack || error);
} finally {
  await browser.close();
  fs.rmSync(profile, {recursive: true, force: true});
}
process.stdout.write(JSON.stringify(seen) + "\n");

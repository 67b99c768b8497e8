// clinreason run browser: list the runs, filter a run's cases, open a trace in the page's trace
// view, compare two runs. The server renders every fragment with autoescaping; this script only
// places them. Uses headers(), say(), fail() and currentTrace from web.js.
"use strict";

let openRun = null;

async function getJSON(path, params) {
  const query = new URLSearchParams({ ...params, html: "true" });
  const response = await fetch(`${path}?${query}`, { headers: headers("application/json") });
  let d = {};
  try { d = await response.json(); } catch (_) { /* not JSON */ }
  if (!response.ok) throw new Problem(d.error || `The server answered ${response.status}.`, response.status);
  return d;
}

class Problem extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

// Fetch a fragment into the element `where`; null (and a message) when it fails.
async function place(where, path, params, doing) {
  $("error").hidden = true;
  say(doing);
  try {
    const d = await getJSON(path, params);
    $(where).innerHTML = d.html;
    say("");
    return d;
  } catch (e) {
    say("");
    fail(e instanceof Problem ? e.message : "Could not reach the server: " + e.message,
      e.status === 401 ? "token" : null);
    return null;
  }
}

const loadRuns = () => place("runs", "/v1/runs", {}, "Reading the runs…");

async function openCases(run, show) {
  openRun = run;
  const d = await place("cases", "/v1/runs/cases", { run, show }, "Reading the cases…");
  if (d) say(`${d.matching} of ${d.total} cases shown.`);
}

async function openCase(run, caseId) {
  const d = await place("result", "/v1/runs/case", { run, case_id: caseId }, "Reading the trace…");
  if (!d) return;
  currentTrace = d.trace;  // for the "What if?" form
  $("result").focus();
}

function compare(event) {
  event.preventDefault();
  place("compare", "/v1/runs/compare", { baseline: $("baseline").value, other: $("other").value },
    "Comparing…");
}

document.addEventListener("DOMContentLoaded", () => {
  $("load-runs").addEventListener("click", loadRuns);
  $("runs").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-run]");
    if (button) openCases(button.dataset.run, "all");
  });
  $("runs").addEventListener("submit", compare);
  $("cases").addEventListener("change", (e) => { if (e.target.id === "show") openCases(openRun, e.target.value); });
  $("cases").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-case]");
    if (button) openCase(openRun, button.dataset.case);
  });
  $("compare").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-case]");
    if (button) openCase(button.dataset.run, button.dataset.case);
  });
  if ($("runs-controls").dataset.tokenRequired === "no") loadRuns();
});

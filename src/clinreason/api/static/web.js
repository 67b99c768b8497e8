// clinreason web page: send the case, show each streamed step, then the result view.
// The server renders every fragment with autoescaping; this script only places them.
"use strict";

const OPTION_LINE = /^\s*\(?[A-J][.):]\s+\S/;

function $(id) { return document.getElementById(id); }

function say(text) { $("status").textContent = text; }

function fail(text, focusId) {
  const box = $("error");
  box.textContent = text;
  box.hidden = false;
  if (focusId && $(focusId)) $(focusId).focus();
}

// The request body: a pasted/dropped case JSON, or the note, question and options as text.
function buildBody() {
  const body = { strategy: $("strategy").value };
  const raw = $("case-json").value.trim();
  if (raw) {
    let data;
    try { data = JSON.parse(raw); } catch (e) {
      throw new InputProblem("The case JSON is not valid JSON: " + e.message, "case-json");
    }
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      throw new InputProblem("The case JSON must be an object with a question.", "case-json");
    }
    body.case = data.case && typeof data.case === "object" ? data.case : data;
    return body;
  }
  const note = $("note").value;
  const question = $("question").value.trim();
  const options = $("options").value.split("\n").filter((l) => l.trim());
  options.forEach((line, i) => {
    if (!OPTION_LINE.test(line)) {
      throw new InputProblem(`Option line ${i + 1} should start with a letter, as "A. text".`, "options");
    }
  });
  if (!note.trim() && !question) {
    throw new InputProblem("Write a note and a question, or give a case JSON.", "note");
  }
  let text = note;
  if (question) text += "\nQuestion: " + question;
  if (options.length) text += "\n" + options.join("\n");
  body.text = text;
  return body;
}

class InputProblem extends Error {
  constructor(message, field) { super(message); this.field = field; }
}

// The trace the result view shows (the "What if?" form sends it back with the changes).
let currentTrace = null;

function headers(accept = "text/event-stream") {
  const h = { "Content-Type": "application/json", Accept: accept };
  const token = $("token");
  if (token && token.value.trim()) h.Authorization = "Bearer " + token.value.trim();
  return h;
}

function figures(d) {
  const parts = [`${d.elapsed_s.toFixed(1)} s`];
  if (d.tokens) parts.push(`${d.tokens} tokens`);
  if (d.tokens_per_s) parts.push(`${d.tokens_per_s.toFixed(1)} tokens/s`);
  return parts.join(" · ");
}

const handlers = {
  status(d) { say(d.text === "running" ? "Running…" : d.text); },
  tick(d) { $("progress").textContent = `Working: ${figures(d)}`; },
  // A model call under way: its step in progress, then its words as they come.
  model_start(d) {
    $("live-steps").insertAdjacentHTML("beforeend", d.html);
    $("progress").textContent = `Step ${d.number}: asking the model · ${figures(d)}`;
  },
  model_text(d) {
    const box = $("live-call-text");
    if (!box) return;
    if (d.at === box.textContent.length) box.append(d.text);  // only the new words are read out
    else box.textContent = box.textContent.slice(0, d.at) + d.text;
    box.scrollTop = box.scrollHeight;
    $("progress").textContent = `Step ${d.number}: the model is writing · ${figures(d)}`;
  },
  step(d) {
    const calling = $("live-call");
    if (calling && d.kind === "llm_call") calling.outerHTML = d.html;  // the finished call
    else if (calling) calling.insertAdjacentHTML("beforebegin", d.html);
    else $("live-steps").insertAdjacentHTML("beforeend", d.html);
    $("progress").textContent = `${d.number} step${d.number === 1 ? "" : "s"} · ${figures(d)}`;
  },
  done(d) {
    currentTrace = d.trace;
    $("live").hidden = true;
    $("result").innerHTML = d.html;
    say(d.error ? `No answer (${figures(d)}).` : `Answered in ${figures(d)}.`);
    if (d.error) fail(d.error);
    $("result").focus();
  },
  error(d) { say(""); fail(d.error); },
};

// Read "event: x / data: {...}" blocks from the response as they arrive.
async function readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let finished = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (handlers[event] && data) handlers[event](JSON.parse(data));
      finished = finished || event === "done" || event === "error";
    }
  }
  if (!finished) fail("The connection ended before the answer arrived.");
}

async function explainCase(event) {
  event.preventDefault();
  $("error").hidden = true;
  let body;
  try { body = buildBody(); } catch (e) {
    if (e instanceof InputProblem) { fail(e.message, e.field); return; }
    throw e;
  }
  const button = $("run");
  button.disabled = true;
  $("result").innerHTML = "";
  $("live-steps").innerHTML = "";
  $("progress").textContent = "";
  $("live").hidden = false;
  say("Sending…");
  try {
    const response = await fetch("/v1/explain/stream", {
      method: "POST", headers: headers(), body: JSON.stringify(body),
    });
    if (!response.ok) {
      let message = `The server answered ${response.status}.`;
      try { message = (await response.json()).error || message; } catch (_) { /* not JSON */ }
      const retry = response.headers.get("Retry-After");
      if (retry) message += ` Try again in ${retry} s.`;
      $("live").hidden = true;
      say("");
      fail(message, response.status === 401 ? "token" : null);
      return;
    }
    await readEvents(response);
  } catch (e) {
    fail("Could not reach the server: " + e.message);
  } finally {
    button.disabled = false;
  }
}

// "What if?": send the trace and the changed calculator inputs; show the recomputed result.
function fieldChanged(el) {
  if (!el) return false;
  if (el.tagName === "SELECT") return !el.options[el.selectedIndex].defaultSelected;
  return el.value !== el.defaultValue;
}

function asNumber(raw) {
  const n = Number(raw);
  return raw !== "" && Number.isFinite(n) ? n : raw;  // not a number: the server says why
}

function fieldValue(row) {
  const id = row.dataset.field;
  const raw = $(id).value.trim();
  if (raw === "") return null;  // not given: the calculator's default applies
  switch (row.dataset.kind) {
    case "bool": return raw === "yes";
    case "measurement": return [asNumber(raw), $(id + "-unit").value.trim()];
    case "number": return asNumber(raw);
    default: return raw;
  }
}

function clearWhatIf() {
  document.querySelectorAll(".whatif-changed").forEach((el) => el.classList.remove("whatif-changed"));
  $("whatif-result").innerHTML = "";
  $("whatif-error").hidden = true;
}

async function whatIf(event) {
  if (event.target.id !== "whatif-form") return;
  event.preventDefault();
  clearWhatIf();
  const changes = {};
  event.target.querySelectorAll("tr[data-field]").forEach((row) => {
    const id = row.dataset.field;
    if (fieldChanged($(id)) || fieldChanged($(id + "-unit"))) changes[row.dataset.name] = fieldValue(row);
  });
  const problem = $("whatif-error");
  if (!Object.keys(changes).length) {
    problem.textContent = "Change a value first.";
    problem.hidden = false;
    return;
  }
  try {
    const response = await fetch("/v1/whatif?html=true", {
      method: "POST", headers: headers("application/json"),
      body: JSON.stringify({ trace: currentTrace, changes }),
    });
    let d = {};
    try { d = await response.json(); } catch (_) { /* not JSON */ }
    if (!response.ok) {
      problem.textContent = d.error || `The server answered ${response.status}.`;
      problem.hidden = false;
      return;
    }
    $("whatif-result").innerHTML = d.html;
    d.changed_steps.forEach((id) => { const el = $("step-" + id); if (el) el.classList.add("whatif-changed"); });
    say(`What if: ${$("whatif-answer").textContent.replace(/\s+/g, " ").trim()}`);
  } catch (e) {
    problem.textContent = "Could not reach the server: " + e.message;
    problem.hidden = false;
  }
}

// "Why?" on a step: ask the model about it (and follow-up questions); each sentence of the
// answer comes back badged by its check.
async function askWhy(step, question) {
  const box = step.querySelector(".why-box");
  const problem = box.querySelector(".error");
  const ask = box.querySelector(".why-form button");
  const number = step.getAttribute("value");
  problem.hidden = true;
  ask.disabled = true;
  say(`Asking the model about step ${number}…`);
  try {
    const response = await fetch("/v1/why?html=true", {
      method: "POST", headers: headers("application/json"),
      body: JSON.stringify({ trace: currentTrace, step: step.dataset.step, question }),
    });
    let d = {};
    try { d = await response.json(); } catch (_) { /* not JSON */ }
    if (!response.ok) {
      let message = d.error || `The server answered ${response.status}.`;
      const retry = response.headers.get("Retry-After");
      if (retry) message += ` Try again in ${retry} s.`;
      problem.textContent = message;
      problem.hidden = false;
      say("");
      return;
    }
    box.querySelector(".why-answers").insertAdjacentHTML("beforeend", d.html);
    const checked = d.sentences.filter((s) => s.status === "supported").length;
    const against = d.sentences.filter((s) => s.status === "contradicted").length;
    say(`Answer on step ${number}: ${d.sentences.length} sentences, ${checked} checked, ${against} contradicted.`);
  } catch (e) {
    problem.textContent = "Could not reach the server: " + e.message;
    problem.hidden = false;
  } finally {
    ask.disabled = false;
  }
}

function openWhy(event) {
  const button = event.target.closest("button.why-open");
  if (!button) return;
  const step = button.closest("li.step");
  const box = step.querySelector(".why-box");
  const opening = box.hidden;
  box.hidden = !opening;
  button.setAttribute("aria-expanded", String(opening));
  if (!opening) return;
  box.querySelector("input").focus();
  if (!box.querySelector(".why-answer")) askWhy(step, "Why?");
}

function followUp(event) {
  const form = event.target.closest("form.why-form");
  if (!form) return;
  event.preventDefault();
  const input = form.querySelector("input");
  askWhy(form.closest("li.step"), input.value.trim() || "Why?");
  input.value = "";
}

function loadFile(file) {
  if (!file) return;
  if (file.size > 1048576) { fail("That file is larger than 1 MiB.", "case-json"); return; }
  file.text().then((text) => { $("case-json").value = text; say(`Loaded ${file.name}.`); });
}

// A click on a highlight or a link to a step or span moves keyboard focus there too.
function followLink(event) {
  const link = event.target.closest("a[href^='#step-'], a[href^='#span-']");
  if (!link) return;
  const target = $(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault();
  history.replaceState(null, "", link.getAttribute("href"));
  document.querySelectorAll(".current").forEach((el) => el.classList.remove("current"));
  target.classList.add("current");
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
}

document.addEventListener("DOMContentLoaded", () => {
  $("result").addEventListener("click", followLink);
  $("result").addEventListener("click", openWhy);
  $("result").addEventListener("submit", whatIf);
  $("result").addEventListener("submit", followUp);
  $("result").addEventListener("reset", (e) => { if (e.target.id === "whatif-form") clearWhatIf(); });
  if (!$("case-form")) return;  // the run browser page has no case form
  $("case-form").addEventListener("submit", explainCase);
  $("case-file").addEventListener("change", (e) => loadFile(e.target.files[0]));
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    loadFile(e.dataTransfer.files[0]);
  });
});

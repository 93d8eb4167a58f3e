/**
 * The conversations view (console_conversations.html): the filters and the search, the
 * results a page at a time (the bridge's cursor), and one conversation opened read-only
 * (conversations_record.js). The address keeps the search and the open conversation
 * (`?q=…&open=<id>`), so a link from the console opens it, and Back and reload keep it.
 *
 * Keyboard: "/" goes to the search box; Up and Down move through the results, Enter (they are
 * buttons) opens one and moves to it; Escape closes it and goes back to its result.
 */

import { request } from "/staff/request.js";
import { byId, el, textEl } from "../shared/dom.js";
import { appendSegments, createRecordView } from "./conversations_record.js";
import { stringsFor } from "./conversations_strings.js";
import { fullTime } from "./format.js";

const PAGE = 20;
const FILTERS = ["status", "language", "handed_off", "nps", "agent", "date_field"];
const lang = document.body.dataset.lang || "en";
const t = stringsFor(lang);
const enc = encodeURIComponent;

const form = byId("cv-filters");
const query = byId("cv-q");
const results = byId("cv-results");
const status = byId("cv-status");
const more = byId("cv-more");
const recordPanel = byId("cv-record");
const recordHeading = byId("cv-record-heading");
const notice = byId("notice");
const live = byId("live-polite");
const record = createRecordView(
  {
    facts: byId("cv-facts"),
    transcript: byId("cv-transcript"),
    notes: byId("cv-notes"),
    handoffs: byId("cv-handoffs"),
    nps: byId("cv-nps"),
    feedback: byId("cv-feedback"),
  },
  t,
  lang,
);

let cursor = null;
let shownParams = new URLSearchParams(); // the search the shown results are for
let shownQuery = ""; // its words: an opened record marks them
let searching = null; // the AbortController of the search in flight
let openId = null;

function say(text) {
  notice.hidden = !text;
  byId("notice-text").textContent = text || "";
}

function problem(response) {
  if (response.status === 0) return t.network;
  return t.refused[response.body?.code] || t.failed;
}

/** A date input's day as the instant its local midnight is; `next` adds a day (an end). */
function dayStart(value, next) {
  const day = new Date(`${value}T00:00:00`);
  if (Number.isNaN(day.getTime())) return null;
  if (next) day.setDate(day.getDate() + 1);
  return day.toISOString();
}

/** The list's parameters from the form (what the address keeps too). */
function formParams() {
  const data = new FormData(form);
  const params = new URLSearchParams();
  const q = String(data.get("q") || "").trim();
  if (q) params.set("q", q);
  for (const name of FILTERS) {
    const value = String(data.get(name) || "");
    if (value && !(name === "date_field" && value === "updated")) params.set(name, value);
  }
  for (const name of ["from", "to"]) {
    const value = String(data.get(name) || "");
    if (value) params.set(name, value);
  }
  return params;
}

/** The API's parameters: the days of the form as instants, the `to` day inclusive. */
function apiParams(params) {
  const api = new URLSearchParams(params);
  for (const [name, next] of [["from", false], ["to", true]]) {
    if (!api.has(name)) continue;
    const instant = dayStart(api.get(name), next);
    if (instant) api.set(name, instant);
    else api.delete(name);
  }
  return api;
}

function setAddress(params, replace) {
  const shown = new URLSearchParams(params);
  if (openId) shown.set("open", openId);
  if (lang !== "en") shown.set("lang", lang);
  const address = `${location.pathname}${shown.size ? `?${shown}` : ""}`;
  if (address === `${location.pathname}${location.search}`) return;
  history[replace ? "replaceState" : "pushState"](null, "", address);
}

function resultItem(hit) {
  const item = el("li", "cv-result");
  const button = el("button", "cv-result-button", {
    type: "button", "data-testid": "result", "data-conversation-id": hit.conversation_id,
    "aria-controls": "cv-record",
  });
  const head = el("span", "cv-result-head");
  head.append(
    textEl("time", "cv-when", fullTime(hit.updated_at, lang), { datetime: hit.updated_at }),
    textEl("span", `cv-tag cv-status-${hit.status}`, t.statuses[hit.status] ?? hit.status),
    textEl("span", "cv-tag", t.languages[hit.language] ?? hit.language),
  );
  if (hit.erased) head.append(textEl("span", "cv-tag cv-erased", t.erased));
  button.append(head, textEl("span", "cv-topic", hit.topic || t.noTopic));
  const facts = [t.messages(hit.message_count)];
  if (hit.handoffs) facts.push(t.handoffs(hit.handoffs));
  if (hit.agents.length) facts.push(t.agents(hit.agents.map((a) => a.display_name).join(", ")));
  if (hit.nps_score !== null) facts.push(t.nps(hit.nps_score));
  button.append(textEl("span", "cv-meta", facts.join(" · ")));
  for (const snippet of hit.snippets) {
    const line = el("span", "cv-snippet", { "data-testid": "snippet" });
    line.append(textEl("span", "cv-role", `${t.roles[snippet.role] ?? snippet.role}: `));
    button.append(appendSegments(line, snippet.segments));
  }
  button.addEventListener("click", () => open(hit.conversation_id, { focus: true }));
  item.append(button);
  return item;
}

/** The first page for the form (`append`: the next page of the same search). */
async function search({ append = false } = {}) {
  // The next page continues the shown search, whatever has been typed since.
  const params = append ? shownParams : formParams();
  searching?.abort();
  const controller = new AbortController();
  searching = controller;
  const api = apiParams(params);
  api.set("limit", String(PAGE));
  if (append && cursor) api.set("cursor", cursor);
  status.textContent = t.searching;
  results.setAttribute("aria-busy", "true");
  const response = await request("GET", `/api/staff/conversations?${api}`, { signal: controller.signal });
  if (response.aborted || searching !== controller) return;
  searching = null;
  results.removeAttribute("aria-busy");
  if (!append) results.replaceChildren();
  if (!response.ok) {
    cursor = null;
    more.hidden = true;
    status.textContent = problem(response);
    return;
  }
  shownParams = params;
  shownQuery = params.get("q") || "";
  cursor = response.body.next_cursor;
  results.append(...response.body.conversations.map(resultItem));
  more.hidden = !cursor;
  const count = results.children.length;
  status.textContent = count ? t.found(count, Boolean(cursor)) : t.none;
  markOpen();
}

function markOpen() {
  for (const button of results.querySelectorAll('[data-testid="result"]')) {
    if (button.dataset.conversationId === openId) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
}

/** Opens one conversation read-only, its found words marked when a search is shown. */
async function open(conversationId, { focus = false, push = true } = {}) {
  const q = shownQuery ? `?q=${enc(shownQuery)}` : "";
  const response = await request("GET", `/api/staff/conversations/${enc(conversationId)}/record${q}`);
  if (!response.ok) {
    say(response.status === 404 ? t.notFound : problem(response));
    return;
  }
  say("");
  openId = conversationId;
  record.show(response.body);
  recordPanel.hidden = false;
  recordPanel.dataset.conversationId = conversationId;
  markOpen();
  if (push) setAddress(formParams(), false);
  live.textContent = t.opened;
  if (focus) recordHeading.focus();
}

function close() {
  if (recordPanel.hidden) return;
  const was = openId;
  openId = null;
  recordPanel.hidden = true;
  markOpen();
  setAddress(formParams(), false);
  const button = [...results.querySelectorAll('[data-testid="result"]')].find((b) => b.dataset.conversationId === was);
  (button || query).focus();
}

/** Fills the form from the address (first load, Back and Forward). */
function fromAddress() {
  // Field by field: form.reset() would fire the form's reset handler (a search of its own).
  const params = new URLSearchParams(location.search);
  query.value = params.get("q") || "";
  for (const name of [...FILTERS, "from", "to"]) {
    const field = form.elements.namedItem(name);
    if (field) field.value = params.get(name) || (name === "date_field" ? "updated" : "");
  }
  return params.get("open");
}

async function load() {
  const wanted = fromAddress();
  await search();
  if (wanted) await open(wanted, { focus: true, push: false });
  else if (!recordPanel.hidden) {
    openId = null;
    recordPanel.hidden = true;
    markOpen();
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  openId = null;
  recordPanel.hidden = true;
  setAddress(formParams(), false);
  search();
});
form.addEventListener("reset", () => {
  // After the browser has cleared the fields.
  setTimeout(() => {
    setAddress(formParams(), false);
    search();
  });
});
form.addEventListener("change", (event) => {
  if (event.target !== query) form.requestSubmit();
});
more.addEventListener("click", () => search({ append: true }));
byId("cv-record-close").addEventListener("click", close);
window.addEventListener("popstate", load);

results.addEventListener("keydown", (event) => {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const buttons = [...results.querySelectorAll('[data-testid="result"]')];
  const at = buttons.indexOf(document.activeElement);
  const next = buttons[at + (event.key === "ArrowDown" ? 1 : -1)];
  if (next) {
    event.preventDefault();
    next.focus();
  }
});
query.addEventListener("keydown", (event) => {
  if (event.key === "ArrowDown") {
    event.preventDefault();
    results.querySelector('[data-testid="result"]')?.focus();
  }
});
document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLElement && event.target.closest("input, textarea, select");
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    query.focus();
    query.select();
  } else if (event.key === "Escape" && !recordPanel.hidden) {
    event.preventDefault();
    close();
  }
});

load();

/**
 * One conversation's record, read-only: facts, transcript (the words of the search it was
 * opened from marked), private notes, handoff history, NPS answers and answer feedback.
 * Everything is built as nodes with text (../shared/dom.js); the marks come from the bridge
 * as segments, so no text is ever parsed as markup.
 */

import { el, textEl } from "../shared/dom.js";
import { fullTime, safeHttpUrl } from "./format.js";

/** The pieces of a text, each found word in a <mark>, appended to `node`. */
export function appendSegments(node, segments) {
  for (const segment of segments) {
    node.append(segment.hit ? textEl("mark", "cv-hit", segment.text) : document.createTextNode(segment.text));
  }
  return node;
}

function timeEl(iso, lang) {
  return textEl("time", "", fullTime(iso, lang), { datetime: iso });
}

function fact(list, label, value) {
  list.append(textEl("dt", "", label));
  const dd = el("dd");
  dd.append(value);
  list.append(dd);
}

function fill(list, items, empty, render) {
  list.replaceChildren();
  if (!items.length) {
    list.append(textEl("li", "empty", empty));
    return;
  }
  for (const item of items) list.append(render(item));
}

/**
 * @param {object} nodes  {facts, transcript, notes, handoffs, nps, feedback}: the page's lists
 * @param {object} t      conversations_strings.js's strings
 * @param {string} lang
 */
export function createRecordView(nodes, t, lang) {
  function renderFacts(record) {
    const facts = nodes.facts;
    facts.replaceChildren();
    fact(facts, t.facts.status, document.createTextNode(t.statuses[record.status] ?? record.status));
    fact(facts, t.facts.language, document.createTextNode(t.languages[record.language] ?? record.language));
    fact(facts, t.facts.started, timeEl(record.created_at, lang));
    fact(facts, t.facts.updated, timeEl(record.updated_at, lang));
    if (record.erased_at) fact(facts, t.facts.erased, timeEl(record.erased_at, lang));
    const url = safeHttpUrl(record.page_url);
    if (url) {
      const link = textEl("a", "", url, { href: url, target: "_blank", rel: "noopener noreferrer" });
      fact(facts, t.facts.page, link);
    } else if (record.page_url) {
      fact(facts, t.facts.page, document.createTextNode(record.page_url));
    }
    if (record.visitor_id) fact(facts, t.facts.visitor, document.createTextNode(record.visitor_id));
  }

  function renderMessage(message) {
    const found = Array.isArray(message.segments);
    const item = el("li", `msg msg-${message.role}${found ? " cv-found" : ""}`, {
      "data-testid": "record-message", "data-role": message.role, "data-seq": String(message.seq),
    });
    const meta = el("div", "msg-meta");
    meta.append(textEl("span", "msg-author", message.author || t.roles[message.role] || message.role));
    meta.append(timeEl(message.created_at, lang));
    const body = el("p", "msg-text");
    if (found) appendSegments(body, message.segments);
    else body.textContent = message.text;
    item.append(meta, body);
    return item;
  }

  function renderHandoff(handoff) {
    const item = el("li", "cv-item", { "data-testid": "record-handoff" });
    const parts = [
      t.reasons[handoff.reason] ?? handoff.reason,
      t.handoffStatus[handoff.status] ?? handoff.status,
      handoff.claimed_by
        ? t.claimedBy(handoff.claimed_by.display_name, fullTime(handoff.claimed_at, lang))
        : t.unclaimed,
    ];
    if (handoff.ended_at) parts.push(t.ended(fullTime(handoff.ended_at, lang)));
    item.append(timeEl(handoff.created_at, lang), document.createTextNode(` · ${parts.join(" · ")}`));
    return item;
  }

  function renderSurvey(survey) {
    const item = el("li", "cv-item", { "data-testid": "record-nps-answer" });
    const parts = [t.surveyStatus[survey.status] ?? survey.status];
    if (survey.score !== null) parts.push(t.score(survey.score, t.categories[survey.category] ?? survey.category));
    item.append(timeEl(survey.answered_at || survey.asked_at, lang), document.createTextNode(` · ${parts.join(" · ")}`));
    if (survey.reason) item.append(textEl("p", "cv-quote", survey.reason));
    return item;
  }

  function renderFeedback(entry) {
    const item = el("li", "cv-item");
    item.append(
      timeEl(entry.created_at, lang),
      document.createTextNode(` · ${entry.article_id} · ${entry.helpful ? t.helpful : t.notHelpful}`),
    );
    if (entry.query) item.append(textEl("p", "cv-quote", entry.query));
    return item;
  }

  function renderNote(note) {
    const item = el("li", "cv-item", { "data-testid": "record-note" });
    item.append(textEl("strong", "", note.author), document.createTextNode(" · "), timeEl(note.created_at, lang));
    item.append(textEl("p", "cv-quote", note.text));
    return item;
  }

  return {
    show(record) {
      renderFacts(record);
      nodes.transcript.replaceChildren(...record.messages.map(renderMessage));
      fill(nodes.notes, record.notes, t.emptyNotes, renderNote);
      fill(nodes.handoffs, record.handoffs, t.emptyHandoffs, renderHandoff);
      fill(nodes.nps, record.nps, t.emptyNps, renderSurvey);
      fill(nodes.feedback, record.feedback, t.emptyFeedback, renderFeedback);
      // The first found message is what the agent opened the record for.
      nodes.transcript.querySelector(".cv-found")?.scrollIntoView({ block: "center" });
    },
  };
}

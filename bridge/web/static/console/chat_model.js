/**
 * One open chat as the console holds it, and the rules about it that several modules share:
 * whose it is and whether it is still with an agent.
 */

import { isHandoff } from "./queue.js";
import { createTranscript } from "./transcript.js";

export const STATUSES = new Set(["bot", "waiting_for_agent", "with_agent", "closed"]);
const TAB_LABEL_CHARS = 28;

/**
 * @typedef {object} Chat
 * @property {string} id  conversation id
 * @property {string} label  short tab label
 * @property {string} title  the full last question, for tooltips
 * @property {?import("./queue.js").HandoffView} handoff
 * @property {string} status  conversation status ("" until known)
 * @property {string} language
 * @property {string} pageUrl
 * @property {?{id: string, name: ?string, email: ?string, locale: ?string, attributes: object}} customer
 * @property {boolean} customerPresent
 * @property {boolean} customerTyping
 * @property {?number} typingTimer
 * @property {{id: number, author: string, text: string, created_at: string}[]} notes
 * @property {number} unread  customer messages while the tab was not shown
 * @property {?number} scrollTop  saved when the tab is left; null: stick to the bottom
 * @property {ReturnType<typeof createTranscript>} transcript
 */

/**
 * A new chat. The tab is labelled with the start of the customer's question, which tells
 * chats apart better than a number; `fallbackLabel` is used when there is none.
 *
 * @returns {Chat}
 */
export function newChat({ t, lang, scroller, conversationId, handoff, fallbackLabel }) {
  const question = handoff?.context?.last_question?.trim() || "";
  const label = question
    ? (question.length > TAB_LABEL_CHARS ? `${question.slice(0, TAB_LABEL_CHARS - 1)}…` : question)
    : fallbackLabel;
  return {
    id: conversationId,
    label,
    title: question || label,
    handoff: handoff || null,
    status: "",
    language: "",
    pageUrl: "",
    customer: null,
    customerPresent: false,
    customerTyping: false,
    typingTimer: null,
    notes: [],
    unread: 0,
    scrollTop: null,
    transcript: createTranscript({ t, lang, scroller, label }),
  };
}

/** Applies GET /api/staff/conversations/{id}; messages merge by seq, so a refresh duplicates nothing. */
export function applyConversation(chat, body) {
  if (STATUSES.has(body.status)) chat.status = body.status;
  if (typeof body.language === "string") chat.language = body.language;
  if (typeof body.page_url === "string") chat.pageUrl = body.page_url;
  // The signed-in shop customer the bridge checked (null: anonymous).
  if ("customer" in body) chat.customer = body.customer && typeof body.customer === "object" ? body.customer : null;
  if (isHandoff(body.handoff)) chat.handoff = body.handoff;
  chat.customerPresent = Boolean(body.customer_present);
  if (Array.isArray(body.notes)) chat.notes = body.notes;
  chat.transcript.addHistory(body.messages);
}

/** This agent holds the chat's handoff. */
export function isMine(chat, agentId) {
  return chat.handoff?.status === "claimed" && chat.handoff?.claimed_by?.id === agentId;
}

/** The conversation is no longer with an agent: handed back, closed, or its handoff is over. */
export function hasEnded(chat) {
  return chat.status === "bot" || chat.status === "closed"
    || Boolean(chat.handoff && chat.handoff.status !== "claimed" && chat.handoff.status !== "waiting");
}

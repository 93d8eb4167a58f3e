/**
 * The `{name}` placeholders of saved replies, filled in from the chat when a reply is
 * inserted: the one place that knows what each means. The bridge checks the same grammar and
 * names when a reply is saved (bridge/services/reply_placeholders.py), so a saved reply holds
 * only these; `{{` and `}}` stand for a literal brace.
 *
 *   {agent}         the agent's display name
 *   {customer}      the customer's name when the chat knows it, else a neutral word in the
 *                   reply's language ("Hi {customer}," → "Hi there,"; "Kedves {customer}!" →
 *                   "Kedves Ügyfelünk!"). The widget asks no name today, so the handoff
 *                   context carries none yet and the neutral word is what customers see.
 *   {question}      the customer's last question before the handoff
 *   {page}          the page the customer is on
 *   {conversation}  the chat's short id (its first 8 characters), for references
 *
 * A placeholder whose value the chat does not have (no question yet, no page) stays as typed,
 * so the agent sees it in the reply box and fills it in before sending.
 */

export const PLACEHOLDERS = ["agent", "customer", "question", "page", "conversation"];

/** The word `{customer}` becomes when the customer's name is not known, per reply language. */
export const NEUTRAL_CUSTOMER = { en: "there", hu: "Ügyfelünk" };

const SHORT_ID_CHARS = 8;
// Left to right, as the bridge reads it: an escaped brace, a {token}, or a stray brace.
const TOKEN = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;

const text = (value) => (typeof value === "string" && value.trim() ? value.trim() : null);

/**
 * What each placeholder stands for in `chat` (chats.js's model), for a reply in `language`;
 * null where the chat does not know.
 *
 * @param {{chat: ?object, agentName: string, language: string}} options
 * @returns {Record<string, ?string>}
 */
export function placeholderValues({ chat, agentName, language }) {
  const context = chat?.handoff?.context || {};
  return {
    agent: text(agentName),
    // A signed-in customer's name (bridge.services.identity) when the shop passed one.
    customer: text(chat?.customer?.name) || text(context.customer_name)
      || NEUTRAL_CUSTOMER[language] || NEUTRAL_CUSTOMER.en,
    question: text(context.last_question),
    page: text(chat?.pageUrl),
    conversation: chat?.id ? String(chat.id).slice(0, SHORT_ID_CHARS) : null,
  };
}

/**
 * What the bridge would refuse in `template`: names that are not placeholders ("{agnet}"),
 * and braces that are not part of one ("{ agent }", a lone "{"), each listed once. The
 * manager shows them before saving; the bridge checks again.
 *
 * @param {string} template
 * @returns {{unknown: string[], malformed: string[]}}
 */
export function placeholderProblems(template) {
  const unknown = new Set();
  const malformed = new Set();
  for (const match of template.matchAll(TOKEN)) {
    const [token, name] = match;
    if (token === "{{" || token === "}}") continue;
    if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) malformed.add(token);
    else if (!PLACEHOLDERS.includes(name)) unknown.add(token);
  }
  return { unknown: [...unknown], malformed: [...malformed] };
}

/**
 * `template` with its placeholders replaced by `values`; unknown placeholders, ones without
 * a value, and stray braces stay as typed.
 *
 * @param {string} template
 * @param {Record<string, ?string>} values
 */
export function fillPlaceholders(template, values) {
  return template.replace(TOKEN, (token, name) => {
    if (token === "{{") return "{";
    if (token === "}}") return "}";
    if (name !== undefined && PLACEHOLDERS.includes(name) && values[name] != null) return values[name];
    return token;
  });
}

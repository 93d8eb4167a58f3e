/**
 * The active chat's context: why the bot handed over, the customer's last question, the
 * articles the bot showed (with their retrieval scores, so the agent can judge why they did
 * not help), the customer's language, the page they are on and whether they are still there,
 * a signed-in customer's name, e-mail and the attributes the shop passed (bridge side:
 * bridge.services.identity), and a returning customer's earlier chats (customer_history.js).
 */

import { createCustomerHistory } from "./customer_history.js";
import { byId, el, textEl } from "../shared/dom.js";
import { score, safeHttpUrl } from "./format.js";

/** @param {{t: object, lang: string}} options */
export function createContextPanel({ t, lang }) {
  const history = createCustomerHistory({ t, lang, summary: byId("ctx-returning"), list: byId("ctx-history") });
  const nodes = {
    reason: byId("ctx-reason"),
    question: byId("ctx-question"),
    articles: byId("ctx-articles"),
    language: byId("ctx-language"),
    page: byId("ctx-page"),
    presence: byId("ctx-presence"),
    identity: byId("ctx-identity"),
  };

  /** Name, e-mail and attributes come from the shop's page: text only, never markup or links. */
  function renderIdentity(customer) {
    if (!customer || typeof customer.id !== "string") {
      nodes.identity.replaceChildren(textEl("span", "muted", t.notSignedIn));
      return;
    }
    const lines = [textEl("div", "ctx-identity-name", customer.name || customer.id, { "data-testid": "customer-name" })];
    if (customer.email) lines.push(textEl("div", "ctx-identity-email", customer.email, { "data-testid": "customer-email" }));
    const attributes = customer.attributes && typeof customer.attributes === "object" ? Object.entries(customer.attributes) : [];
    if (attributes.length) {
      const list = el("ul", "ctx-identity-attributes", { "data-testid": "customer-attributes" });
      list.append(...attributes.map(([name, value]) => textEl("li", "", `${name}: ${String(value)}`)));
      lines.push(list);
    }
    nodes.identity.replaceChildren(...lines);
  }

  function renderArticles(articles) {
    const valid = Array.isArray(articles) ? articles.filter((a) => a && typeof a.title === "string") : [];
    if (!valid.length) {
      nodes.articles.replaceChildren(textEl("li", "muted", t.none));
      return;
    }
    nodes.articles.replaceChildren(...valid.map((article) => {
      const item = el("li", "ctx-article", { "data-article-id": String(article.id ?? "") });
      item.append(textEl("span", "ctx-article-title", article.title), " ",
        textEl("span", "score", score(article.score), { title: t.kbScore(score(article.score)) }));
      return item;
    }));
  }

  /** The page URL is the customer's: linked only when it is plain http(s), never followed with our referrer. */
  function renderPage(pageUrl) {
    const url = safeHttpUrl(pageUrl);
    if (!url) {
      nodes.page.replaceChildren(textEl("span", "muted", pageUrl || t.unknown));
      return;
    }
    const link = textEl("a", "ctx-page-link", url, { href: url, target: "_blank", rel: "noopener noreferrer" });
    nodes.page.replaceChildren(link);
  }

  /**
   * @param {?object} chat  the active chat (see chats.js), or null for none
   */
  function render(chat) {
    if (!chat) return;
    const context = chat.handoff?.context || {};
    nodes.reason.textContent = t.reasons[chat.handoff?.reason] || t.unknown;
    nodes.question.textContent = context.last_question?.trim() || t.noQuestion;
    renderArticles(context.articles);
    nodes.language.textContent = t.languages[chat.language] || chat.language || t.unknown;
    renderPage(chat.pageUrl);
    renderIdentity(chat.customer);
    renderPresence(chat);
    history.render(chat);
  }

  function renderPresence(chat) {
    nodes.presence.textContent = chat.customerPresent ? t.customerPresent : t.customerGone;
    nodes.presence.dataset.present = String(Boolean(chat.customerPresent));
  }

  return { render, renderPresence };
}

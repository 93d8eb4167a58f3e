/**
 * The widget's DOM skeleton: host element, shadow root, launcher, panel and composer.
 *
 * Built once per page view; afterwards view.js only toggles, fills and appends nodes. The
 * data-testid attributes are the contract with the browser tests, and the ARIA roles and
 * labels are the contract with screen readers; keep both when changing the markup.
 */

import { el, icon } from "../shared/dom.js";
import { ICONS } from "./icons.js";
import { buildStyles } from "./styles.js";

/** The host element's id, so a page (or a test) can find the widget's shadow root. */
export const HOST_ID = "northwind-support-widget";

/**
 * Builds the whole widget, detached from the document.
 *
 * @param {import("./config.js").Config} config
 * @param {object} t  UI strings for config.lang (see strings.js)
 * @returns the nodes view.js and main.js need
 */
export function buildLayout(config, t) {
  const host = el("div", null, { id: HOST_ID });
  const root = host.attachShadow({ mode: "open" });
  const style = el("style");
  style.textContent = buildStyles(config.color);

  const launcher = el("button", "launcher", {
    type: "button", "data-testid": "launcher", "aria-expanded": "false", "aria-controls": "nw-panel",
  });
  const launcherIcon = el("span", "launcher-icon");
  const badge = el("span", "badge", { "aria-hidden": "true" });
  badge.hidden = true;
  launcher.append(launcherIcon, badge);

  const panel = el("section", "panel", {
    id: "nw-panel", role: "dialog", "aria-label": config.title, "data-testid": "panel",
  });
  panel.hidden = true;

  const header = el("header", "header");
  const titles = el("div", "titles");
  const title = el("h2", "title");
  title.textContent = config.title;
  const subtitle = el("p", "subtitle");
  titles.append(title, subtitle);
  const closeButton = el("button", "close", { type: "button", "aria-label": t.closeChat, "data-testid": "close" });
  closeButton.append(icon(ICONS.close, 20));
  header.append(titles, closeButton);

  const statusLine = el("div", "status-line", { role: "status", "data-testid": "status-line" });
  statusLine.textContent = t.reconnecting;
  statusLine.hidden = true;

  const body = el("div", "body");
  const empty = el("p", "empty");
  empty.textContent = t.empty;
  const messages = el("div", "messages", {
    role: "log", "aria-live": "polite", "aria-label": t.log, "data-testid": "messages",
  });
  const typingRegion = el("div", null, { "aria-live": "polite" });
  const typing = el("div", "typing", { "data-testid": "typing" });
  typing.hidden = true;
  const typingText = el("span", "sr-only");
  typing.append(el("span", "dot", { "aria-hidden": "true" }), el("span", "dot", { "aria-hidden": "true" }),
    el("span", "dot", { "aria-hidden": "true" }), typingText);
  typingRegion.append(typing);
  body.append(empty, messages, typingRegion);

  const composer = el("form", "composer", { novalidate: "" });
  const input = el("textarea", "input", {
    rows: "1", "aria-label": t.inputLabel, placeholder: t.placeholder, "data-testid": "input",
    "aria-describedby": "nw-counter", autocomplete: "off",
  });
  const send = el("button", "send", { type: "submit", "aria-label": t.send, "data-testid": "send" });
  send.append(icon(ICONS.send, 19));
  send.disabled = true;
  const counter = el("div", "counter", { id: "nw-counter", "aria-live": "polite" });
  counter.hidden = true;
  composer.append(input, send, counter);

  panel.append(header, statusLine, body, composer);
  root.append(style, launcher, panel);

  return {
    host, launcher, launcherIcon, badge, panel, subtitle, closeButton, statusLine, body, empty,
    messages, typing, typingText, composer, input, send, counter,
  };
}

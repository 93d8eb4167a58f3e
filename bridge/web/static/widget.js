/**
 * Northwind Shop customer-support chat widget.
 *
 * Embedded with one tag:
 *   <script src="https://support.example/widget.js" data-lang="en" data-title="Help"
 *           data-color="#0f766e" data-bridge-url="" defer></script>
 *
 * Everything is rendered inside a Shadow DOM so that the host page's CSS cannot reach it,
 * and message content only ever reaches the DOM through `textContent`, never as HTML.
 * Public API: window.SupportWidget = { open(), close(), isOpen(), track(goal) }.
 */
(function () {
  "use strict";

  // A CMS or tag manager may inject the tag twice; a second instance would open a second socket.
  if (window.SupportWidget) return;

  const MAX_LENGTH = 2000;
  const COUNTER_FROM = 1800;
  const DEFAULT_COLOR = "#0f766e";
  const PING_INTERVAL_MS = 25000;
  const SILENCE_LIMIT_MS = 2 * PING_INTERVAL_MS + 10000;
  const TYPING_THROTTLE_MS = 3000;
  const TYPING_IDLE_MS = 5000;
  const REMOTE_TYPING_TIMEOUT_MS = 20000;
  const BACKOFF_BASE_MS = 500;
  const BACKOFF_MAX_MS = 15000;
  const AUTH_CLOSE_CODES = new Set([4401, 4403, 4404]);
  const AUTH_ERROR_CODES = new Set(["invalid_token", "forbidden", "not_found"]);
  // Errors that mean "the message you just sent was refused": it must not be re-sent on reconnect.
  const REJECTION_CODES = new Set(["empty_message", "message_too_long", "rate_limited"]);
  const GONE_HTTP_STATUSES = new Set([401, 403, 404]);
  const ROLES = new Set(["customer", "bot", "agent", "system"]);
  const STATUSES = new Set(["bot", "waiting_for_agent", "with_agent", "closed"]);
  const VISITOR_KEY = "northwind.visitor";
  const CONVERSATION_KEY_PREFIX = "northwind.chat.v1:";
  const HOST_ID = "northwind-support-widget";
  const GOAL_PATTERN = /^[a-z][a-z0-9_.:-]{0,63}$/i;
  const MAX_QUEUED_GOALS = 100;
  const MAX_INLINE_DEPTH = 4;

  /** UI strings; the language is fixed per page load by the embedding tag. */
  const STRINGS = {
    en: {
      title: "Northwind Support",
      openChat: "Open support chat",
      closeChat: "Close support chat",
      unread: (n) => (n === 1 ? "1 new message" : `${n} new messages`),
      log: "Conversation",
      inputLabel: "Type your message",
      placeholder: "Type your message…",
      send: "Send message",
      typingBot: "Assistant is typing…",
      typingAgent: "An agent is typing…",
      reconnecting: "Reconnecting…",
      quickReplies: "Suggested replies",
      statusBot: "Virtual assistant · answers right away",
      statusWaiting: "Waiting for an agent…",
      statusWithAgent: (name) => `Chatting with ${name}`,
      statusClosed: "Conversation closed",
      agent: "Agent",
      empty: "Hi! Ask us about orders, delivery, returns or any of our products.",
      tooLong: `Messages can be at most ${MAX_LENGTH} characters long.`,
      restarted: "Your previous conversation has ended, so we started a new one.",
      genericError: "Something went wrong. Please try again.",
    },
    hu: {
      title: "Northwind ügyfélszolgálat",
      openChat: "Ügyfélszolgálati csevegés megnyitása",
      closeChat: "Ügyfélszolgálati csevegés bezárása",
      unread: (n) => `${n} új üzenet`,
      log: "Beszélgetés",
      inputLabel: "Írja be az üzenetét",
      placeholder: "Írja be az üzenetét…",
      send: "Üzenet küldése",
      typingBot: "Az asszisztens ír…",
      typingAgent: "Az ügyintéző ír…",
      reconnecting: "Újracsatlakozás…",
      quickReplies: "Javasolt válaszok",
      statusBot: "Virtuális asszisztens · azonnal válaszol",
      statusWaiting: "Várakozás ügyintézőre…",
      statusWithAgent: (name) => `Ügyintéző: ${name}`,
      statusClosed: "A beszélgetés lezárult",
      agent: "Ügyintéző",
      empty: "Üdvözöljük! Kérdezzen bátran rendelésről, szállításról, visszaküldésről vagy termékeinkről.",
      tooLong: `Az üzenet legfeljebb ${MAX_LENGTH} karakter lehet.`,
      restarted: "Az előző beszélgetés véget ért, ezért újat indítottunk.",
      genericError: "Hiba történt. Kérjük, próbálja újra.",
    },
  };

  // ---------------------------------------------------------------------------
  // Configuration from the embedding <script> tag
  // ---------------------------------------------------------------------------

  /**
   * The tag that loaded us. `currentScript` is only set while the script first runs
   * (and is null for modules), hence the lookup by src as a fallback.
   */
  function findOwnScript() {
    if (document.currentScript) return document.currentScript;
    const candidates = document.querySelectorAll('script[src*="widget.js"]');
    return candidates.length ? candidates[candidates.length - 1] : null;
  }

  /** Only the two languages we have strings for; "hu-HU" counts as Hungarian. */
  function normaliseLanguage(value) {
    const primary = String(value || "").trim().toLowerCase().split(/[-_]/)[0];
    return primary === "hu" ? "hu" : "en";
  }

  /** Accept #rgb / #rrggbb only, so the value can go into the stylesheet without CSS injection. */
  function normaliseColor(value) {
    const color = String(value || "").trim();
    return /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(color) ? color.toLowerCase() : DEFAULT_COLOR;
  }

  /**
   * Base URL of the bridge, without a trailing slash. Empty means "where widget.js came from",
   * which is what makes a one-tag embed work on any site. A path prefix is kept so the bridge
   * may live under e.g. https://shop.example/support.
   */
  function resolveBridgeBase(script) {
    const scriptUrl = script && script.src ? new URL(script.src, document.baseURI) : new URL(location.href);
    const fallback = scriptUrl.origin;
    const configured = script ? (script.getAttribute("data-bridge-url") || "").trim() : "";
    if (!configured) return fallback;
    try {
      const url = new URL(configured, document.baseURI);
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(url.protocol);
      return (url.origin + url.pathname).replace(/\/+$/, "");
    } catch (error) {
      console.error("SupportWidget: invalid data-bridge-url, using the script's origin", error);
      return fallback;
    }
  }

  /** Reads the data-* attributes once; nothing else in the widget looks at the tag. */
  function readConfig(script) {
    const attr = (name) => (script ? script.getAttribute(name) : null);
    const lang = normaliseLanguage(attr("data-lang") || document.documentElement.lang);
    const bridgeBase = resolveBridgeBase(script);
    let bridgeOrigin;
    try {
      bridgeOrigin = new URL(bridgeBase).origin;
    } catch {
      bridgeOrigin = bridgeBase; // e.g. "null" for a page opened from file://
    }
    return {
      lang,
      bridgeBase,
      bridgeOrigin,
      title: (attr("data-title") || "").trim() || STRINGS[lang].title,
      color: normaliseColor(attr("data-color")),
    };
  }

  const config = readConfig(findOwnScript());
  const t = STRINGS[config.lang];

  // ---------------------------------------------------------------------------
  // Small utilities
  // ---------------------------------------------------------------------------

  /** RFC 4122 v4; randomUUID is missing on plain-http pages, getRandomValues is not. */
  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** Length in code points, which is what the Python bridge's len() counts (emoji = 1). */
  function codePointLength(text) {
    return Array.from(text).length;
  }

  /** localStorage throws in some privacy modes and sandboxed frames; the chat must still work. */
  const storage = {
    get(key) {
      try {
        return window.localStorage.getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        window.localStorage.setItem(key, value);
      } catch {
        // Not persisted: the conversation simply won't survive a page load.
      }
    },
    remove(key) {
      try {
        window.localStorage.removeItem(key);
      } catch {
        // Nothing stored, nothing to remove.
      }
    },
  };

  /** Shorthand for createElement with a class and attributes; never takes HTML. */
  function el(tag, className, attributes) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (attributes) for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  }

  /** Inline stroke icons, built as SVG nodes so the widget needs no innerHTML at all. */
  function icon(pathData, size = 24) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    for (const [name, value] of Object.entries({
      viewBox: "0 0 24 24", width: String(size), height: String(size), fill: "none",
      stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round",
      "stroke-linejoin": "round", "aria-hidden": "true", focusable: "false",
    })) svg.setAttribute(name, value);
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", pathData);
    svg.append(path);
    return svg;
  }

  const ICONS = {
    chat: "M21 11.5a8.4 8.4 0 0 1-9 8.4 8.9 8.9 0 0 1-3.8-.9L3 20.5l1.4-4.6A8 8 0 0 1 3 11.5 8.4 8.4 0 0 1 12 3a8.4 8.4 0 0 1 9 8.5z",
    chevron: "M6 9l6 6 6-6",
    close: "M6 6l12 12M18 6L6 18",
    send: "M22 2L11 13M22 2l-7 20-4-9-9-4 20-7z",
  };

  // ---------------------------------------------------------------------------
  // Safe Markdown: DOM nodes + textContent only
  // ---------------------------------------------------------------------------

  /**
   * href for a Markdown link, or null when it must stay literal text. Only web and mail
   * links (and site-relative paths) are allowed, so `javascript:` and `data:` can never run.
   */
  function safeHref(raw) {
    const url = String(raw).trim();
    if (!url || /[\s\u0000-\u001f\u007f\\]/.test(url)) return null;
    // "//host" is protocol-relative, i.e. another site; only same-site paths pass.
    if (url.startsWith("/")) return url.startsWith("//") ? null : url;
    if (!/^(?:https?:\/\/|mailto:)/i.test(url)) return null;
    try {
      const parsed = new URL(url);
      return ["http:", "https:", "mailto:"].includes(parsed.protocol) ? url : null;
    } catch {
      return null;
    }
  }

  /** External links open in a new tab and cannot reach back to this page. */
  function makeLink(href, label) {
    const link = el("a", null, { href, target: "_blank", rel: "noopener noreferrer" });
    link.textContent = label;
    return link;
  }

  /** `[label](url)` at `start`, or null; the label is kept as plain text. */
  function parseLink(text, start) {
    const labelEnd = text.indexOf("](", start + 1);
    if (labelEnd === -1 || text.slice(start + 1, labelEnd).includes("[")) return null;
    let depth = 0;
    for (let i = labelEnd + 2; i < text.length; i += 1) {
      if (text[i] === "(") depth += 1;
      else if (text[i] === ")") {
        if (depth === 0) {
          const href = safeHref(text.slice(labelEnd + 2, i));
          if (!href) return null;
          const label = text.slice(start + 1, labelEnd).trim() || href;
          return { node: makeLink(href, label), end: i + 1 };
        }
        depth -= 1;
      }
    }
    return null;
  }

  /** A bare https://… URL at `start`, minus trailing punctuation that ends the sentence. */
  function parseBareUrl(text, start) {
    if (start > 0 && /[\w/@.-]/.test(text[start - 1])) return null;
    const match = /^https?:\/\/[^\s<>"'`]+/i.exec(text.slice(start));
    if (!match) return null;
    let url = match[0].replace(/[.,;:!?'"]+$/, "");
    while (url.endsWith(")") && url.split("(").length < url.split(")").length) url = url.slice(0, -1);
    const href = safeHref(url);
    return href && url.length > "https://".length ? { node: makeLink(href, url), end: start + url.length } : null;
  }

  /** Closing index of `**` emphasis that starts at `start`, or -1. */
  function findStrongEnd(text, start) {
    const end = text.indexOf("**", start + 2);
    if (end <= start + 2) return -1;
    return /\s/.test(text[start + 2]) || /\s/.test(text[end - 1]) ? -1 : end;
  }

  /**
   * Closing index of `*italic*` / `_italic_` that starts at `start`, or -1. Underscores
   * inside words (order_id, snake_case) are not emphasis, as in CommonMark.
   */
  function findEmphasisEnd(text, start) {
    const marker = text[start];
    const next = text[start + 1];
    if (!next || /\s/.test(next) || next === marker) return -1;
    if (marker === "_" && start > 0 && /[\p{L}\p{N}]/u.test(text[start - 1])) return -1;
    for (let i = start + 2; i < text.length; i += 1) {
      if (text[i] !== marker) continue;
      if (marker === "*" && text[i + 1] === "*") {
        i += 1; // part of a nested **strong**
        continue;
      }
      if (/\s/.test(text[i - 1])) continue;
      if (marker === "_" && i + 1 < text.length && /[\p{L}\p{N}]/u.test(text[i + 1])) continue;
      return i;
    }
    return -1;
  }

  /**
   * Renders one line of inline Markdown into `parent`. Anything that is not a complete,
   * allowed construct is appended as literal text.
   */
  function appendInline(parent, text, depth = 0) {
    let buffer = "";
    const flush = () => {
      if (buffer) parent.append(document.createTextNode(buffer));
      buffer = "";
    };
    const put = (node, end) => {
      flush();
      parent.append(node);
      return end;
    };
    let i = 0;
    while (i < text.length) {
      const ch = text[i];
      if (ch === "\\" && /[\\`*_[\]()#+\-.!]/.test(text[i + 1] || "")) {
        buffer += text[i + 1];
        i += 2;
        continue;
      }
      if (ch === "`") {
        const end = text.indexOf("`", i + 1);
        if (end > i + 1) {
          const code = el("code");
          code.textContent = text.slice(i + 1, end);
          i = put(code, end + 1);
          continue;
        }
      }
      if (ch === "*" && text[i + 1] === "*" && depth < MAX_INLINE_DEPTH) {
        const end = findStrongEnd(text, i);
        if (end !== -1) {
          const strong = el("strong");
          appendInline(strong, text.slice(i + 2, end), depth + 1);
          i = put(strong, end + 2);
          continue;
        }
      }
      if ((ch === "*" || ch === "_") && depth < MAX_INLINE_DEPTH) {
        const end = findEmphasisEnd(text, i);
        if (end !== -1) {
          const em = el("em");
          appendInline(em, text.slice(i + 1, end), depth + 1);
          i = put(em, end + 1);
          continue;
        }
      }
      if (ch === "[") {
        const link = parseLink(text, i);
        if (link) {
          i = put(link.node, link.end);
          continue;
        }
      }
      if (ch === "h" || ch === "H") {
        const link = parseBareUrl(text, i);
        if (link) {
          i = put(link.node, link.end);
          continue;
        }
      }
      buffer += ch;
      i += 1;
    }
    flush();
  }

  const BULLET_LINE = /^ {0,3}[-*]\s+(.*)$/;
  // At most three digits: Hungarian dates ("2024. május 3-án …") must not turn into lists.
  const NUMBERED_LINE = /^ {0,3}(\d{1,3})\.\s+(.*)$/;

  /**
   * Renders a bot/agent message: paragraphs (blank-line separated, single newlines become
   * <br>), bullet and numbered lists (indented lines continue the previous item), and inline
   * Markdown. Returns a DocumentFragment.
   */
  function renderMarkdown(text) {
    const fragment = document.createDocumentFragment();
    let paragraph = null;
    let list = null;
    let item = null;

    const appendLines = (parent, lines) => {
      lines.forEach((line, index) => {
        if (index > 0) parent.append(el("br"));
        appendInline(parent, line);
      });
    };
    const closeParagraph = () => {
      if (!paragraph) return;
      const p = el("p");
      appendLines(p, paragraph);
      fragment.append(p);
      paragraph = null;
    };

    for (const line of String(text).replace(/\r\n?/g, "\n").split("\n")) {
      if (!line.trim()) {
        closeParagraph();
        list = null;
        continue;
      }
      const bullet = BULLET_LINE.exec(line);
      const numbered = bullet ? null : NUMBERED_LINE.exec(line);
      if (bullet || numbered) {
        closeParagraph();
        const ordered = Boolean(numbered);
        if (!list || list.ordered !== ordered) {
          list = { ordered, node: el(ordered ? "ol" : "ul") };
          if (ordered && numbered[1] !== "1") list.node.setAttribute("start", String(Number(numbered[1])));
          fragment.append(list.node);
        }
        item = el("li");
        appendInline(item, bullet ? bullet[1] : numbered[2]);
        list.node.append(item);
        continue;
      }
      if (list && /^\s{2,}\S/.test(line)) {
        item.append(el("br"));
        appendInline(item, line.trim());
        continue;
      }
      list = null;
      (paragraph = paragraph || []).push(line);
    }
    closeParagraph();
    return fragment;
  }

  // ---------------------------------------------------------------------------
  // Styles (inside the shadow root only)
  // ---------------------------------------------------------------------------

  /** Relative luminance, to pick readable text on the configured accent colour. */
  function luminance(hex) {
    const full = hex.length === 4 ? `#${hex[1]}${hex[1]}${hex[2]}${hex[2]}${hex[3]}${hex[3]}` : hex;
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(full.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return { value: 0.2126 * r + 0.7152 * g + 0.0722 * b, rgb: [1, 3, 5].map((i) => parseInt(full.slice(i, i + 2), 16)) };
  }

  /**
   * The stylesheet. Host-page rules still apply to the host element itself, and for
   * !important declarations the inner (shadow) context wins, hence `:host { … !important }`.
   */
  function buildStyles(color) {
    const { value, rgb } = luminance(color);
    const dark = value < 0.4;
    const onAccent = dark ? "#ffffff" : "#0f172a";
    const link = value < 0.2 ? color : "#1d4ed8";
    const ring = `rgba(${rgb.join(", ")}, 0.28)`;
    return `
:host {
  all: initial !important;
  display: block !important;
  position: fixed !important;
  right: 0 !important;
  bottom: 0 !important;
  width: 0 !important;
  height: 0 !important;
  z-index: 2147483000 !important;
  direction: ltr !important;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif !important;
  font-size: 15px !important;
  line-height: 1.45 !important;
  color: #0f172a !important;
  --accent: ${color};
  --on-accent: ${onAccent};
  --link: ${link};
  --ring: ${ring};
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
button { font: inherit; color: inherit; background: none; border: 0; margin: 0; padding: 0; cursor: pointer; }
button:focus-visible, textarea:focus-visible { outline: 3px solid var(--ring); outline-offset: 2px; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }

.launcher {
  position: fixed; right: 20px; bottom: 20px; width: 60px; height: 60px; border-radius: 50%;
  display: grid; place-items: center; background: var(--accent); color: var(--on-accent);
  box-shadow: 0 6px 24px rgba(15, 23, 42, 0.28); transition: transform 0.15s ease, box-shadow 0.15s ease;
}
.launcher:hover { transform: scale(1.06); box-shadow: 0 8px 28px rgba(15, 23, 42, 0.34); }
.launcher:focus-visible { outline: 3px solid var(--accent); outline-offset: 4px; }
.launcher-icon { display: grid; place-items: center; }
.badge {
  position: absolute; top: -3px; right: -3px; min-width: 22px; height: 22px; padding: 0 6px;
  border-radius: 11px; border: 2px solid #fff; background: #dc2626; color: #fff;
  font-size: 12px; font-weight: 700; line-height: 18px; text-align: center;
}

.panel {
  position: fixed; right: 20px; bottom: 92px; width: 380px; max-width: calc(100vw - 32px);
  height: 620px; max-height: calc(100vh - 116px); display: flex; flex-direction: column;
  background: #fff; border-radius: 16px; overflow: hidden;
  box-shadow: 0 16px 48px rgba(15, 23, 42, 0.28), 0 2px 8px rgba(15, 23, 42, 0.08);
  animation: nw-rise 0.18s ease-out;
}
@keyframes nw-rise { from { opacity: 0; transform: translateY(12px); } to { opacity: 1; transform: none; } }
@media (max-width: 480px) {
  .panel { inset: 0; width: 100%; max-width: none; height: 100%; max-height: none; border-radius: 0; }
}

.header {
  display: flex; align-items: center; gap: 12px; padding: 14px 12px 14px 18px;
  background: var(--accent); color: var(--on-accent);
}
.titles { flex: 1; min-width: 0; }
.title { margin: 0; font-size: 16px; font-weight: 650; line-height: 1.3; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.subtitle { margin: 2px 0 0; font-size: 12.5px; opacity: 0.88; }
.close { width: 36px; height: 36px; border-radius: 50%; display: grid; place-items: center; flex: none; }
.close:hover { background: rgba(255, 255, 255, 0.18); }

.status-line { padding: 6px 16px; background: #fef3c7; color: #92400e; font-size: 13px; text-align: center; }

.body { flex: 1; overflow-y: auto; padding: 16px 14px 8px; background: #f8fafc; overscroll-behavior: contain; }
.empty { margin: 24px 12px; color: #64748b; font-size: 14px; text-align: center; }
.messages { display: flex; flex-direction: column; gap: 10px; }
.msg { display: flex; flex-direction: column; max-width: 86%; }
.msg-customer { align-self: flex-end; align-items: flex-end; }
.msg-bot, .msg-agent { align-self: flex-start; align-items: flex-start; }
.msg-system { align-self: center; max-width: 92%; color: #64748b; font-size: 13px; text-align: center; }
.author { margin: 0 0 3px 4px; color: #475569; font-size: 12px; font-weight: 600; }
.bubble { padding: 9px 13px; border-radius: 16px; overflow-wrap: anywhere; }
.msg-customer .bubble { background: var(--accent); color: var(--on-accent); border-bottom-right-radius: 4px; white-space: pre-wrap; }
.msg-bot .bubble { background: #fff; border: 1px solid #e2e8f0; border-bottom-left-radius: 4px; }
.msg-agent .bubble { background: #eef2ff; border: 1px solid #c7d2fe; border-bottom-left-radius: 4px; }
.msg-system .bubble { padding: 2px 8px; white-space: pre-wrap; }
.bubble p { margin: 0; }
.bubble p + p, .bubble p + ul, .bubble p + ol, .bubble ul + p, .bubble ol + p { margin-top: 8px; }
.bubble ul, .bubble ol { margin: 4px 0; padding-left: 22px; }
.bubble li + li { margin-top: 2px; }
.bubble a { color: var(--link); text-decoration: underline; text-underline-offset: 2px; }
.bubble code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88em; padding: 1px 5px; border-radius: 4px; background: rgba(15, 23, 42, 0.07); }

.quick-replies { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.quick-replies button {
  padding: 6px 12px; border: 1px solid var(--accent); border-radius: 999px; background: #fff;
  color: var(--link); font-size: 13.5px; line-height: 1.3; transition: background 0.12s ease;
}
.quick-replies button:hover:not(:disabled) { background: var(--accent); color: var(--on-accent); }
.quick-replies button:disabled { cursor: default; opacity: 0.5; }
.quick-replies button.chosen { background: var(--accent); color: var(--on-accent); opacity: 0.75; }

.typing { display: inline-flex; gap: 4px; margin-top: 10px; padding: 11px 14px; border: 1px solid #e2e8f0; border-radius: 16px; border-bottom-left-radius: 4px; background: #fff; }
.dot { width: 7px; height: 7px; border-radius: 50%; background: #94a3b8; animation: nw-bounce 1.2s infinite ease-in-out; }
.dot:nth-child(2) { animation-delay: 0.15s; }
.dot:nth-child(3) { animation-delay: 0.3s; }
@keyframes nw-bounce { 0%, 80%, 100% { transform: translateY(0); opacity: 0.45; } 40% { transform: translateY(-4px); opacity: 1; } }

.composer { position: relative; display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px 12px; border-top: 1px solid #e2e8f0; background: #fff; }
.input {
  flex: 1; min-height: 42px; max-height: 140px; padding: 10px 12px; resize: none; overflow-y: auto;
  border: 1px solid #cbd5e1; border-radius: 12px; background: #fff; color: #0f172a;
  font: inherit; line-height: 1.4; outline: none;
}
.input::placeholder { color: #94a3b8; }
.input:focus { border-color: var(--accent); box-shadow: 0 0 0 3px var(--ring); }
.send { flex: none; width: 42px; height: 42px; border-radius: 50%; display: grid; place-items: center; background: var(--accent); color: var(--on-accent); }
.send:disabled { cursor: not-allowed; opacity: 0.4; }
.counter { position: absolute; top: -22px; right: 14px; padding: 1px 7px; border-radius: 6px; background: rgba(255, 255, 255, 0.94); color: #64748b; font-size: 12px; }
.counter.over { color: #b91c1c; font-weight: 700; }

@media (prefers-reduced-motion: reduce) {
  .launcher, .quick-replies button { transition: none; }
  .panel, .dot { animation: none; }
}
`;
  }

  // ---------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------

  const storageKey = CONVERSATION_KEY_PREFIX + config.bridgeOrigin;

  const state = {
    open: false,
    activated: false, // the customer opened the widget in this page view
    conversation: null, // { conversation_id, token, expires_at }
    restoring: null, // Promise while the stored transcript is loading
    creating: null, // Promise while POST /api/conversations is in flight
    status: "bot",
    agentName: null,
    lastSeq: 0,
    seen: new Set(),
    socket: null,
    connected: false,
    connecting: false,
    everConnected: false,
    attempts: 0,
    restarts: 0, // conversations replaced in a row; only a delivered message resets it
    authFailed: false,
    reconnectTimer: null,
    pingTimer: null,
    lastHeardAt: 0,
    outbox: [], // [{ event, socket }] until the server echoes the client_id
    typingOn: false,
    typingSentAt: 0,
    typingIdleTimer: null,
    remoteTypingTimer: null,
    unread: 0,
    goals: [],
  };

  // ---------------------------------------------------------------------------
  // View
  // ---------------------------------------------------------------------------

  /** Builds the whole widget once; later updates only toggle and append nodes. */
  function buildView() {
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

  const view = buildView();

  /** Launcher label, icon and badge follow open state and unread count. */
  function renderLauncher() {
    const { launcher, launcherIcon, badge } = view;
    launcher.setAttribute("aria-expanded", String(state.open));
    let label = state.open ? t.closeChat : t.openChat;
    if (!state.open && state.unread > 0) label += ` (${t.unread(state.unread)})`;
    launcher.setAttribute("aria-label", label);
    launcherIcon.replaceChildren(icon(state.open ? ICONS.chevron : ICONS.chat, 28));
    badge.hidden = state.open || state.unread === 0;
    badge.textContent = state.unread > 9 ? "9+" : String(state.unread);
  }

  /** Header subtitle reflects who the customer is talking to. */
  function renderSubtitle() {
    const texts = {
      bot: t.statusBot,
      waiting_for_agent: t.statusWaiting,
      with_agent: t.statusWithAgent(state.agentName || t.agent),
      closed: t.statusClosed,
    };
    view.subtitle.textContent = texts[state.status] || t.statusBot;
  }

  /** "Reconnecting…" only after a connection was lost or an attempt failed, not on first connect. */
  function renderStatusLine() {
    const trying = state.reconnectTimer !== null || state.attempts > 0 || state.everConnected;
    view.statusLine.hidden = state.connected || !wantsConnection() || !trying;
  }

  function isNearBottom() {
    const { body } = view;
    return body.scrollHeight - body.scrollTop - body.clientHeight < 80;
  }

  function scrollToBottom() {
    view.body.scrollTop = view.body.scrollHeight;
  }

  /** Quick replies under a bot/agent message; one click answers and locks the group. */
  function renderQuickReplies(buttons) {
    const group = el("div", "quick-replies", { role: "group", "aria-label": t.quickReplies, "data-testid": "quick-replies" });
    for (const button of buttons) {
      const node = el("button", null, { type: "button" });
      node.textContent = button.title;
      node.addEventListener("click", () => {
        if (sendMessage(button.title, button.payload)) {
          disableGroup(group);
          node.classList.add("chosen");
        }
      });
      group.append(node);
    }
    return group;
  }

  function disableGroup(group) {
    for (const button of group.querySelectorAll("button")) button.disabled = true;
  }

  /** Once the customer has said something, older suggestions are stale. */
  function disableQuickRepliesBefore(seq) {
    for (const item of view.messages.querySelectorAll('[data-testid="message"]')) {
      if (Number(item.dataset.seq) >= seq) break;
      const group = item.querySelector(".quick-replies");
      if (group) disableGroup(group);
    }
  }

  /** One transcript entry as DOM; customer and system text is plain, bot/agent is Markdown. */
  function renderMessageNode(message) {
    const item = el("div", `msg msg-${message.role}`, {
      "data-testid": "message", "data-role": message.role, "data-seq": String(message.seq),
    });
    if (message.role === "agent") {
      const author = el("div", "author");
      author.textContent = message.author || t.agent;
      item.append(author);
    }
    const bubble = el("div", "bubble");
    if (message.role === "bot" || message.role === "agent") bubble.append(renderMarkdown(message.text));
    else bubble.textContent = message.text;
    const time = new Date(message.created_at);
    if (!Number.isNaN(time.getTime())) bubble.title = time.toLocaleString(config.lang);
    item.append(bubble);
    if (message.role !== "customer" && message.buttons.length) item.append(renderQuickReplies(message.buttons));
    return item;
  }

  /** Inserts keeping seq order, since a replay can deliver an older seq after a newer one. */
  function insertBySeq(node, seq) {
    const items = view.messages.querySelectorAll("[data-seq]");
    for (let i = items.length - 1; i >= 0; i -= 1) {
      if (Number(items[i].dataset.seq) < seq) {
        items[i].after(node);
        return;
      }
    }
    view.messages.prepend(node);
  }

  /** A local notice (errors, restarts): looks like a system message but is not in the transcript. */
  function showNotice(text) {
    const item = el("div", "msg msg-system", { "data-testid": "notice", "data-role": "system" });
    const bubble = el("div", "bubble");
    bubble.textContent = text;
    item.append(bubble);
    const stick = isNearBottom();
    view.messages.append(item);
    view.empty.hidden = true;
    if (stick || state.open) scrollToBottom();
  }

  function setRemoteTyping(role, on) {
    clearTimeout(state.remoteTypingTimer);
    view.typingText.textContent = role === "agent" ? t.typingAgent : t.typingBot;
    view.typing.hidden = !on;
    if (on) {
      // The "off" event can be lost with the socket; never show dots forever.
      state.remoteTypingTimer = setTimeout(() => setRemoteTyping(role, false), REMOTE_TYPING_TIMEOUT_MS);
      if (isNearBottom()) scrollToBottom();
    }
  }

  /** Counter near the limit, and the send button only when there is something valid to send. */
  function renderComposerState() {
    const length = codePointLength(view.input.value.trim());
    view.counter.hidden = length < COUNTER_FROM;
    view.counter.textContent = `${length} / ${MAX_LENGTH}`;
    view.counter.classList.toggle("over", length > MAX_LENGTH);
    view.send.disabled = length === 0 || length > MAX_LENGTH;
  }

  /** Grow the textarea with its content up to the CSS max-height. */
  function autoResize() {
    const { input } = view;
    input.style.height = "auto";
    input.style.height = `${input.scrollHeight + 2}px`;
  }

  /** Removes every transcript entry, e.g. when a new conversation replaces a dead one. */
  function clearTranscript() {
    view.messages.replaceChildren();
    view.empty.hidden = false;
    state.seen.clear();
    state.lastSeq = 0;
    state.status = "bot";
    state.agentName = null;
    renderSubtitle();
  }

  // ---------------------------------------------------------------------------
  // Transcript
  // ---------------------------------------------------------------------------

  /** Validates a server message; returns a normalised copy or null. */
  function normaliseMessage(raw) {
    if (!raw || !Number.isInteger(raw.seq) || raw.seq < 0 || !ROLES.has(raw.role)) return null;
    const buttons = Array.isArray(raw.buttons)
      ? raw.buttons.filter((b) => b && typeof b.title === "string" && b.title.trim())
        .map((b) => ({ title: b.title, payload: typeof b.payload === "string" ? b.payload : "" }))
      : [];
    return {
      seq: raw.seq,
      role: raw.role,
      text: typeof raw.text === "string" ? raw.text : "",
      buttons,
      author: typeof raw.author === "string" && raw.author.trim() ? raw.author.trim() : null,
      client_id: typeof raw.client_id === "string" ? raw.client_id : null,
      created_at: typeof raw.created_at === "string" ? raw.created_at : "",
    };
  }

  /**
   * Adds a transcript entry once (the server replays everything after `after` on every
   * connect, so duplicates are normal). `live` marks messages that arrive now rather than
   * from restored history; only those count as unread.
   */
  function addMessage(raw, { live }) {
    const message = normaliseMessage(raw);
    if (!message || state.seen.has(message.seq)) return;
    state.seen.add(message.seq);
    state.lastSeq = Math.max(state.lastSeq, message.seq);
    if (live) state.restarts = 0;

    if (message.role === "customer") {
      if (message.client_id) state.outbox = state.outbox.filter((entry) => entry.event.client_id !== message.client_id);
      disableQuickRepliesBefore(message.seq);
    } else if (message.role === "bot" || message.role === "agent") {
      setRemoteTyping(message.role, false);
      if (message.role === "agent" && message.author) {
        state.agentName = message.author;
        renderSubtitle();
      }
      if (live && !state.open) {
        state.unread += 1;
        renderLauncher();
      }
    }

    const stick = message.role === "customer" || isNearBottom();
    const node = renderMessageNode(message);
    const laterCustomer = [...view.messages.querySelectorAll('[data-role="customer"][data-seq]')]
      .some((item) => Number(item.dataset.seq) > message.seq);
    if (laterCustomer) {
      const group = node.querySelector(".quick-replies");
      if (group) disableGroup(group);
    }
    insertBySeq(node, message.seq);
    view.empty.hidden = true;
    if (stick) scrollToBottom();
  }

  /** Bulk history: aria-busy keeps screen readers from reading the whole backlog aloud. */
  function addHistory(messages) {
    view.messages.setAttribute("aria-busy", "true");
    for (const message of messages) addMessage(message, { live: false });
    view.messages.setAttribute("aria-busy", "false");
    scrollToBottom();
  }

  function setStatus(status) {
    if (!STATUSES.has(status)) return;
    state.status = status;
    renderSubtitle();
  }

  // ---------------------------------------------------------------------------
  // Conversation persistence and HTTP
  // ---------------------------------------------------------------------------

  /** Persistent anonymous visitor id, so the bridge can tell returning visitors apart. */
  function visitorId() {
    let id = storage.get(VISITOR_KEY);
    if (!id || !/^[0-9a-f-]{36}$/i.test(id)) {
      id = uuid();
      storage.set(VISITOR_KEY, id);
    }
    return id;
  }

  /** The stored conversation if it is well-formed and not yet expired. */
  function loadStoredConversation() {
    let stored;
    try {
      stored = JSON.parse(storage.get(storageKey) || "null");
    } catch {
      stored = null;
    }
    const valid = stored && typeof stored.conversation_id === "string" && typeof stored.token === "string"
      && typeof stored.expires_at === "string";
    if (!valid || !(Date.parse(stored.expires_at) > Date.now())) {
      if (stored) storage.remove(storageKey);
      return null;
    }
    return { conversation_id: stored.conversation_id, token: stored.token, expires_at: stored.expires_at };
  }

  /** Drops a conversation the bridge no longer accepts, along with its socket and transcript. */
  function forgetConversation() {
    storage.remove(storageKey);
    state.conversation = null;
    closeSocket();
    clearTranscript();
  }

  /** Logs HTTP-level failures (a misconfigured bridge); plain network loss is expected and silent. */
  function reportHttpError(what, response) {
    console.error(`SupportWidget: ${what} failed with HTTP ${response.status}`);
  }

  async function createConversation() {
    const response = await fetch(`${config.bridgeBase}/api/conversations`, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ language: config.lang, visitor_id: visitorId(), page_url: location.href }),
    });
    if (!response.ok) {
      reportHttpError("creating a conversation", response);
      throw new Error(`HTTP ${response.status}`);
    }
    const body = await response.json();
    if (!body || typeof body.conversation_id !== "string" || typeof body.token !== "string") {
      throw new Error("malformed conversation response");
    }
    const conversation = {
      conversation_id: body.conversation_id,
      token: body.token,
      expires_at: typeof body.expires_at === "string" ? body.expires_at : "",
    };
    storage.set(storageKey, JSON.stringify(conversation));
    state.conversation = conversation;
    return conversation;
  }

  /** The current conversation, creating one at most once even if called concurrently. */
  function ensureConversation() {
    if (state.conversation) return Promise.resolve(state.conversation);
    if (!state.creating) {
      state.creating = createConversation().finally(() => {
        state.creating = null;
      });
    }
    return state.creating;
  }

  /**
   * Loads the transcript of a stored conversation. 401/403/404 mean it is gone: forget it and
   * start afresh on the next open/send. Other failures are left to the socket, which replays
   * the transcript anyway.
   */
  async function restoreConversation(conversation) {
    const url = `${config.bridgeBase}/api/conversations/${encodeURIComponent(conversation.conversation_id)}/messages?after=0`;
    try {
      const response = await fetch(url, {
        credentials: "omit",
        headers: { Authorization: `Bearer ${conversation.token}` },
      });
      if (GONE_HTTP_STATUSES.has(response.status)) {
        forgetConversation();
        return;
      }
      if (!response.ok) {
        reportHttpError("loading the conversation", response);
        return;
      }
      const body = await response.json();
      if (body && Array.isArray(body.messages)) addHistory(body.messages);
      if (body) setStatus(body.status);
    } catch {
      // Offline or a malformed body: the socket's replay fills the transcript in.
    }
  }

  // ---------------------------------------------------------------------------
  // WebSocket
  // ---------------------------------------------------------------------------

  /** Keep a socket only for a conversation that exists or that the customer has asked for. */
  function wantsConnection() {
    return Boolean(state.conversation) || state.activated || state.outbox.length > 0;
  }

  function socketUrl(conversation) {
    const url = new URL(`${config.bridgeBase}/ws/chat/${encodeURIComponent(conversation.conversation_id)}`);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("token", conversation.token);
    url.searchParams.set("after", String(state.lastSeq));
    return url.toString();
  }

  /** Sends a control event if the socket is up; typing and pings are worthless later, so they are not queued. */
  function sendEvent(event) {
    if (!state.connected || !state.socket) return false;
    try {
      state.socket.send(JSON.stringify(event));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Sends every queued message not yet sent on this socket. Entries stay queued until the
   * server echoes their client_id, so a message lost with a dying socket is sent again
   * (the server de-duplicates by client_id).
   */
  function flushOutbox() {
    if (!state.connected) return;
    for (const entry of state.outbox) {
      if (entry.socket === state.socket) continue;
      if (sendEvent(entry.event)) entry.socket = state.socket;
    }
  }

  /**
   * Opens the socket for the current (or a new) conversation. Waits for a pending restore so
   * that a stored conversation found to be dead is replaced rather than reused.
   */
  async function connect() {
    if (state.socket || state.connecting || !wantsConnection()) return;
    state.connecting = true;
    try {
      if (state.restoring) await state.restoring;
      // The restore may have found the stored conversation dead; don't create one unasked.
      if (!wantsConnection()) return;
      const conversation = await ensureConversation();
      openSocket(conversation);
    } catch {
      scheduleReconnect();
    } finally {
      state.connecting = false;
    }
  }

  function openSocket(conversation) {
    const socket = new WebSocket(socketUrl(conversation));
    state.socket = socket;
    socket.addEventListener("open", () => onSocketOpen(socket));
    socket.addEventListener("message", (event) => onSocketMessage(socket, event));
    socket.addEventListener("close", (event) => onSocketClose(socket, event));
  }

  function onSocketOpen(socket) {
    if (socket !== state.socket) return;
    state.connected = true;
    state.everConnected = true;
    state.attempts = 0;
    state.lastHeardAt = Date.now();
    renderStatusLine();
    clearInterval(state.pingTimer);
    state.pingTimer = setInterval(heartbeat, PING_INTERVAL_MS);
    flushOutbox();
  }

  /**
   * Pings keep proxies from closing an idle socket. A socket that has heard nothing (not even
   * pongs) for two intervals is half-open; drop it instead of waiting for TCP to notice.
   */
  function heartbeat() {
    if (Date.now() - state.lastHeardAt > SILENCE_LIMIT_MS) {
      closeSocket();
      scheduleReconnect();
      return;
    }
    sendEvent({ type: "ping" });
  }

  function onSocketMessage(socket, event) {
    if (socket !== state.socket) return;
    state.lastHeardAt = Date.now();
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!data || typeof data !== "object") return;
    switch (data.type) {
      case "message":
      case "buttons":
        addMessage(data, { live: true });
        break;
      case "typing":
        if (data.role === "bot" || data.role === "agent") setRemoteTyping(data.role, Boolean(data.on));
        break;
      case "status":
        setStatus(data.status);
        break;
      case "error":
        onServerError(data);
        break;
      default:
        break; // "pong" and anything newer than this widget
    }
  }

  /** Auth errors are handled on the close that follows them; the rest are shown to the customer. */
  function onServerError(data) {
    const code = typeof data.code === "string" ? data.code : "";
    if (AUTH_ERROR_CODES.has(code)) {
      state.authFailed = true;
      return;
    }
    if (REJECTION_CODES.has(code)) {
      // The server handles events in order, so the refusal is for the oldest unanswered message.
      const index = state.outbox.findIndex((entry) => entry.socket === state.socket);
      if (index !== -1) state.outbox.splice(index, 1);
    }
    showNotice(typeof data.message === "string" && data.message.trim() ? data.message : t.genericError);
  }

  function onSocketClose(socket, event) {
    if (socket !== state.socket) return;
    const authFailed = AUTH_CLOSE_CODES.has(event.code) || state.authFailed;
    closeSocket();
    if (authFailed) {
      restartConversation();
      return;
    }
    scheduleReconnect();
  }

  /**
   * The token or conversation is no longer valid: start a new conversation. Customers who have
   * not opened the widget in this page view get theirs on the next open/send instead.
   */
  function restartConversation() {
    const hadTranscript = state.seen.size > 0;
    forgetConversation();
    // A bridge that rejects even brand-new tokens must not get a new conversation every 0.5 s.
    state.attempts = Math.max(state.attempts, state.restarts);
    state.restarts += 1;
    if (hadTranscript) showNotice(t.restarted);
    if (state.activated || state.outbox.length) scheduleReconnect();
    else renderStatusLine();
  }

  /** Detaches and closes the current socket without triggering our own close handling. */
  function closeSocket() {
    const socket = state.socket;
    state.socket = null;
    state.connected = false;
    state.authFailed = false;
    clearInterval(state.pingTimer);
    state.pingTimer = null;
    state.typingOn = false;
    setRemoteTyping("bot", false);
    if (socket && socket.readyState <= WebSocket.OPEN) {
      try {
        socket.close(1000);
      } catch {
        // Already closing.
      }
    }
    renderStatusLine();
  }

  /** Exponential backoff with "equal jitter", so many widgets don't reconnect in lockstep. */
  function scheduleReconnect() {
    if (state.reconnectTimer !== null || state.socket || !wantsConnection()) {
      renderStatusLine();
      return;
    }
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** state.attempts);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    state.attempts += 1;
    state.reconnectTimer = setTimeout(() => {
      state.reconnectTimer = null;
      connect();
    }, delay);
    renderStatusLine();
  }

  /** Skip the remaining backoff, e.g. when the network comes back or the customer opens the chat. */
  function reconnectNow() {
    if (state.connected || state.socket) return;
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    connect();
  }

  // ---------------------------------------------------------------------------
  // Sending
  // ---------------------------------------------------------------------------

  /**
   * Queues a customer message and sends it when the socket is up. Nothing is rendered here:
   * the message appears when the server echoes it, so the transcript matches the server's.
   */
  function sendMessage(text, payload) {
    const clean = String(text).trim();
    if (!clean) return false;
    if (codePointLength(clean) > MAX_LENGTH) {
      showNotice(t.tooLong);
      return false;
    }
    const event = { type: "message", text: clean, client_id: uuid(), language: config.lang };
    if (payload) event.payload = payload;
    stopTyping();
    state.activated = true;
    state.outbox.push({ event, socket: null });
    if (state.connected) flushOutbox();
    else reconnectNow();
    return true;
  }

  /** Tells the other side the customer is typing: at most every 3 s, and "off" after 5 s idle. */
  function noteTyping() {
    clearTimeout(state.typingIdleTimer);
    if (!view.input.value.trim()) {
      stopTyping();
      return;
    }
    const now = Date.now();
    if (now - state.typingSentAt >= TYPING_THROTTLE_MS && sendEvent({ type: "typing", on: true })) {
      state.typingOn = true;
      state.typingSentAt = now;
    }
    state.typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(state.typingIdleTimer);
    state.typingSentAt = 0;
    if (state.typingOn) sendEvent({ type: "typing", on: false });
    state.typingOn = false;
  }

  function submitInput() {
    if (sendMessage(view.input.value)) {
      view.input.value = "";
      autoResize();
      renderComposerState();
    }
  }

  // ---------------------------------------------------------------------------
  // Open / close
  // ---------------------------------------------------------------------------

  /** Opening is the moment a conversation may be created (never on mere page load). */
  function openPanel() {
    state.activated = true;
    if (!state.open) {
      state.open = true;
      state.unread = 0;
      view.panel.hidden = false;
      renderLauncher();
      scrollToBottom();
    }
    view.input.focus({ preventScroll: true });
    reconnectNow();
  }

  /** `restoreFocus` is for keyboard/close-button use; an API call must not steal the host page's focus. */
  function closePanel({ restoreFocus }) {
    if (!state.open) return;
    const focusWasInside = view.host.shadowRoot.activeElement !== null;
    state.open = false;
    view.panel.hidden = true;
    stopTyping();
    renderLauncher();
    if (restoreFocus || focusWasInside) view.launcher.focus();
  }

  // ---------------------------------------------------------------------------
  // Goals (stub: queued only; a later change posts them to the bridge)
  // ---------------------------------------------------------------------------

  function trackGoal(goal) {
    if (typeof goal !== "string" || !GOAL_PATTERN.test(goal)) {
      console.error("SupportWidget.track: goal must be a name like \"add_to_cart\"", goal);
      return false;
    }
    if (state.goals.length >= MAX_QUEUED_GOALS) state.goals.shift();
    state.goals.push({ goal, page_url: location.href, at: new Date().toISOString() });
    return true;
  }

  // ---------------------------------------------------------------------------
  // Wiring
  // ---------------------------------------------------------------------------

  function bindEvents() {
    view.launcher.addEventListener("click", () => (state.open ? closePanel({ restoreFocus: true }) : openPanel()));
    view.closeButton.addEventListener("click", () => closePanel({ restoreFocus: true }));
    view.host.shadowRoot.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && state.open && !event.isComposing) {
        event.preventDefault();
        closePanel({ restoreFocus: true });
      }
    });
    view.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      submitInput();
    });
    view.input.addEventListener("keydown", (event) => {
      // isComposing: Enter also confirms an IME candidate, which must not send.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitInput();
      }
    });
    view.input.addEventListener("input", () => {
      autoResize();
      renderComposerState();
      noteTyping();
    });
    window.addEventListener("online", () => {
      state.attempts = 0;
      reconnectNow();
    });
    // A socket may stay "open" through a lost network until the heartbeat gives up (~1 min):
    // drop it now, so the customer sees "Reconnecting…" and messages wait in the outbox.
    window.addEventListener("offline", () => {
      if (!state.socket) return;
      closeSocket();
      scheduleReconnect();
    });
  }

  function mount() {
    document.body.append(view.host);
  }

  function init() {
    renderLauncher();
    renderSubtitle();
    bindEvents();
    if (document.body) mount();
    else document.addEventListener("DOMContentLoaded", mount, { once: true });

    const stored = loadStoredConversation();
    if (stored) {
      state.conversation = stored;
      state.restoring = restoreConversation(stored).finally(() => {
        state.restoring = null;
      });
      connect();
    }
  }

  window.SupportWidget = Object.freeze({
    open: () => openPanel(),
    close: () => closePanel({ restoreFocus: false }),
    isOpen: () => state.open,
    track: (goal) => trackGoal(goal),
  });

  init();
})();

/**
 * Safe Markdown for bot and agent messages, rendered as DOM nodes with textContent only.
 *
 * Rasa responses and agents use a small Markdown subset (paragraphs, lists, **bold**, *italic*,
 * `code`, links). Rather than a general parser plus an HTML sanitiser, this builds exactly the
 * allowed nodes; anything else stays literal text, so a message can never inject markup.
 */

import { el } from "../shared/dom.js";

/** Emphasis nested deeper than this is left as text, bounding recursion on hostile input. */
const MAX_INLINE_DEPTH = 4;

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
export function renderMarkdown(text) {
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

/**
 * The widget's stylesheet, which lives inside the shadow root only: the host page's CSS
 * cannot reach in and ours cannot leak out. The one input is the validated accent colour
 * (see normaliseColor in config.js), which is why it may be interpolated into CSS.
 */

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
export function buildStyles(color) {
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

.offline-form { align-self: stretch; display: flex; flex-direction: column; gap: 4px; padding: 10px 12px; border: 1px solid #cbd5e1; border-radius: 12px; background: #fff; }
.offline-form .offline-title { margin: 0 0 4px; font-weight: 600; }
.offline-form label { font-size: 13px; color: #334155; }
.offline-form input, .offline-form textarea { font: inherit; padding: 6px 8px; border: 1px solid #94a3b8; border-radius: 8px; resize: vertical; }
.offline-form input:focus-visible, .offline-form textarea:focus-visible { outline: 3px solid var(--ring); outline-offset: 1px; }
.offline-form .offline-error { margin: 0; min-height: 1em; color: #b91c1c; font-size: 13px; }
.offline-actions { display: flex; gap: 8px; }
.offline-actions button { padding: 6px 14px; border-radius: 999px; border: 1px solid var(--accent); }
.offline-actions .offline-send { background: var(--accent); color: var(--on-accent); }
.quick-replies { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.quick-replies button {
  padding: 6px 12px; border: 1px solid var(--accent); border-radius: 999px; background: #fff;
  color: var(--link); font-size: 13.5px; line-height: 1.3; transition: background 0.12s ease;
}
.quick-replies button:hover:not(:disabled) { background: var(--accent); color: var(--on-accent); }
.quick-replies button:disabled { cursor: default; opacity: 0.5; }
.quick-replies button.chosen { background: var(--accent); color: var(--on-accent); opacity: 0.75; }
.quick-replies.scale { display: grid; grid-template-columns: repeat(11, minmax(0, 1fr)); gap: 4px; width: 100%; box-sizing: border-box; }
.quick-replies.scale button.score { min-height: 34px; padding: 6px 0; border-radius: 8px; text-align: center; }
.quick-replies.scale button:not(.score) { grid-column: 1 / -1; justify-self: start; margin-top: 2px; }

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

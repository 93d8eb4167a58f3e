/**
 * Northwind Shop customer-support chat widget: the loader.
 *
 * Embedded with one tag:
 *   <script src="https://support.example/widget.js" data-lang="en" data-title="Help"
 *           data-color="#0f766e" data-bridge-url="" defer></script>
 *
 * This classic script stays small: it reads its own tag, defines the public API at once, and
 * imports the widget's ES modules from widget/ next to itself. They are resolved against this
 * script's URL, not the page's, so an embed on another site loads them from the bridge (which
 * serves them with CORS headers). No build step: the browser loads the modules as they are.
 *
 * The widget renders in a Shadow DOM so that the host page's CSS cannot reach it, and message
 * content only ever reaches the DOM through `textContent`, never as HTML.
 *
 * A signed-in shop customer may be named on the tag too (data-customer-id,
 * data-customer-signature, data-customer-name, data-customer-email) or later with
 * SupportWidget.identify({id, name, email, locale, attributes, signature}); the signature is
 * the shop server's HMAC-SHA256 of the id (see the README), checked by the bridge.
 *
 * Public API: window.SupportWidget = { open(), close(), isOpen(), track(goal), identify(customer) }. It exists as
 * soon as this script has run, because host pages may call it right away; calls made before
 * the modules have loaded are queued and replayed in order.
 */
(function () {
  "use strict";

  // A CMS or tag manager may inject the tag twice; a second instance would open a second socket.
  if (window.SupportWidget) return;

  const GOAL_PATTERN = /^[a-z][a-z0-9_.:-]{0,63}$/i;

  /**
   * The tag that loaded us. `currentScript` is only set while the script first runs
   * (and is null for modules), hence the lookup by src as a fallback.
   */
  function findOwnScript() {
    if (document.currentScript) return document.currentScript;
    const candidates = document.querySelectorAll('script[src*="widget.js"]');
    return candidates.length ? candidates[candidates.length - 1] : null;
  }

  const script = findOwnScript();
  const attr = (name) => (script ? script.getAttribute(name) : null);
  /** Raw attribute values, read once while the tag is known; widget/config.js validates them. */
  const embed = {
    src: script && script.src ? script.src : "",
    lang: attr("data-lang"),
    title: attr("data-title"),
    color: attr("data-color"),
    bridgeUrl: attr("data-bridge-url"),
    customer: {
      id: attr("data-customer-id"),
      signature: attr("data-customer-signature"),
      name: attr("data-customer-name"),
      email: attr("data-customer-email"),
    },
  };

  let widget = null; // what widget/main.js start() returned, once loaded
  let loadFailed = false;
  let openRequested = false; // isOpen() before the modules have loaded
  const pending = []; // [method, args] called before the modules had loaded

  function call(method, ...args) {
    if (widget) widget[method](...args);
    else if (!loadFailed) pending.push([method, args]);
  }

  /**
   * Validated here rather than in the modules because the answer must be synchronous even
   * before they have loaded; the page and time are those of the call, not of the replay.
   */
  function track(goal) {
    if (typeof goal !== "string" || !GOAL_PATTERN.test(goal)) {
      console.error("SupportWidget.track: goal must be a name like \"add_to_cart\"", goal);
      return false;
    }
    call("track", { goal, page_url: location.href, at: new Date().toISOString() });
    return true;
  }

  // One object for the page's lifetime, so a host that keeps a reference keeps a working one.
  window.SupportWidget = Object.freeze({
    open: () => {
      openRequested = true;
      call("open");
    },
    close: () => {
      openRequested = false;
      call("close");
    },
    isOpen: () => (widget ? widget.isOpen() : openRequested),
    track,
    // Checked by the modules (widget/identity.js) and then by the bridge; queued until loaded.
    identify: (customer) => call("identify", customer),
  });

  function fail(error) {
    loadFailed = true;
    openRequested = false;
    pending.length = 0;
    console.error("SupportWidget: could not load the widget", error);
  }

  import(new URL("widget/main.js", embed.src || document.baseURI).href).then((module) => {
    try {
      widget = module.start(embed);
    } catch (error) {
      fail(error);
      return;
    }
    for (const [method, args] of pending.splice(0)) widget[method](...args);
  }, fail);
})();

/**
 * Conversion goals reported by the host page (SupportWidget.track("add_to_cart")).
 *
 * Goals are queued in memory (bounded) and posted to the bridge once there is a conversation to
 * count them for: a conversion rate is conversations with a conversion over conversations. A
 * goal reached before the customer ever chatted waits in the queue for this page view only.
 * The loader (widget.js) validates the name and stamps the time and page at the moment of the
 * call, because the host may call track() before this module has loaded.
 *
 * @typedef {object} Goal
 * @property {string} goal  e.g. "add_to_cart"
 * @property {string} page_url  the page the goal was reached on
 * @property {string} at  ISO timestamp of the call
 */

import { reportGoal } from "./http.js";

const MAX_QUEUED_GOALS = 100;

/** A bounded queue of goals: the oldest are dropped, so a chatty page cannot grow it forever. */
export function createGoalQueue() {
  const goals = [];
  let sending = false;
  return {
    /** @param {Goal} goal */
    add(goal) {
      if (goals.length >= MAX_QUEUED_GOALS) goals.shift();
      goals.push(goal);
    },

    /**
     * Posts the queued goals, oldest first, one at a time. A refused goal is dropped (it would
     * be refused again); on a network failure the rest wait for the next flush.
     *
     * @param {import("./config.js").Config} config
     * @param {?import("./storage.js").Conversation} conversation
     */
    async flush(config, conversation) {
      if (sending || !conversation) return;
      sending = true;
      try {
        while (goals.length) {
          if ((await reportGoal(config, conversation, goals[0])) === "retry") break;
          goals.shift();
        }
      } finally {
        sending = false;
      }
    },
  };
}

/**
 * Conversion goals reported by the host page (SupportWidget.track("add_to_cart")).
 *
 * A stub for now: goals are only queued, in memory and bounded; a later change posts them to
 * the bridge with the conversation. The loader (widget.js) validates the name and stamps the
 * time and page at the moment of the call, because the host may call track() before this
 * module has loaded.
 *
 * @typedef {object} Goal
 * @property {string} goal  e.g. "add_to_cart"
 * @property {string} page_url  the page the goal was reached on
 * @property {string} at  ISO timestamp of the call
 */

const MAX_QUEUED_GOALS = 100;

/** A bounded queue of goals: the oldest are dropped, so a chatty page cannot grow it forever. */
export function createGoalQueue() {
  const goals = [];
  return {
    /** @param {Goal} goal */
    add(goal) {
      if (goals.length >= MAX_QUEUED_GOALS) goals.shift();
      goals.push(goal);
    },
  };
}

/**
 * The strings of a returning customer's earlier chats (customer_history.js), in both
 * languages; the console reads them as `t.history` (strings.js).
 */

export const HISTORY = {
  en: {
    returning: (count, nps) => [
      "Returning customer",
      count === 1 ? "1 earlier chat" : `${count} earlier chats`,
      ...(nps === null ? [] : [`last NPS ${nps}`]),
    ].join(" · "),
    firstChat: "No earlier chats",
    loading: "Loading earlier chats…",
    failed: "Earlier chats could not be loaded.",
    noTopic: "(no question)",
    nps: (score) => `NPS ${score}`,
    outcomes: {
      bot: "Answered by the bot",
      closed: (name) => (name ? `Closed by ${name}` : "Closed"),
      handed_back: (name) => (name ? `Handed back to the bot by ${name}` : "Handed back to the bot"),
      missed: "Missed: left the queue",
      left_message: "Left a message",
      cancelled: "Stopped waiting",
      open: "Still open",
    },
    openLabel: (date, topic) => `Chat of ${date}: ${topic} (opens read-only in a new tab)`,
    more: (shown, total) => `The newest ${shown} of ${total} are shown.`,
  },
  hu: {
    returning: (count, nps) => [
      "Visszatérő ügyfél",
      `${count} korábbi beszélgetés`,
      ...(nps === null ? [] : [`utolsó NPS: ${nps}`]),
    ].join(" · "),
    firstChat: "Nincs korábbi beszélgetés",
    loading: "A korábbi beszélgetések betöltése…",
    failed: "A korábbi beszélgetéseket nem sikerült betölteni.",
    noTopic: "(nincs kérdés)",
    nps: (score) => `NPS: ${score}`,
    outcomes: {
      bot: "A bot válaszolt",
      closed: (name) => (name ? `Lezárta: ${name}` : "Lezárva"),
      handed_back: (name) => (name ? `Visszaadta a botnak: ${name}` : "Visszaadva a botnak"),
      missed: "Nem fogadott: elhagyta a sort",
      left_message: "Üzenetet hagyott",
      cancelled: "Nem várt tovább",
      open: "Még folyamatban",
    },
    openLabel: (date, topic) => `Beszélgetés, ${date}: ${topic} (új lapon, csak olvasásra nyílik meg)`,
    more: (shown, total) => `A legutóbbi ${shown} látható, összesen ${total} van.`,
  },
};

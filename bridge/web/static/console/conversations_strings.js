/**
 * The strings the conversations view builds at run time, in both languages. The names it
 * shares with the console (statuses, roles, handoff reasons, languages) are the console's
 * (strings.js), so each has one home; the page's fixed labels are in its template.
 */

import { STRINGS as CONSOLE } from "./strings.js";

const OWN = {
  en: {
    searching: "Searching…",
    found: (count, more) => (more
      ? `Showing ${count} conversations, newest activity first; more below.`
      : count === 1 ? "1 conversation." : `${count} conversations.`),
    none: "No conversation matches.",
    network: "The bridge cannot be reached. Try again in a moment.",
    failed: "This could not be loaded.",
    refused: {
      no_words: "Type at least one word of letters or digits.",
      too_many_words: "A search has at most 12 words.",
      query_too_long: "A search is at most 200 characters.",
      bad_range: "The period ends before it starts.",
      unknown_agent: "There is no such agent.",
      bad_cursor: "The list changed; search again.",
    },
    notFound: "This conversation does not exist.",
    opened: "Conversation opened.",
    messages: (n) => (n === 1 ? "1 message" : `${n} messages`),
    handoffs: (n) => (n === 1 ? "1 handoff" : `${n} handoffs`),
    agents: (names) => `Agent: ${names}`,
    nps: (score) => `NPS ${score}`,
    noTopic: "(no question)",
    erased: "Erased",
    facts: {
      started: "Started",
      updated: "Last activity",
      status: "Status",
      language: "Language",
      page: "Page",
      visitor: "Visitor",
      erased: "Erased on",
    },
    emptyNotes: "No notes.",
    emptyHandoffs: "Never handed to an agent.",
    emptyNps: "No NPS answer.",
    emptyFeedback: "No answer feedback.",
    handoffStatus: {
      waiting: "waiting",
      claimed: "with an agent",
      returned: "handed back to the bot",
      closed: "closed",
      cancelled: "cancelled",
      missed: "missed",
    },
    claimedBy: (name, time) => `taken by ${name} at ${time}`,
    unclaimed: "nobody took it",
    ended: (time) => `ended ${time}`,
    surveyStatus: {
      asked: "asked, no answer",
      answered: "answered",
      declined: "declined",
      dropped: "dropped",
    },
    score: (score, category) => `${score} (${category})`,
    categories: { promoter: "promoter", passive: "passive", detractor: "detractor" },
    helpful: "helpful",
    notHelpful: "not helpful",
  },
  hu: {
    searching: "Keresés…",
    found: (count, more) => (more
      ? `${count} beszélgetés látható, a legutóbbi eseménnyel kezdve; lejjebb továbbiak.`
      : `${count} beszélgetés.`),
    none: "Nincs a feltételeknek megfelelő beszélgetés.",
    network: "A szerver nem érhető el. Próbálja újra egy kis idő múlva.",
    failed: "Ezt nem sikerült betölteni.",
    refused: {
      no_words: "Írjon legalább egy betűkből vagy számokból álló szót.",
      too_many_words: "Egy keresés legfeljebb 12 szó.",
      query_too_long: "Egy keresés legfeljebb 200 karakter.",
      bad_range: "Az időszak vége korábbi, mint a kezdete.",
      unknown_agent: "Nincs ilyen ügyintéző.",
      bad_cursor: "A lista megváltozott; keressen újra.",
    },
    notFound: "Ilyen beszélgetés nincs.",
    opened: "A beszélgetés megnyílt.",
    messages: (n) => `${n} üzenet`,
    handoffs: (n) => `${n} átadás`,
    agents: (names) => `Ügyintéző: ${names}`,
    nps: (score) => `NPS ${score}`,
    noTopic: "(nincs kérdés)",
    erased: "Törölve",
    facts: {
      started: "Kezdete",
      updated: "Utolsó esemény",
      status: "Állapot",
      language: "Nyelv",
      page: "Oldal",
      visitor: "Látogató",
      erased: "Törölve",
    },
    emptyNotes: "Nincs jegyzet.",
    emptyHandoffs: "Nem került ügyintézőhöz.",
    emptyNps: "Nincs NPS-válasz.",
    emptyFeedback: "Nincs visszajelzés a válaszokra.",
    handoffStatus: {
      waiting: "várakozik",
      claimed: "ügyintézőnél",
      returned: "visszaadva a botnak",
      closed: "lezárva",
      cancelled: "visszavonva",
      missed: "elmaradt",
    },
    claimedBy: (name, time) => `átvette: ${name}, ${time}`,
    unclaimed: "senki sem vette át",
    ended: (time) => `vége: ${time}`,
    surveyStatus: {
      asked: "megkérdezve, nem válaszolt",
      answered: "válaszolt",
      declined: "nem kért belőle",
      dropped: "elmaradt",
    },
    score: (score, category) => `${score} (${category})`,
    categories: { promoter: "ajánló", passive: "semleges", detractor: "kritikus" },
    helpful: "hasznos",
    notHelpful: "nem hasznos",
  },
};

/** The view's strings in `lang` (English for anything else), with the console's shared ones. */
export function stringsFor(lang) {
  const code = lang in OWN ? lang : "en";
  const shared = CONSOLE[code];
  return {
    ...OWN[code],
    statuses: shared.statuses,
    roles: shared.roles,
    reasons: shared.reasons,
    languages: shared.languages,
  };
}

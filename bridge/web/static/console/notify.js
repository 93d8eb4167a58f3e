/**
 * Getting the agent's attention when a customer starts waiting: the waiting count in the
 * browser tab's title ("(2) …", visible from other tabs), a short beep when sound is on, and
 * a polite live-region announcement for screen-reader users.
 */

import { loadSound, saveSound } from "./storage.js";

const BEEP_HZ = 880;
const BEEP_SECONDS = 0.18;

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {HTMLButtonElement} options.soundToggle  aria-pressed toggle button
 * @param {HTMLElement} options.live  polite live region
 */
export function createNotifier({ t, soundToggle, live }) {
  const baseTitle = document.title;
  let soundOn = loadSound();
  let audio = null;

  /**
   * Browsers only let audio start after a user gesture, so the context is created (or
   * resumed) on the agent's first click or key press, well before the first beep is needed.
   */
  function unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      if (!audio) audio = new Context();
      if (audio.state === "suspended") audio.resume().catch(() => {});
    } catch {
      audio = null; // no audio device; the title and announcement still work
    }
  }

  function beep() {
    if (!soundOn || !audio || audio.state !== "running") return;
    const start = audio.currentTime;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = BEEP_HZ;
    // A fast attack and exponential release avoid the click of a hard start/stop.
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + BEEP_SECONDS);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + BEEP_SECONDS + 0.02);
  }

  function renderToggle() {
    soundToggle.setAttribute("aria-pressed", String(soundOn));
    soundToggle.title = soundOn ? t.soundOn : t.soundOff;
  }

  function announce(text) {
    live.textContent = "";
    live.textContent = text;
  }

  soundToggle.addEventListener("click", () => {
    soundOn = !soundOn;
    saveSound(soundOn);
    renderToggle();
    announce(soundOn ? t.soundOn : t.soundOff);
  });
  for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, unlockAudio, { capture: true });
  renderToggle();

  return {
    announce,
    /** "(N) " in front of the page title while anyone is waiting. */
    setWaitingCount(count) {
      document.title = count > 0 ? `(${count}) ${baseTitle}` : baseTitle;
    },
    /** A customer just joined the queue. */
    newCustomer(question, waitingCount) {
      beep();
      announce(t.newCustomer(question, waitingCount));
    },
  };
}

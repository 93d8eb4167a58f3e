/**
 * A websocket that stays connected: pings, noticing a half-open socket, reconnecting with
 * backoff, and following the browser's online/offline events. The widget (/ws/chat) and the
 * agent console (/ws/agent) both use it; each keeps its own protocol in the callbacks.
 *
 * Every callback ignores a socket that is no longer the current one, so a late event from a
 * socket that was dropped can never change the state of its successor.
 */

const PING_INTERVAL_MS = 25000;
/** Two missed pongs and some slack: the socket is half-open. */
const SILENCE_LIMIT_MS = 2 * PING_INTERVAL_MS + 10000;
const BACKOFF_BASE_MS = 500;

/**
 * @typedef {object} ReconnectingSocketOptions
 * @property {() => string | Promise<string>} url  where to connect; may wait (e.g. for a
 *   conversation to be created) and may throw, which counts as a failed attempt
 * @property {() => void} onOpen  connected (again)
 * @property {(data: object) => void} onEvent  one parsed server event ("pong" is kept here)
 * @property {(event: CloseEvent) => boolean} onClose  the server closed the current socket;
 *   return true to reconnect with backoff, false to stay closed until `connect()`
 * @property {() => void} [onDetach]  the current socket is gone, however it went
 * @property {() => void} [onChange]  connection state changed: re-render status lines
 * @property {() => boolean} [wanted]  whether a socket is wanted at all now (default: always)
 * @property {number} [backoffMaxMs]  the longest wait between attempts
 */

/** @param {ReconnectingSocketOptions} options */
export function createReconnectingSocket({
  url, onOpen, onEvent, onClose, onDetach = () => {}, onChange = () => {}, wanted = () => true,
  backoffMaxMs = 30000,
}) {
  let socket = null;
  let connected = false;
  let connecting = false;
  let everConnected = false;
  let attempts = 0;
  let reconnectTimer = null;
  let pingTimer = null;
  let lastHeardAt = 0;

  async function connect() {
    if (socket || connecting || !wanted()) return;
    connecting = true;
    try {
      const address = await url();
      if (socket || !wanted()) return; // the wait may have made the socket unwanted
      open(address);
    } catch {
      scheduleReconnect();
    } finally {
      connecting = false;
    }
  }

  function open(address) {
    const current = new WebSocket(address);
    socket = current;
    current.addEventListener("open", () => {
      if (current !== socket) return;
      connected = true;
      everConnected = true;
      attempts = 0;
      lastHeardAt = Date.now();
      clearInterval(pingTimer);
      pingTimer = setInterval(heartbeat, PING_INTERVAL_MS);
      onChange();
      onOpen();
    });
    current.addEventListener("message", (event) => {
      if (current !== socket) return;
      lastHeardAt = Date.now();
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (data && typeof data === "object" && typeof data.type === "string" && data.type !== "pong") onEvent(data);
    });
    current.addEventListener("close", (event) => {
      if (current !== socket) return;
      drop();
      if (onClose(event)) scheduleReconnect();
    });
    onChange();
  }

  /**
   * Pings keep proxies from closing an idle socket. A socket that has heard nothing (not even
   * pongs) for two intervals is half-open; drop it instead of waiting for TCP to notice.
   */
  function heartbeat() {
    if (Date.now() - lastHeardAt > SILENCE_LIMIT_MS) {
      drop();
      scheduleReconnect();
      return;
    }
    send({ type: "ping" });
  }

  /** Forgets the current socket (closing it if still open) without running its close handling. */
  function drop() {
    const old = socket;
    socket = null;
    connected = false;
    clearInterval(pingTimer);
    pingTimer = null;
    onDetach();
    if (old && old.readyState <= WebSocket.OPEN) {
      try {
        old.close(1000);
      } catch {
        // Already closing.
      }
    }
    onChange();
  }

  /** Exponential backoff with "equal jitter", so a room of clients doesn't reconnect in lockstep. */
  function scheduleReconnect() {
    if (reconnectTimer !== null || socket || !wanted()) {
      onChange();
      return;
    }
    const ceiling = Math.min(backoffMaxMs, BACKOFF_BASE_MS * 2 ** attempts);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    attempts += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, delay);
    onChange();
  }

  /** Skips the remaining backoff, e.g. when the network comes back or the user acts. */
  function reconnectNow() {
    if (socket) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    connect();
  }

  /** Sends an event if the socket is open; false otherwise (the caller decides what that means). */
  function send(event) {
    if (!connected || !socket) return false;
    try {
      socket.send(JSON.stringify(event));
      return true;
    } catch {
      return false;
    }
  }

  window.addEventListener("online", () => {
    attempts = 0;
    reconnectNow();
  });
  // A socket can stay "open" through a lost network until the heartbeat gives up: drop it now.
  window.addEventListener("offline", () => {
    if (!socket) return;
    drop();
    scheduleReconnect();
  });

  return {
    connect,
    send,
    drop,
    scheduleReconnect,
    reconnectNow,
    /** Waits at least as long as after `count` failed attempts (a server refusing us). */
    backOff(count) {
      attempts = Math.max(attempts, count);
    },
    isOpen: () => connected,
    /** The current WebSocket (null when none): the identity of "sent on this socket". */
    current: () => socket,
    /** Whether a reconnect is pending or has been tried, or a socket was ever open. */
    isTrying: () => reconnectTimer !== null || attempts > 0 || everConnected,
    attempts: () => attempts,
  };
}

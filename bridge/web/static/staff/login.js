/* The sign-in form: posts the credentials with the pre-session CSRF token (served as a file:
 * the Content-Security-Policy allows no inline script). */
(function () {
  var strings = JSON.parse(document.getElementById("login-strings").textContent);
  var T = strings.t;
  var REFUSED = strings.refused;
  var form = document.getElementById("login-form");
  var error = document.getElementById("login-error");
  var button = form.querySelector("button");
  var fields = [form.elements.email, form.elements.password];

  function csrfToken() {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf("sb_csrf=") === 0; })[0];
    return found ? found.slice("sb_csrf=".length) : "";
  }

  function fail(message, markFields) {
    fields.forEach(function (field) { field.setAttribute("aria-invalid", markFields ? "true" : "false"); });
    error.textContent = message;
    if (markFields) form.elements.password.select();
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    error.textContent = "";
    var email = form.elements.email.value.trim();
    var password = form.elements.password.value;
    if (!email || !password) { fail(T.error_invalid, true); return; }
    button.disabled = true;
    button.textContent = T.signing_in;
    try {
      var response = await fetch("/api/staff/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
        body: JSON.stringify({ email: email, password: password }),
      });
      if (response.ok) { window.location.assign(form.dataset.next); return; }
      var body = await response.json().catch(function () { return {}; });
      if (response.status === 429) {
        var minutes = Math.max(1, Math.ceil(Number(response.headers.get("Retry-After") || 60) / 60));
        fail(T.error_throttled.replace("{minutes}", String(minutes)), false);
      } else if (response.status === 401 || (response.status === 403 && body.detail === REFUSED)) {
        fail(T.error_credentials, true);
      } else if (response.status === 403) {
        fail(T.error_expired, false);
      } else if (response.status === 422) {
        fail(T.error_invalid, true);
      } else {
        fail(T.error_network, false);
      }
    } catch (_) {
      fail(T.error_network, false);
    } finally {
      button.disabled = false;
      button.textContent = T.submit;
    }
  });
})();

// Demo only: shows the widget's public API from the host page's side.
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-demo-action]");
  if (!target || !window.SupportWidget) return;
  if (target.dataset.demoAction === "open-chat") {
    window.SupportWidget.open();
  } else if (target.dataset.demoAction === "add-to-cart") {
    window.SupportWidget.track("add_to_cart");
    target.textContent = target.dataset.added;
    target.disabled = true;
  }
});

// Demo only: a signed-in customer (/?signed_in=anna). The shop's server rendered the customer
// with a signature of the id; the page hands both to the widget. The deferred widget.js has run
// by DOMContentLoaded, so SupportWidget exists then.
document.addEventListener("DOMContentLoaded", function () {
  var data = document.getElementById("demo-customer");
  if (!data || !window.SupportWidget) return;
  window.SupportWidget.identify(JSON.parse(data.textContent));
});

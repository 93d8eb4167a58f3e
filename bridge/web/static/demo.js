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

// Behaviour shared by the console and the portal. No inline scripts anywhere: the
// content-security policy allows only files served from our own origin.
(function () {
  "use strict";

  // A <select data-autosubmit> submits its form when changed (the language switch).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
      target.form.submit();
    }
  });

  // Keyboard shortcuts: an element with data-shortcut="n" is clicked when "n" is pressed
  // outside a text field (the console's "open the next account").
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target.isContentEditable) return;
    var element = document.querySelector('[data-shortcut="' + event.key + '"]');
    if (element) {
      event.preventDefault();
      element.click();
    }
  });

  // A button with data-confirm asks before it submits.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();

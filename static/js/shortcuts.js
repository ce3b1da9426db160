/*
 * Keyboard shortcuts on every page: "/" puts the keyboard in the page's search box, "n" opens
 * a new phone, "?" lists the shortcuts; Ctrl+Enter (Cmd+Enter) submits the form the keyboard is
 * in. Single keys act only while the keyboard is not in a text field, so they never eat typing.
 */
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.closest) { return false; }
    if (target.isContentEditable) { return true; }
    var field = target.closest("input, textarea, select");
    if (!field) { return false; }
    var type = (field.getAttribute("type") || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(type) === -1;
  }

  function dialog() {
    return document.getElementById("shortcuts");
  }

  function submitFrom(target) {
    var form = target.closest && target.closest("form");
    if (!form || form.getAttribute("aria-busy") === "true") { return false; }
    var button = form.querySelector('button[type="submit"]:not([name]), button:not([type]):not([name])');
    if (button && button.disabled) { return false; }
    form.requestSubmit(button || undefined);
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented) { return; }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
      if (submitFrom(event.target)) { event.preventDefault(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var help = dialog();
    if (help && help.open) { return; }
    var link;
    switch (event.key) {
      case "/":
        var search = document.querySelector("[data-shortcut-search]");
        if (search) {
          event.preventDefault();
          search.focus();
          search.select();
        }
        break;
      case "n":
        link = document.querySelector('a[data-shortcut="n"]');
        if (link) {
          event.preventDefault();
          window.location.assign(link.href);
        }
        break;
      case "?":
        if (help) {
          event.preventDefault();
          help.showModal();
        }
        break;
    }
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-shortcuts-open]");
    if (opener && dialog()) {
      dialog().showModal();
      return;
    }
    var closer = event.target.closest && event.target.closest("[data-shortcuts-close]");
    if (closer && dialog()) { dialog().close(); }
  });
})();

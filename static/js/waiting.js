// Busy feedback for forms that wait on WellApp.
//
// A form with data-busy="Waiting for WellApp" disables its submit buttons and sets
// aria-busy="true" while its request runs, and shows a live status line next to its submit
// button: "Waiting for WellApp… 6 s", counting up every second, followed by "(up to 15 s)"
// when the form has data-busy-budget="15". htmx forms get their state back when the request
// ends, however it ends (answer, error, timeout, network failure) unless the answer is a
// redirect, which keeps it until the next page replaces this one. A plain form keeps it until
// the page unloads, and a second submit meanwhile is ignored.
//
// Also: a button with data-select-for="<select id>" and data-select-value="<value>" sets that
// select to the value and fires its change event (the number preview's "use this country").
(function () {
  "use strict";

  var TICK_MS = 250;
  var active = new Map(); // form -> {started, timer, status, buttons}

  function submitButtons(form) {
    var inside = Array.prototype.slice.call(
      form.querySelectorAll("button:not([type]), button[type=submit], input[type=submit]")
    );
    if (form.id) {
      var outside = document.querySelectorAll(
        'button[form="' + CSS.escape(form.id) + '"], input[type=submit][form="' + CSS.escape(form.id) + '"]'
      );
      inside = inside.concat(Array.prototype.slice.call(outside));
    }
    return inside.filter(function (button) {
      return button.form === form;
    });
  }

  function statusText(form, seconds) {
    var text = form.getAttribute("data-busy") + "\u2026 " + seconds + " s";
    var budget = form.getAttribute("data-busy-budget");
    if (budget) {
      text += " (up to " + budget + " s)";
    }
    return text;
  }

  function statusElement(form, buttons) {
    var status = document.createElement("span");
    status.className = "busy-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    // After the last submit button's siblings (its hint, say), else at the end of the form.
    var inside = buttons.filter(function (button) {
      return form.contains(button);
    });
    var holder = inside.length ? inside[inside.length - 1].parentElement : form;
    (form.contains(holder) ? holder : form).appendChild(status);
    return status;
  }

  function start(form, disableNow) {
    if (active.has(form)) {
      return;
    }
    var buttons = submitButtons(form).map(function (button) {
      return {
        button: button,
        disabled: button.disabled,
        ariaDisabled: button.getAttribute("aria-disabled"),
      };
    });
    var state = {
      started: Date.now(),
      buttons: buttons,
      status: statusElement(
        form,
        buttons.map(function (b) {
          return b.button;
        })
      ),
      shown: -1,
      timer: 0,
    };
    active.set(form, state);
    form.setAttribute("aria-busy", "true");
    buttons.forEach(function (b) {
      b.button.setAttribute("aria-disabled", "true");
      if (disableNow) {
        b.button.disabled = true;
      }
    });
    if (!disableNow) {
      // A plain form's submitter is read once the submit event is over; disable it after.
      window.setTimeout(function () {
        if (active.get(form) === state) {
          buttons.forEach(function (b) {
            b.button.disabled = true;
          });
        }
      }, 0);
    }
    // The live region exists before its first text, so that text is announced.
    window.setTimeout(function () {
      tick(form, state);
    }, 0);
    state.timer = window.setInterval(function () {
      tick(form, state);
    }, TICK_MS);
  }

  function tick(form, state) {
    if (active.get(form) !== state) {
      return;
    }
    if (!form.isConnected) {
      stop(form);
      return;
    }
    var seconds = Math.floor((Date.now() - state.started) / 1000);
    if (seconds !== state.shown) {
      state.shown = seconds;
      state.status.textContent = statusText(form, seconds);
    }
  }

  function stop(form) {
    var state = active.get(form);
    if (!state) {
      return;
    }
    active.delete(form);
    window.clearInterval(state.timer);
    form.removeAttribute("aria-busy");
    state.buttons.forEach(function (b) {
      b.button.disabled = b.disabled;
      if (b.ariaDisabled === null) {
        b.button.removeAttribute("aria-disabled");
      } else {
        b.button.setAttribute("aria-disabled", b.ariaDisabled);
      }
    });
    state.status.remove();
  }

  function busyForm(evt) {
    var elt = evt.detail && evt.detail.elt;
    return elt && elt.matches && elt.matches("form[data-busy]") ? elt : null;
  }

  function redirecting(evt) {
    var xhr = evt.detail && evt.detail.xhr;
    if (!xhr || !evt.detail.successful) {
      return false;
    }
    return Boolean(xhr.getResponseHeader("HX-Redirect") || xhr.getResponseHeader("HX-Location"));
  }

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var form = busyForm(evt);
    if (form) {
      start(form, true);
    }
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = busyForm(evt);
    if (!form) {
      return;
    }
    var state = active.get(form);
    if (state && redirecting(evt)) {
      // htmx has just enabled hx-disabled-elt again; the next page is on its way.
      state.buttons.forEach(function (b) {
        b.button.disabled = true;
      });
    } else {
      stop(form);
    }
  });

  ["htmx:sendError", "htmx:timeout", "htmx:sendAbort"].forEach(function (name) {
    document.addEventListener(name, function (evt) {
      var form = busyForm(evt);
      if (form) {
        stop(form);
      }
    });
  });

  // Plain forms. htmx forms have had their submit event cancelled by htmx by now.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) {
      return;
    }
    if (active.has(form)) {
      evt.preventDefault();
      return;
    }
    if (evt.defaultPrevented) {
      return;
    }
    start(form, false);
  });

  // Coming Back to a page kept in the back-forward cache: nothing is waiting any more.
  window.addEventListener("pageshow", function (evt) {
    if (evt.persisted) {
      Array.from(active.keys()).forEach(stop);
    }
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("button[data-select-for]");
    if (!button) {
      return;
    }
    var select = document.getElementById(button.getAttribute("data-select-for"));
    if (!select) {
      return;
    }
    select.value = button.getAttribute("data-select-value");
    select.dispatchEvent(new Event("change", { bubbles: true }));
    var focusId = button.getAttribute("data-select-focus");
    var next = focusId ? document.getElementById(focusId) : select;
    if (next) {
      next.focus();
    }
  });
})();

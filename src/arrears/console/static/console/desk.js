// The agent console's service desk: canned replies into the reply box, the live chat
// transcript over the care event stream, sending chat messages, and the chat heartbeat.
// No inline scripts: the content-security policy allows only files from our own origin.
(function () {
  "use strict";

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // --- canned replies: insert the chosen reply (already filled in for this ticket) ---------
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-canned-insert]");
    if (!button) return;
    var data = document.getElementById("canned-replies");
    var select = document.querySelector("[data-canned-select]");
    var box = document.getElementById(button.getAttribute("data-target"));
    if (!data || !select || !box) return;
    var texts = JSON.parse(data.textContent);
    var text = texts[select.value];
    if (!text) return;
    var start = box.selectionStart || 0;
    var end = box.selectionEnd || 0;
    if (box.value && start === 0 && end === 0) {
      start = end = box.value.length; // nothing chosen: add at the end
      text = "\n\n" + text;
    }
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.focus();
    box.selectionStart = box.selectionEnd = start + text.length;
  });

  // --- the live chat transcript ---------------------------------------------------------------
  function appendMessage(list, message) {
    if (list.querySelector('[data-message-id="' + message.id + '"]')) return;
    var item = document.createElement("li");
    item.className = "bubble " + (message.from === "borrower" ? "bubble-inbound" : "bubble-outbound");
    item.setAttribute("data-message-id", String(message.id));
    var who = document.createElement("p");
    who.className = "bubble-who";
    var name = document.createElement("strong");
    name.textContent = message.from === "borrower" ? list.getAttribute("data-borrower") : list.getAttribute("data-you");
    var at = document.createElement("span");
    at.className = "muted";
    at.textContent = new Date(message.at).toLocaleString(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "medium" });
    who.appendChild(name);
    who.appendChild(document.createTextNode(" · "));
    who.appendChild(at);
    var body = document.createElement("div");
    body.className = "bubble-body";
    body.textContent = message.body;
    item.appendChild(who);
    item.appendChild(body);
    list.appendChild(item);
    list.setAttribute("data-last-id", String(message.id));
    var box = list.closest(".chat-box");
    if (box) box.scrollTop = box.scrollHeight;
  }

  function chatEnded() {
    var note = document.querySelector("[data-chat-ended]");
    if (note) note.hidden = false;
    var form = document.querySelector("[data-chat-send]");
    if (form) {
      Array.prototype.forEach.call(form.elements, function (element) { element.disabled = true; });
    }
  }

  function followTranscript() {
    var list = document.getElementById("chat-transcript");
    if (!list || !window.EventSource) return;
    var url = list.getAttribute("data-events-url") + "?last_event_id=" + (list.getAttribute("data-last-id") || "0");
    var source = new EventSource(url);
    source.addEventListener("message", function (event) {
      appendMessage(list, JSON.parse(event.data));
    });
    source.addEventListener("ended", function () {
      source.close();
      chatEnded();
    });
    list.setAttribute("data-streaming", "true");
    var box = list.closest(".chat-box");
    if (box) box.scrollTop = box.scrollHeight;
  }

  // Sending: htmx posts the form (the stream shows the message); Enter sends, Shift+Enter is a
  // new line. A refused message falls back to an ordinary post, which shows the reason.
  document.addEventListener("keydown", function (event) {
    var form = event.target.closest && event.target.closest("[data-chat-send]");
    if (!form || event.target.tagName !== "TEXTAREA") return;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (event.target.value.trim()) form.requestSubmit();
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-chat-send")) return;
    if (event.detail.successful) {
      form.reset();
      var box = form.querySelector("textarea");
      if (box) box.focus();
    } else {
      form.removeAttribute("hx-post");
      form.submit();
    }
  });

  // --- the chat heartbeat: an online agent is offered chats only while the console is open ----
  function heartbeat() {
    var marker = document.querySelector("[data-heartbeat-url]");
    if (!marker) return;
    var beat = function () {
      var body = new URLSearchParams({ online: "1" });
      fetch(marker.getAttribute("data-heartbeat-url"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      });
    };
    window.setInterval(beat, 60000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    followTranscript();
    heartbeat();
  });
})();

// The borrower's live chat on the portal's Help page. It speaks care's chat calls
// (POST /care/chats, /care/chats/<id>/messages, /care/chats/<id>/end) with the session cookie and
// the CSRF token, and listens to the chat's event stream with EventSource: every message of the
// chat arrives there once (the browser resumes after a drop with Last-Event-ID), and "ended"
// says the chat is over — with the notice when it was kept as a ticket because the desk is closed.
(function () {
  "use strict";

  var form = document.getElementById("chat-form");
  if (!form) return;
  var log = document.getElementById("chat-log");
  var notice = document.getElementById("chat-notice");
  var input = document.getElementById("chat-message");
  var send = document.getElementById("chat-send");
  var endButton = document.getElementById("chat-end");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var chat = null; // {id, events_url}
  var stream = null;
  var shown = {}; // message ids already in the log

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.detail || form.dataset.failed);
        return data;
      });
    });
  }

  function say(line) {
    if (line.id && shown[line.id]) return;
    if (line.id) shown[line.id] = true;
    var item = document.createElement("p");
    var mine = line.from === "borrower";
    item.className = "chat-line " + (mine ? "from-borrower" : "from-agent");
    item.setAttribute("data-testid", mine ? "chat-mine" : "chat-reply");
    var who = document.createElement("small");
    who.textContent = (mine ? form.dataset.you : form.dataset.desk) + " · ";
    item.appendChild(who);
    item.appendChild(document.createTextNode(line.body));
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function tell(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  function finish(text) {
    if (stream) stream.close();
    stream = null;
    chat = null;
    endButton.hidden = true;
    tell(text || form.dataset.ended);
  }

  function listen(url) {
    stream = new EventSource(url);
    stream.addEventListener("message", function (event) {
      var line = JSON.parse(event.data);
      if (line.from !== "borrower") tell("");
      say(line);
    });
    stream.addEventListener("ended", function (event) {
      var data = JSON.parse(event.data || "{}");
      finish(data.notice);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    send.disabled = true;
    var sending = chat
      ? post(chat.url + "/messages", { body: text }).then(say)
      : post(form.dataset.startUrl, { message: text, language: form.dataset.language }).then(
          function (started) {
            if (started.notice) {
              say({ from: "borrower", body: text }); // no stream to bring it back
              finish(started.notice); // the desk is closed: kept as a ticket, told when it opens
              return;
            }
            chat = { id: started.id, url: form.dataset.startUrl + "/" + started.id };
            endButton.hidden = false;
            tell(form.dataset.waiting);
            listen(started.events_url);
          }
        );
    sending
      .then(function () {
        input.value = "";
      })
      .catch(function (error) {
        tell(error.message);
      })
      .then(function () {
        send.disabled = false;
        input.focus();
      });
  });

  endButton.addEventListener("click", function () {
    if (!chat) return;
    post(chat.url + "/end").then(function () {
      finish(form.dataset.ended);
    });
  });
})();

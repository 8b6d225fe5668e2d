// Support pages: a ticket's new messages as they arrive (Server-Sent Events), and FAQ articles suggested while the
// subject of a new ticket is typed. Everything works without this script: the page reloads, the form searches first.
(function () {
  "use strict";

  // Text with [[matches]] as DOM nodes: never innerHTML, so an article's words stay words.
  function marked(text) {
    var fragment = document.createDocumentFragment();
    text.split(/(\[\[|\]\])/).reduce(function (inMark, piece) {
      if (piece === "[[") return true;
      if (piece === "]]") return false;
      if (piece) {
        var node = inMark ? document.createElement("mark") : document.createTextNode(piece);
        if (inMark) node.textContent = piece;
        fragment.appendChild(node);
      }
      return inMark;
    }, false);
    return fragment;
  }

  var thread = document.getElementById("ticket-messages");
  if (thread && window.EventSource) {
    var url = thread.getAttribute("data-events") + "?after=" + encodeURIComponent(thread.getAttribute("data-last") || "0");
    var source = new EventSource(url);
    source.addEventListener("message", function (event) {
      var message = JSON.parse(event.data);
      if (document.getElementById("message-" + message.id)) return;
      var item = document.createElement("li");
      item.id = "message-" + message.id;
      item.className = "message message-" + message.author;
      var who = document.createElement("strong");
      who.textContent = message.author === "agent" ? (message.agentName || "") : thread.getAttribute("data-you") || "";
      if (message.author === "system") who.textContent = thread.getAttribute("data-system") || "";
      var text = document.createElement("p");
      text.textContent = message.text;
      item.appendChild(who);
      item.appendChild(text);
      (message.attachments || []).forEach(function (file) {
        var link = document.createElement("a");
        link.href = "/support/tickets/" + thread.getAttribute("data-ticket") + "/attachments/" + file.id;
        link.textContent = file.fileName;
        item.appendChild(link);
      });
      thread.appendChild(item);
      var live = document.getElementById("ticket-live");
      if (live) live.textContent = thread.getAttribute("data-new") || "";
    });
  }

  var subject = document.getElementById("ticket-subject");
  var list = document.getElementById("faq-suggestions");
  if (subject && list && window.fetch) {
    var timer = null;
    subject.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = subject.value.trim();
        if (q.length < 3) { list.textContent = ""; return; }
        fetch("/api/v1/support/faq?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (body) {
            list.textContent = "";
            body.items.forEach(function (hit) {
              var item = document.createElement("li");
              var link = document.createElement("a");
              link.href = "/support/faq/" + encodeURIComponent(hit.id);
              link.appendChild(marked(hit.titleHighlighted));
              item.appendChild(link);
              list.appendChild(item);
            });
          })
          .catch(function () {});
      }, 300);
    });
  }
})();

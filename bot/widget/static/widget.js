/* Brukarröst chat widget. Plain JavaScript, no build step.
 *
 * Embed on any page with one tag:
 *   <script src="https://HOST/widget/widget.js" data-consultation="ID" data-unit="ID"
 *           data-lang="sv" async></script>
 * The full-page chat (/chat/{consultation}) uses the same file with data-mode="page".
 *
 * Talks to the WebSocket channel (/webhooks/websocket); every bot message is the REST
 * channel's JSON. All text is put in the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) { return; }
  var data = script.dataset;
  var base = new URL(script.src, document.baseURI).origin;
  var consultation = data.consultation || "";
  var storageKey = "brukarrost:sender:" + (consultation || "default");
  var metadata = {};
  ["consultation", "unit", "invite", "source", "lang"].forEach(function (key) {
    if (data[key]) { metadata[key] = data[key]; }
  });

  var state = {
    lang: data.lang || "sv", texts: null, languages: [], socket: null, queue: [],
    retry: 0, waiting: false, ids: 0, root: null, el: {}
  };

  // -- small helpers ---------------------------------------------------------------

  function make(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function t(key, values) {
    var texts = (state.texts && (state.texts[state.lang] || state.texts.sv)) || {};
    var text = texts[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  function dirOf(lang) {
    var found = state.languages.filter(function (l) { return l.code === lang; })[0];
    return found ? found.dir : "ltr";
  }

  function newId(prefix) { state.ids += 1; return "brr-" + prefix + "-" + state.ids; }

  function senderId() {
    var id = null;
    try { id = window.localStorage.getItem(storageKey); } catch (e) { id = null; }
    if (!id) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      try { window.localStorage.setItem(storageKey, id); } catch (e) { /* private mode */ }
    }
    return id;
  }

  // -- building the chat ------------------------------------------------------------

  function ensureStyles() {
    var href = base + "/widget/widget.css";
    var present = Array.prototype.some.call(
      document.querySelectorAll("link[rel=stylesheet]"),
      function (link) { return link.href === href; });
    if (!present) { document.head.appendChild(make("link", {rel: "stylesheet", href: href})); }
  }

  function build(container) {
    var root = make("section", {"class": "brr", "aria-labelledby": "brr-title"});
    var header = make("div", {"class": "brr-header"});
    var title = make("h2", {id: "brr-title", "class": "brr-title"});
    var langLabel = make("label", {"for": "brr-lang", "class": "brr-lang-label"});
    var langSelect = make("select", {id: "brr-lang", "class": "brr-lang"});
    var langBox = make("div", {"class": "brr-lang-box"});
    langBox.append(langLabel, langSelect);
    header.append(title, langBox);

    var progressBox = make("div", {"class": "brr-progress", hidden: ""});
    var progressText = make("span", {id: "brr-progress-text", "class": "brr-progress-text"});
    var progressBar = make("progress", {"class": "brr-progress-bar",
                                        "aria-labelledby": "brr-progress-text"});
    progressBox.append(progressText, progressBar);

    var log = make("div", {"class": "brr-log", role: "log", "aria-live": "polite",
                           "aria-relevant": "additions", tabindex: "0"});
    var typing = make("p", {"class": "brr-typing", hidden: ""});
    var typingDots = make("span", {"class": "brr-dots", "aria-hidden": "true"});
    var typingText = make("span", {"class": "brr-typing-text"});
    typing.append(typingDots, typingText);
    var options = make("div", {"class": "brr-options"});

    var form = make("form", {"class": "brr-form"});
    var inputLabel = make("label", {"for": "brr-input", "class": "brr-input-label"});
    var input = make("input", {id: "brr-input", "class": "brr-input", type: "text",
                               maxlength: "2000", autocomplete: "off"});
    var send = make("button", {type: "submit", "class": "brr-send"});
    var formRow = make("div", {"class": "brr-form-row"});
    formRow.append(input, send);
    form.append(inputLabel, formRow);

    var actions = make("div", {"class": "brr-actions"});
    var stop = make("button", {type: "button", "class": "brr-action brr-stop"});
    var del = make("button", {type: "button", "class": "brr-action brr-delete"});
    actions.append(stop, del);
    var confirmBox = make("div", {"class": "brr-confirm", role: "group",
                                  "aria-labelledby": "brr-confirm-text", hidden: ""});
    var confirmText = make("p", {id: "brr-confirm-text"});
    var confirmYes = make("button", {type: "button", "class": "brr-option brr-danger"});
    var confirmNo = make("button", {type: "button", "class": "brr-option"});
    confirmBox.append(confirmText, confirmYes, confirmNo);

    root.append(header, progressBox, log, typing, options, form, actions, confirmBox);
    container.appendChild(root);
    state.root = root;
    state.el = {
      title: title, langLabel: langLabel, langSelect: langSelect, progressBox: progressBox,
      progressText: progressText, progressBar: progressBar, log: log, typing: typing,
      typingText: typingText, options: options, form: form, input: input,
      inputLabel: inputLabel, send: send, stop: stop, del: del, confirmBox: confirmBox,
      confirmText: confirmText, confirmYes: confirmYes, confirmNo: confirmNo
    };

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) { input.focus(); return; }
      input.value = "";
      say(text, text);
    });
    stop.addEventListener("click", function () { say("avsluta", t("stop")); });
    del.addEventListener("click", function () {
      confirmBox.hidden = false;
      confirmNo.focus();
    });
    confirmNo.addEventListener("click", function () {
      confirmBox.hidden = true;
      del.focus();
    });
    confirmYes.addEventListener("click", function () {
      confirmBox.hidden = true;
      say("radera", t("delete"));
    });
    langSelect.addEventListener("change", function () {
      setLanguage(langSelect.value);
      say("lang:" + langSelect.value, null);
    });
    label();
  }

  function label() {
    var el = state.el;
    state.root.setAttribute("lang", state.lang);
    state.root.setAttribute("dir", dirOf(state.lang));
    el.title.textContent = t("title");
    el.langLabel.textContent = t("language");
    el.log.setAttribute("aria-label", t("log"));
    el.inputLabel.textContent = t("input");
    el.send.textContent = t("send");
    el.stop.textContent = t("stop");
    el.del.textContent = t("delete");
    el.typingText.textContent = t("typing");
    el.confirmText.textContent = t("delete_confirm");
    el.confirmYes.textContent = t("delete_yes");
    el.confirmNo.textContent = t("delete_no");
    el.langSelect.textContent = "";
    state.languages.forEach(function (language) {
      var option = make("option", {value: language.code, lang: language.code}, language.name);
      if (language.code === state.lang) { option.selected = true; }
      el.langSelect.appendChild(option);
    });
  }

  function setLanguage(lang) {
    if (!state.texts || !state.texts[lang] || lang === state.lang) { return; }
    state.lang = lang;
    label();
  }

  // -- messages ------------------------------------------------------------------------

  function addMessage(who, text, lang, kind) {
    var item = make("div", {"class": "brr-msg brr-" + who + (kind ? " brr-" + kind : ""),
                            id: newId("msg"), lang: lang, dir: dirOf(lang)});
    var name = make("span", {"class": "brr-visually-hidden"}, t(who === "user" ? "you" : "bot") + ": ");
    var body = make("span", {"class": "brr-text"});
    // line breaks of the bot's texts (help lines) as separate lines, still as text
    String(text).split("\n").forEach(function (line, index) {
      if (index) { body.appendChild(make("br")); }
      body.appendChild(document.createTextNode(line));
    });
    item.append(name, body);
    state.el.log.appendChild(item);
    item.scrollIntoView({block: "nearest"});
    return item;
  }

  function showProgress(custom) {
    var el = state.el;
    if (custom && custom.step && custom.of) {
      el.progressText.textContent = t("progress", {step: custom.step, of: custom.of});
      el.progressBar.max = custom.of;
      el.progressBar.value = custom.step;
      el.progressBox.hidden = false;
    } else if (custom && custom.type === "end") {
      el.progressBox.hidden = true;
    }
  }

  function showOptions(message, labelId) {
    var el = state.el;
    el.options.textContent = "";
    var buttons = message ? (message.buttons || []) : [];
    if (!buttons.length) { return null; }
    var group = make("div", {"class": "brr-group", role: "group", "aria-labelledby": labelId});
    var multi = message.custom && message.custom.type === "multi";
    if (multi) {
      buttons.forEach(function (button) {
        var id = newId("opt");
        var row = make("div", {"class": "brr-check"});
        var box = make("input", {type: "checkbox", id: id, value: button.payload});
        row.append(box, make("label", {"for": id}, button.title));
        group.appendChild(row);
      });
      var submit = make("button", {type: "button", "class": "brr-option brr-primary"},
                        t("send_choices"));
      submit.addEventListener("click", function () {
        var chosen = Array.prototype.filter.call(group.querySelectorAll("input"),
                                                 function (b) { return b.checked; });
        if (!chosen.length) { return; }
        say(chosen.map(function (b) { return b.value; }).join(";"),
            chosen.map(function (b) { return b.nextSibling.textContent; }).join(", "));
      });
      group.appendChild(submit);
    } else {
      buttons.forEach(function (button) {
        var node = make("button", {type: "button", "class": "brr-option"}, button.title);
        node.addEventListener("click", function () { say(button.payload, button.title); });
        group.appendChild(node);
      });
    }
    el.options.appendChild(group);
    return group;
  }

  function receive(replies) {
    setWaiting(false);
    if (!Array.isArray(replies)) {
      addMessage("bot", (replies && replies.error) ? t("error") + " " + replies.error : t("error"),
                 state.lang, "error");
      return;
    }
    var asking = null;
    var askingId = null;
    replies.forEach(function (message) {
      var lang = message.lang || state.lang;
      var item = addMessage("bot", message.text || "", lang, message.custom && message.custom.type);
      if (message.buttons && message.buttons.length) { asking = message; askingId = item.id; }
      showProgress(message.custom);
    });
    var last = replies[replies.length - 1];
    if (last && last.lang && last.lang !== state.lang) { setLanguage(last.lang); }
    var group = showOptions(asking, askingId);
    var focused = document.activeElement;
    if (focused === state.el.langSelect) { return; }  // choosing a language moves nothing
    var textQuestion = asking && asking.custom && asking.custom.type === "text";
    if (focused === state.el.input || textQuestion || !group) {
      state.el.input.focus();
    } else {
      group.querySelector("button, input").focus();
    }
  }

  function setWaiting(on) {
    state.waiting = on;
    state.el.typing.hidden = !on;
    state.root.setAttribute("aria-busy", on ? "true" : "false");
  }

  // -- the connection --------------------------------------------------------------

  function say(message, shown) {
    if (shown !== null) { addMessage("user", shown, state.lang); }
    state.el.options.textContent = "";
    send({sender: senderId(), message: message, metadata: metadata});
  }

  function send(body) {
    setWaiting(true);
    state.queue.push(JSON.stringify(body));
    flush();
  }

  function flush() {
    var socket = state.socket;
    while (socket && socket.readyState === 1 && state.queue.length) {
      socket.send(state.queue.shift());
    }
  }

  function connect(first) {
    var url = base.replace(/^http/, "ws") + "/webhooks/websocket";
    var socket = new WebSocket(url);
    state.socket = socket;
    socket.addEventListener("open", function () {
      state.retry = 0;
      if (first) {
        send({sender: senderId(), resume: true, metadata: metadata});
      } else {
        if (state.waiting && !state.queue.length) {
          // a message was in flight when the connection dropped and its reply is lost:
          // ask where the person is now (the next question if it was stored, else the same)
          state.queue.push(JSON.stringify({sender: senderId(), resume: true, metadata: metadata}));
        }
        flush();
      }
    });
    socket.addEventListener("message", function (event) {
      var parsed;
      try { parsed = JSON.parse(event.data); } catch (e) { parsed = null; }
      receive(parsed);
    });
    socket.addEventListener("close", function () {
      state.socket = null;
      if (state.waiting || state.queue.length) {
        addMessage("bot", t("reconnecting"), state.lang, "error");
      }
      state.retry = Math.min(state.retry + 1, 6);
      window.setTimeout(function () { connect(false); }, 500 * Math.pow(2, state.retry));
    });
  }

  // -- start -------------------------------------------------------------------------

  function start(container) {
    build(container);
    connect(true);
  }

  function launcher() {
    var wrap = make("div", {"class": "brr-embed"});
    var open = make("button", {type: "button", "class": "brr-launcher",
                               "aria-expanded": "false"}, t("open"));
    var panel = make("div", {"class": "brr-panel", id: newId("panel"), hidden: ""});
    var close = make("button", {type: "button", "class": "brr-close"}, t("close"));
    open.setAttribute("aria-controls", panel.id);
    panel.appendChild(close);
    wrap.append(panel, open);
    document.body.appendChild(wrap);
    var started = false;
    open.addEventListener("click", function () {
      var opening = panel.hidden;
      panel.hidden = !opening;
      open.setAttribute("aria-expanded", opening ? "true" : "false");
      if (opening && !started) { started = true; start(panel); }
      if (opening) { state.el.input.focus(); }
    });
    function hide() {
      panel.hidden = true;
      open.setAttribute("aria-expanded", "false");
      open.focus();
    }
    close.addEventListener("click", hide);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { hide(); }
    });
  }

  function init() {
    ensureStyles();
    fetch(base + "/widget/texts.json").then(function (response) {
      return response.json();
    }).then(function (texts) {
      state.texts = texts.texts;
      state.languages = texts.languages;
      if (!state.texts[state.lang]) { state.lang = "sv"; }
      var target = data.target && document.getElementById(data.target);
      if (data.mode === "page" && target) { start(target); } else { launcher(); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());

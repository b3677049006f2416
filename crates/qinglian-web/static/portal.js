// The public portal's human check (人机校验): a small proof of work that needs no outside
// service and no picture to read. The form carries a signed challenge (data-hc-salt,
// data-hc-bits); before it is sent, the browser finds a number whose SHA-256 with the salt
// starts with that many zero bits (about a second on a phone) and sends it as hc_nonce.
// The server checks the signature, the expiry, the work and that the challenge is used once.
(function () {
  'use strict';

  function zeroBits(bytes, bits) {
    var full = bits >> 3, rest = bits & 7, i;
    for (i = 0; i < full; i++) if (bytes[i] !== 0) return false;
    return rest === 0 || (bytes[full] >> (8 - rest)) === 0;
  }

  // Solve in slices so that the page stays responsive; calls done(nonce).
  function solve(salt, bits, done) {
    var n = 0;
    function slice() {
      var end = n + 5000;
      for (; n < end; n++) {
        if (zeroBits(window.sha256.array(salt + n), bits)) { done(String(n)); return; }
      }
      setTimeout(slice, 0);
    }
    slice();
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute('data-hc-salt')) return;
    var nonce = form.querySelector('input[name="hc_nonce"]');
    if (!nonce || nonce.value) return;
    e.preventDefault();
    var status = form.querySelector('.hc-status');
    var button = form.querySelector('button[type="submit"]');
    if (status) status.textContent = '正在进行安全校验，请稍候…';
    if (button) button.disabled = true;
    solve(form.getAttribute('data-hc-salt'), parseInt(form.getAttribute('data-hc-bits'), 10) || 0, function (value) {
      nonce.value = value;
      if (status) status.textContent = '校验完成，正在提交…';
      form.submit();
    });
  });

  // 匿名: the reporter's fields are hidden and not sent (disabled inputs are not submitted).
  function syncNamed(form) {
    var anon = form.querySelector('input[name="named"][value="0"]');
    var box = form.querySelector('.named-only');
    if (!anon || !box) return;
    box.hidden = anon.checked;
    Array.prototype.forEach.call(box.querySelectorAll('input'), function (i) { i.disabled = anon.checked; });
  }
  document.addEventListener('change', function (e) {
    if (e.target.name === 'named' && e.target.form) syncNamed(e.target.form);
  });
  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('form'), syncNamed);
  });

  // Show the receipt code's digits in groups of four while typing (the server ignores spaces).
  document.addEventListener('input', function (e) {
    var el = e.target;
    if (!el.matches || !el.matches('input[data-receipt-code]')) return;
    var digits = el.value.replace(/\D/g, '').slice(0, 16);
    var grouped = digits.replace(/(\d{4})(?=\d)/g, '$1 ');
    if (grouped !== el.value) el.value = grouped;
  });
})();

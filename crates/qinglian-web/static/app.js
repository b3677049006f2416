/* 清廉 — page behaviour. CSP: no inline scripts or handlers, no eval; everything is
 * wired here with addEventListener. Works with and without htmx (login and error pages
 * may not load it). Idempotent: init() runs on load and after every htmx swap. */
(function () {
  'use strict';

  var doc = document;

  /* (a) Confirmations in the app's own dialog (a <dialog>, built once, keyboard-usable:
   * Esc cancels, focus starts on 取消 so Enter never confirms by accident). data-confirm on a
   * link, a button or a form asks before acting; 确定 replays the click or the submit (with
   * the same submitter), marked so that it passes. The capture phase on the document runs
   * before htmx's own listeners, so stopping the event there also stops boosted forms. */
  var dialog = null;
  function appDialog(message, onYes) {
    if (!dialog) {
      dialog = doc.createElement('dialog');
      dialog.id = 'app-dialog';
      dialog.className = 'app-dialog';
      dialog.setAttribute('aria-labelledby', 'app-dialog-msg');
      dialog.innerHTML = '<p id="app-dialog-msg"></p><div class="btn-group">' +
        '<button type="button" class="btn" data-dialog="cancel">取消</button>' +
        '<button type="button" class="btn btn-primary" data-dialog="ok">确定</button></div>';
      doc.body.appendChild(dialog);
      dialog.addEventListener('click', function (e) {
        var b = e.target.closest && e.target.closest('[data-dialog]');
        if (!b) return;
        var yes = b.getAttribute('data-dialog') === 'ok' && dialog._onYes;
        dialog._onYes = null;
        dialog.close();
        if (yes) yes();
      });
      dialog.addEventListener('close', function () { dialog._onYes = null; });
    }
    if (!doc.body.contains(dialog)) doc.body.appendChild(dialog);
    dialog.querySelector('#app-dialog-msg').textContent = message;
    var cancel = dialog.querySelector('[data-dialog=cancel]');
    var ok = dialog.querySelector('[data-dialog=ok]');
    // Without onYes it only informs: one button, 知道了.
    cancel.hidden = !onYes;
    ok.textContent = onYes ? '确定' : '知道了';
    dialog._onYes = onYes || null;
    dialog.showModal();
    (onYes ? cancel : ok).focus();
  }
  function stop(e) {
    e.preventDefault();
    e.stopImmediatePropagation();
  }
  // true once: the replayed click or submit after 确定.
  function confirmed(el) {
    if (el.getAttribute('data-qt-confirmed') === '1') {
      el.removeAttribute('data-qt-confirmed');
      return true;
    }
    return false;
  }
  doc.addEventListener('click', function (e) {
    var el = e.target.closest && e.target.closest('[data-confirm]');
    if (!el || el.tagName === 'FORM' || confirmed(el)) return;
    stop(e);
    // A form with an empty required field says so first; the question comes after.
    if (el.form && el.type === 'submit' && !el.form.checkValidity()) {
      el.form.reportValidity();
      return;
    }
    appDialog(el.getAttribute('data-confirm'), function () {
      el.setAttribute('data-qt-confirmed', '1');
      el.click();
    });
  }, true);
  function replaySubmit(form, submitter) {
    form.setAttribute('data-qt-confirmed', '1');
    if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
  }
  doc.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute('data-confirm') || confirmed(form)) return;
    stop(e);
    appDialog(form.getAttribute('data-confirm'), function () { replaySubmit(form, e.submitter); });
  }, true);

  /* (a2) Batch forms: form[data-batch] counts the checked row boxes that belong to it
   * (input[name=<data-batch>][form=<id>]) and confirms naming the count, what is counted
   * (data-batch-noun, e.g. 条疑点) and the chosen action; none checked: says so
   * (data-batch-empty) and stops. th input[data-select-all=<form id>] checks a page's rows. */
  doc.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute('data-batch') || !form.id || confirmed(form)) return;
    var name = form.getAttribute('data-batch');
    var n = doc.querySelectorAll('input[name="' + name + '"][form="' + form.id + '"]:checked').length;
    stop(e);
    if (!n) {
      appDialog(form.getAttribute('data-batch-empty') || '请先勾选');
      return;
    }
    var sel = form.querySelector('select[name=batch_action]');
    var what = sel ? sel.options[sel.selectedIndex].text : '处理';
    var noun = form.getAttribute('data-batch-noun') || '项';
    appDialog('确定对勾选的' + n + noun + '执行“' + what + '”吗？', function () { replaySubmit(form, e.submitter); });
  }, true);
  doc.addEventListener('change', function (e) {
    var all = e.target;
    if (!all.matches || !all.matches('input[data-select-all]')) return;
    var formId = all.getAttribute('data-select-all');
    doc.querySelectorAll('input[type=checkbox][form="' + formId + '"]').forEach(function (b) {
      b.checked = all.checked;
    });
  });

  /* (b) Charts: div.chart[data-chart] holds an ECharts option as JSON. ECharts (~1 MB) is
   * loaded once, only on pages that have a chart. */
  var echartsLoading = null;
  var charts = [];
  var observer = window.ResizeObserver ? new ResizeObserver(function (entries) {
    entries.forEach(function (en) {
      var c = window.echarts && window.echarts.getInstanceByDom(en.target);
      if (c) c.resize();
    });
  }) : null;

  function loadEcharts() {
    if (window.echarts) return Promise.resolve(window.echarts);
    if (!echartsLoading) {
      echartsLoading = new Promise(function (resolve, reject) {
        var s = doc.createElement('script');
        s.src = '/assets/echarts.min.js';
        s.async = true;
        s.onload = function () { resolve(window.echarts); };
        s.onerror = function () { echartsLoading = null; reject(new Error('图表组件加载失败')); };
        doc.head.appendChild(s);
      });
    }
    return echartsLoading;
  }

  // Palette and fonts matching app.css; an option's own `color` still wins.
  var themeName = null;
  function themed(echarts) {
    if (!themeName) {
      echarts.registerTheme('qinglian', {
        color: ['#1f4e8c', '#c8161d', '#d48806', '#2b7a3d', '#5b8ff9', '#8c6bb1', '#13a8a8', '#e8684a'],
        textStyle: { fontFamily: '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif' }
      });
      themeName = 'qinglian';
    }
    return themeName;
  }

  function initCharts(root) {
    // Forget charts whose element was swapped out.
    charts = charts.filter(function (c) {
      if (doc.contains(c.getDom())) return true;
      if (observer) observer.unobserve(c.getDom());
      c.dispose();
      return false;
    });
    var els = Array.prototype.filter.call(root.querySelectorAll('div.chart[data-chart]'), function (el) {
      return !el.hasAttribute('data-chart-ready');
    });
    if (!els.length) return;
    loadEcharts().then(function (echarts) {
      els.forEach(function (el) {
        if (el.hasAttribute('data-chart-ready') || !doc.contains(el)) return;
        el.setAttribute('data-chart-ready', '');
        var option;
        try {
          option = JSON.parse(el.getAttribute('data-chart'));
        } catch (err) {
          el.textContent = '图表数据有误';
          el.classList.add('empty');
          if (window.console) console.error('data-chart JSON', err);
          return;
        }
        var chart = echarts.init(el, themed(echarts), { renderer: 'canvas' });
        chart.setOption(option);
        // A figure whose data item names a `url` (a path inside the site) opens the records
        // behind it.
        chart.on('click', function (p) {
          var u = p && p.data && p.data.url;
          if (typeof u === 'string' && u.charAt(0) === '/' && u.charAt(1) !== '/' && u.charAt(1) !== '\\') {
            window.location.href = u;
          }
        });
        charts.push(chart);
        if (observer) observer.observe(el);
      });
    }, function (err) {
      els.forEach(function (el) { el.textContent = err.message; el.classList.add('empty'); });
    });
  }
  if (!observer) {
    var resizeTimer;
    window.addEventListener('resize', function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
    });
  }

  /* (c) [data-autosubmit] fields submit their form on change (filter rows). requestSubmit
   * fires the submit event, so htmx-boosted forms stay boosted. */
  doc.addEventListener('change', function (e) {
    var el = e.target;
    if (!el.matches || !el.matches('[data-autosubmit]') || !el.form) return;
    if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
  });

  /* (e) input[type=file][data-filename] shows the chosen file name(s): in the element whose
   * id is the attribute's value, else in a span.filename right after the input. */
  function sizeText(n) {
    return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : Math.max(1, Math.round(n / 1024)) + ' KB';
  }
  doc.addEventListener('change', function (e) {
    var input = e.target;
    if (!input.matches || !input.matches('input[type=file][data-filename]')) return;
    var id = input.getAttribute('data-filename');
    var out = id && doc.getElementById(id);
    if (!out) {
      out = input.nextElementSibling;
      if (!out || !out.classList.contains('filename')) {
        out = doc.createElement('span');
        out.className = 'filename';
        input.insertAdjacentElement('afterend', out);
      }
    }
    var files = Array.prototype.slice.call(input.files || []);
    out.textContent = files.length
      ? files.map(function (f) { return f.name + '（' + sizeText(f.size) + '）'; }).join('、')
      : '未选择文件';
  });

  /* (d) Success flashes fade after 5 s (errors and warnings stay). */
  function fadeFlashes(root) {
    Array.prototype.forEach.call(root.querySelectorAll('.alert-success:not([data-fading])'), function (el) {
      el.setAttribute('data-fading', '');
      setTimeout(function () {
        el.classList.add('fade-out');
        setTimeout(function () { if (el.parentNode) el.parentNode.removeChild(el); }, 600);
      }, 5000);
    });
  }

  /* (f) Mobile menu: .menu-toggle toggles body.menu-open; a menu link, a click outside
   * the menu, Escape or a page swap closes it. */
  function setMenu(open) {
    doc.body.classList.toggle('menu-open', open);
    Array.prototype.forEach.call(doc.querySelectorAll('.menu-toggle'), function (b) {
      b.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
  }
  doc.addEventListener('click', function (e) {
    var t = e.target;
    if (!t.closest) return;
    if (t.closest('.menu-toggle')) {
      setMenu(!doc.body.classList.contains('menu-open'));
    } else if (doc.body.classList.contains('menu-open') && (t.closest('.sidemenu a') || !t.closest('.sidemenu'))) {
      setMenu(false);
    }
  });
  doc.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && doc.body.classList.contains('menu-open')) setMenu(false);
  });


  // Trees (the org tree, the data-scope picker): rows carry data-tree-id / data-tree-parent;
  // a toggle folds a subtree, the search box shows matching units with their ancestors, a
  // checked unit marks its whole subtree as included (a scope covers every unit below it).
  function treeRows(tree) { return Array.prototype.slice.call(tree.querySelectorAll('[data-tree-id]')); }
  function treeIndex(tree) {
    var rows = treeRows(tree), byId = {}, kids = {};
    rows.forEach(function (r) { byId[r.dataset.treeId] = r; });
    rows.forEach(function (r) {
      var p = r.dataset.treeParent;
      if (p && byId[p]) (kids[p] = kids[p] || []).push(r);
    });
    return { rows: rows, byId: byId, kids: kids };
  }
  function treeAncestors(ix, r) {
    var out = [], p = r.dataset.treeParent;
    while (p && ix.byId[p]) { out.push(ix.byId[p]); p = ix.byId[p].dataset.treeParent; }
    return out;
  }
  function treeApply(tree) {
    var ix = treeIndex(tree), q = (tree.dataset.treeQuery || '').trim(), shown = 0;
    ix.rows.forEach(function (r) {
      var hidden;
      if (q) {
        var hit = r.textContent.indexOf(q) >= 0;
        r.classList.toggle('tree-hit', hit);
        hidden = !hit && r.dataset.treeMatchBelow !== '1';
      } else {
        r.classList.remove('tree-hit');
        hidden = treeAncestors(ix, r).some(function (a) { return a.dataset.treeOpen === '0'; });
      }
      r.hidden = hidden;
      if (!hidden) shown++;
    });
    var count = doc.querySelector('[data-tree-count="' + tree.id + '"]');
    if (count) count.textContent = q ? '找到' + ix.rows.filter(function (r) { return r.classList.contains('tree-hit'); }).length + '个单位' : '';
    return shown;
  }
  function treeMarkMatches(tree) {
    var ix = treeIndex(tree), q = (tree.dataset.treeQuery || '').trim();
    ix.rows.forEach(function (r) { r.dataset.treeMatchBelow = '0'; });
    if (!q) return;
    ix.rows.forEach(function (r) {
      if (r.textContent.indexOf(q) >= 0) treeAncestors(ix, r).forEach(function (a) { a.dataset.treeMatchBelow = '1'; });
    });
  }
  function treeCovered(tree) {
    var ix = treeIndex(tree);
    ix.rows.forEach(function (r) {
      var covered = treeAncestors(ix, r).some(function (a) {
        var b = a.querySelector('input[type=checkbox]');
        return b && b.checked;
      });
      r.classList.toggle('tree-covered', covered);
    });
  }
  function initTrees(root) {
    Array.prototype.forEach.call(root.querySelectorAll('[data-tree]:not([data-tree-ready])'), function (tree) {
      tree.dataset.treeReady = '1';
      var ix = treeIndex(tree), depthOpen = Number(tree.dataset.treeOpenDepth || 1);
      ix.rows.forEach(function (r) {
        var leaf = !ix.kids[r.dataset.treeId];
        r.classList.toggle('tree-leaf', leaf);
        r.dataset.treeOpen = Number(r.dataset.depth || 0) < depthOpen ? '1' : '0';
        var t = r.querySelector('.tree-toggle');
        if (t) t.setAttribute('aria-expanded', r.dataset.treeOpen === '1' ? 'true' : 'false');
      });
      // Open the way to every chosen unit.
      ix.rows.forEach(function (r) {
        var b = r.querySelector('input[type=checkbox]');
        if (b && b.checked) treeAncestors(ix, r).forEach(function (a) {
          a.dataset.treeOpen = '1';
          var t = a.querySelector('.tree-toggle');
          if (t) t.setAttribute('aria-expanded', 'true');
        });
      });
      treeCovered(tree);
      treeApply(tree);
    });
  }
  function treeSetAll(tree, open) {
    treeRows(tree).forEach(function (r) {
      r.dataset.treeOpen = open ? '1' : '0';
      var t = r.querySelector('.tree-toggle');
      if (t) t.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
    treeApply(tree);
  }
  doc.addEventListener('click', function (e) {
    var t = e.target.closest && e.target.closest('.tree-toggle');
    if (t) {
      var r = t.closest('[data-tree-id]'), tree = t.closest('[data-tree]');
      r.dataset.treeOpen = r.dataset.treeOpen === '1' ? '0' : '1';
      t.setAttribute('aria-expanded', r.dataset.treeOpen === '1' ? 'true' : 'false');
      treeApply(tree);
      e.preventDefault();
      return;
    }
    var all = e.target.closest && e.target.closest('[data-tree-expand],[data-tree-collapse]');
    if (all) {
      var id = all.getAttribute('data-tree-expand') || all.getAttribute('data-tree-collapse');
      var tr = doc.getElementById(id);
      if (tr) treeSetAll(tr, all.hasAttribute('data-tree-expand'));
    }
  });
  doc.addEventListener('input', function (e) {
    var id = e.target.getAttribute && e.target.getAttribute('data-tree-search');
    if (!id) return;
    var tree = doc.getElementById(id);
    if (!tree) return;
    tree.dataset.treeQuery = e.target.value;
    treeMarkMatches(tree);
    treeApply(tree);
  });
  doc.addEventListener('keydown', function (e) {
    // Enter in a tree's search box filters; it never submits the form around it.
    if (e.key === 'Enter' && e.target.getAttribute && e.target.getAttribute('data-tree-search')) e.preventDefault();
  });
  doc.addEventListener('change', function (e) {
    var tree = e.target.closest && e.target.closest('[data-tree]');
    if (tree && e.target.type === 'checkbox') treeCovered(tree);
  });

  function init() {
    initCharts(doc);
    fadeFlashes(doc);
    initTrees(doc);
  }
  doc.addEventListener('htmx:afterSettle', function (e) {
    if (e.detail && e.detail.boosted && doc.body.classList.contains('menu-open')) setMenu(false);
    init();
  });
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', init); else init();
})();

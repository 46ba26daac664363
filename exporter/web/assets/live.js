// The live floor page: polls live.json (with its ETag, so an unchanged
// floor is a 304) and updates the tables in place, keeping filters, sort
// and scroll. Times in state are computed from the exporter's clock (`now`
// in the document, X-Exporter-Now on a 304), never from the browser's.
// Every string from the exporter goes through textContent or an attribute:
// nothing is parsed as HTML.
(function () {
  'use strict';

  const POLL_MS = 1000;
  const HIDDEN_POLL_MS = 5000;
  const MAX_RETRY_MS = 10000;
  const NOW_HEADER = 'X-Exporter-Now';
  // Numeric columns sort longest first on their first click.
  const DESCENDING_FIRST = new Set(['in_state', 'logged_in']);
  const COLUMNS = ['agent', 'name', 'role', 'state', 'in_state', 'logged_in',
    'queue'];
  const TIME_COLUMNS = new Set(['in_state', 'logged_in']);

  const collator = new Intl.Collator(undefined,
    {numeric: true, sensitivity: 'base'});
  const $ = (id) => document.getElementById(id);

  // What the user chose; mirrored in the URL's fragment so that a wall
  // screen's view is a bookmark.
  const view = {
    states: new Set(),
    role: '',
    queue: '',
    search: '',
    sort: 'agent',
    dir: 1,
    large: false,
  };

  let floor = null;  // the last live.json document
  let now = 0;  // the exporter's clock, Unix seconds
  let etag = '';
  let failures = 0;
  let rendered = 0;
  let statesKey = '';
  const agentRows = new Map();  // agent id -> row record
  let agentOrder = [];  // the ids in the table, in order
  const queueRows = new Map();  // queue name -> row record
  let queueOrder = [];
  const optionKeys = {role: '', queue: ''};

  // --- formatting -----------------------------------------------------

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  // Time in state: m:ss, or h:mm:ss from an hour on.
  function clockDuration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h > 0 ? h + ':' + pad(m) + ':' + pad(s % 60) : m + ':' + pad(s % 60);
  }

  // Logged in for: 42m, 3h 05m.
  function longDuration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h > 0 ? h + 'h ' + pad(m) + 'm' : m + 'm';
  }

  function since(time) {
    return typeof time === 'number' ? Math.max(0, now - time) : null;
  }

  // --- the URL fragment -----------------------------------------------

  function readFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    const states = params.get('states');
    view.states = new Set(states ? states.split(',').filter(Boolean) : []);
    view.role = params.get('role') || '';
    view.queue = params.get('queue') || '';
    view.search = params.get('q') || '';
    const sort = params.get('sort');
    view.sort = COLUMNS.includes(sort) ? sort : 'agent';
    view.dir = params.get('dir') === 'desc' ? -1 : 1;
    view.large = params.get('large') === '1';
  }

  function writeFragment() {
    const params = new URLSearchParams();
    if (view.states.size) params.set('states', [...view.states].join(','));
    if (view.role) params.set('role', view.role);
    if (view.queue) params.set('queue', view.queue);
    if (view.search) params.set('q', view.search);
    if (view.sort !== 'agent' || view.dir !== 1) {
      params.set('sort', view.sort);
      params.set('dir', view.dir < 0 ? 'desc' : 'asc');
    }
    if (view.large) params.set('large', '1');
    const text = params.toString();
    history.replaceState(null, '', text ? '#' + text : location.pathname);
  }

  // --- filtering and sorting ------------------------------------------

  function matches(agent) {
    if (view.states.size && !view.states.has(agent.state)) return false;
    if (view.role && agent.role !== view.role) return false;
    if (view.queue && agent.queue !== view.queue) return false;
    if (view.search) {
      const needle = view.search.toLocaleLowerCase();
      const name = typeof agent.name === 'string' ? agent.name : '';
      if (!agent.agent.toLocaleLowerCase().includes(needle) &&
          !name.toLocaleLowerCase().includes(needle)) {
        return false;
      }
    }
    return true;
  }

  function sortValue(agent, stateIndex) {
    switch (view.sort) {
      case 'in_state': return since(agent.since);
      case 'logged_in': return since(agent.login_at);
      case 'state': return stateIndex.has(agent.state) ?
        stateIndex.get(agent.state) : stateIndex.size;
      default: return agent[view.sort] || '';
    }
  }

  // Missing values last whatever the direction; ties by agent id.
  function compareEntries(a, b) {
    if (a.value !== b.value) {
      if (a.value === null) return 1;
      if (b.value === null) return -1;
      const order = typeof a.value === 'number' ?
        a.value - b.value : collator.compare(a.value, b.value);
      if (order !== 0) return order * view.dir;
    }
    return collator.compare(a.agent.agent, b.agent.agent);
  }

  function visibleAgents() {
    const stateIndex = new Map(floor.states.map((s, i) => [s, i]));
    const entries = [];
    for (const agent of floor.agents) {
      if (matches(agent)) {
        entries.push({agent: agent, value: sortValue(agent, stateIndex)});
      }
    }
    entries.sort(compareEntries);
    return entries.map((entry) => entry.agent);
  }

  // --- rows updated in place ------------------------------------------

  // A cell per column, each holding one text node that updates rewrite.
  function addCells(tr, columns, numeric) {
    const record = {tr: tr, cells: {}, nodes: {}, text: {}, data: {}};
    for (const column of columns) {
      const td = document.createElement('td');
      td.dataset.col = column;
      td.className = 'c-' + column.replace('_', '-');
      if (numeric.has(column)) td.classList.add('num');
      record.nodes[column] = td.appendChild(document.createTextNode(''));
      tr.appendChild(td);
      record.cells[column] = td;
    }
    return record;
  }

  function setText(record, column, text) {
    if (record.text[column] !== text) {
      record.text[column] = text;
      record.nodes[column].nodeValue = text;
    }
  }

  // A data-* attribute written only when it changes; the value is cached,
  // since reading it back from the DOM costs more than comparing.
  function setCachedData(record, key, element, name, value) {
    const text = String(value);
    if (record.data[key] !== text) {
      record.data[key] = text;
      element.dataset[name] = text;
    }
  }

  function setData(element, key, value) {
    const text = String(value);
    if (element.dataset[key] !== text) element.dataset[key] = text;
  }

  function newAgentRow(id) {
    const tr = document.createElement('tr');
    tr.dataset.agent = id;
    const record = addCells(tr, COLUMNS, TIME_COLUMNS);
    const cell = record.cells.state;
    cell.removeChild(record.nodes.state);
    record.badge = document.createElement('span');
    record.badge.className = 'state';
    record.nodes.state =
      record.badge.appendChild(document.createTextNode(''));
    cell.appendChild(record.badge);
    return record;
  }

  function updateAgentRow(record, agent) {
    setText(record, 'agent', agent.agent);
    setText(record, 'name', typeof agent.name === 'string' ? agent.name : '');
    setText(record, 'role', agent.role);
    setText(record, 'queue', agent.queue);
    if (record.text.state !== agent.state) {
      setText(record, 'state', agent.state);
      record.badge.dataset.state = agent.state;
      record.tr.dataset.state = agent.state;
    }
    const inState = since(agent.since);
    setText(record, 'in_state', clockDuration(inState));
    setCachedData(record, 'in_state', record.cells.in_state, 'seconds',
      Math.floor(inState));
    const loggedIn = since(agent.login_at);
    setText(record, 'logged_in',
      loggedIn === null ? '–' : longDuration(loggedIn));
    setCachedData(record, 'logged_in', record.cells.logged_in, 'seconds',
      loggedIn === null ? '' : Math.floor(loggedIn));
  }

  function sameOrder(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; ++i) {
      if (a[i] !== b[i]) return false;
    }
    return true;
  }

  // Puts the rows of `records` into `tbody` in order, moving only the rows
  // out of place: an agent whose row changes places costs one move, not a
  // rebuild of the table.
  function placeRows(tbody, ids, records, previous) {
    if (sameOrder(ids, previous)) return previous;
    if (tbody.firstChild === null) {
      const fragment = document.createDocumentFragment();
      for (const record of records) fragment.appendChild(record.tr);
      tbody.appendChild(fragment);
      return ids;
    }
    let child = tbody.firstChild;
    for (const record of records) {
      const tr = record.tr;
      if (child !== tr && child !== null && child.nextSibling === tr) {
        // `child` moved further down or left: it comes back at its turn.
        const stale = child;
        child = tr;
        stale.remove();
      }
      if (child === tr) {
        child = child.nextSibling;
      } else {
        tbody.insertBefore(tr, child);
      }
    }
    while (child !== null) {
      const next = child.nextSibling;
      child.remove();
      child = next;
    }
    return ids;
  }

  // Forgets the rows of keys no longer present.
  function prune(rows, present) {
    for (const key of rows.keys()) {
      if (!present.has(key)) rows.delete(key);
    }
  }

  function renderAgents() {
    const shown = visibleAgents();
    const records = [];
    for (const agent of shown) {
      let record = agentRows.get(agent.agent);
      if (!record) {
        record = newAgentRow(agent.agent);
        agentRows.set(agent.agent, record);
      }
      updateAgentRow(record, agent);
      records.push(record);
    }
    prune(agentRows, new Set(floor.agents.map((agent) => agent.agent)));
    agentOrder = placeRows($('agent-rows'), shown.map((a) => a.agent),
      records, agentOrder);
    const total = floor.agents.length;
    const counter = $('shown');
    counter.textContent = shown.length === total ?
      '(' + total + ')' : '(' + shown.length + ' of ' + total + ')';
    setData(counter, 'shown', shown.length);
    setData(counter, 'total', total);
    $('no-agents').hidden = shown.length > 0;
  }

  function newQueueRow(name) {
    const tr = document.createElement('tr');
    tr.dataset.queue = name;
    tr.tabIndex = 0;
    tr.title = 'Show the agents of this queue';
    return addCells(tr, ['queue', 'waiting', 'oldest', 'staff'],
      new Set(['waiting', 'oldest']));
  }

  function staffing(agents) {
    return Object.keys(agents || {})
      .map((status) => status + ' ' + agents[status]).join(' · ');
  }

  function renderQueues() {
    const records = [];
    for (const queue of floor.queues) {
      let record = queueRows.get(queue.queue);
      if (!record) {
        record = newQueueRow(queue.queue);
        queueRows.set(queue.queue, record);
      }
      setText(record, 'queue', queue.queue);
      setText(record, 'waiting', String(queue.waiting));
      setCachedData(record, 'waiting', record.tr, 'waiting', queue.waiting);
      const oldest = since(queue.oldest_since);
      setText(record, 'oldest', oldest === null ? '–' : clockDuration(oldest));
      setText(record, 'staff', staffing(queue.agents));
      record.tr.setAttribute('aria-selected',
        String(view.queue === queue.queue));
      records.push(record);
    }
    prune(queueRows, new Set(floor.queues.map((queue) => queue.queue)));
    queueOrder = placeRows($('queue-rows'), floor.queues.map((q) => q.queue),
      records, queueOrder);
    $('no-queues').hidden = floor.queues.length > 0;
    $('queue-table').classList.toggle('no-staff', !floor.queues.some(
      (queue) => Object.keys(queue.agents || {}).length > 0));
  }

  // --- counts and filter controls -------------------------------------

  function swatch(state) {
    const span = document.createElement('span');
    span.className = 'swatch';
    span.dataset.state = state;
    return span;
  }

  // The count buttons and state checkboxes, built once per set of states.
  function buildStateControls() {
    const key = floor.states.join(',');
    if (key === statesKey) return;
    statesKey = key;
    const counts = $('counts');
    const fieldset = $('state-filter');
    counts.replaceChildren();
    for (const box of fieldset.querySelectorAll('label')) box.remove();
    for (const state of floor.states) {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.state = state;
      button.title = 'Show only ' + state + ' agents (click again for all)';
      const count = document.createElement('span');
      count.className = 'count';
      const label = document.createElement('span');
      label.className = 'label';
      label.append(swatch(state), state);
      button.append(count, label);
      counts.appendChild(button);

      const box = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.value = state;
      box.append(input, swatch(state), state);
      fieldset.appendChild(box);
    }
  }

  function renderCounts() {
    for (const button of $('counts').querySelectorAll('button')) {
      const state = button.dataset.state;
      const n = floor.counts[state] || 0;
      setData(button, 'count', n);
      const count = button.querySelector('.count');
      if (count.textContent !== String(n)) count.textContent = String(n);
      button.setAttribute('aria-pressed',
        String(view.states.size === 1 && view.states.has(state)));
    }
    for (const input of $('state-filter').querySelectorAll('input')) {
      input.checked = view.states.has(input.value);
    }
  }

  // Keeps a select's options equal to `values` (plus the chosen one, so a
  // filter survives its value leaving the floor for a while).
  function syncOptions(select, kind, values, chosen) {
    const all = new Set(values.filter(Boolean));
    if (chosen) all.add(chosen);
    const sorted = [...all].sort(collator.compare);
    const key = sorted.join('\n');
    if (optionKeys[kind] !== key) {
      optionKeys[kind] = key;
      const options = [new Option('all', '')];
      for (const value of sorted) options.push(new Option(value, value));
      select.replaceChildren(...options);
    }
    if (select.value !== chosen) select.value = chosen;
  }

  function renderOptions() {
    syncOptions($('role-filter'), 'role',
      floor.agents.map((a) => a.role), view.role);
    syncOptions($('queue-filter'), 'queue',
      floor.agents.map((a) => a.queue).concat(floor.queues.map((q) => q.queue)),
      view.queue);
  }

  // The controls that show the view alone (no floor needed).
  function renderControls() {
    const search = $('search');
    if (search.value !== view.search && document.activeElement !== search) {
      search.value = view.search;
    }
    for (const th of document.querySelectorAll('#agent-table th[data-sort]')) {
      const sorted = th.dataset.sort === view.sort;
      th.setAttribute('aria-sort',
        sorted ? (view.dir > 0 ? 'ascending' : 'descending') : 'none');
    }
    $('large').checked = view.large;
    document.documentElement.classList.toggle('large', view.large);
  }

  // --- the whole page -------------------------------------------------

  function renderHeader() {
    const clock = $('clock');
    const date = new Date(now * 1000);
    clock.textContent = date.toLocaleTimeString(undefined,
      {timeZoneName: 'short'});
    clock.dateTime = date.toISOString();
    clock.title = date.toString();
    $('calls-inbound').textContent = String(floor.calls.inbound);
    $('calls-outbound').textContent = String(floor.calls.outbound);
    const names = floor.agents.some((a) => typeof a.name === 'string');
    $('live').classList.toggle('no-names', !names);
    $('search').placeholder = names ? 'agent or name' : 'agent';
  }

  function render() {
    if (!floor) {
      renderControls();
      return;
    }
    const started = performance.now();  // a cost, never a time shown
    buildStateControls();
    renderHeader();
    renderCounts();
    renderControls();
    renderOptions();
    renderQueues();
    renderAgents();
    const live = $('live');
    setData(live, 'version', floor.version);
    setData(live, 'now', now);
    live.dataset.rendered = String(++rendered);
    live.dataset.renderMs = (performance.now() - started).toFixed(1);
  }

  function setStatus(status, text) {
    const element = $('status');
    setData(element, 'status', status);
    if (element.textContent !== text) element.textContent = text;
  }

  // --- polling --------------------------------------------------------

  async function fetchFloor() {
    const headers = etag ? {'If-None-Match': etag} : {};
    const response = await fetch('live.json',
      {cache: 'no-store', credentials: 'same-origin', headers: headers});
    if (response.status === 304) {
      const header = Number.parseFloat(response.headers.get(NOW_HEADER));
      if (Number.isFinite(header)) now = header;
      return;
    }
    if (!response.ok) {
      throw new Error(response.status === 401 ?
        'not authorised: reload the page' : 'HTTP ' + response.status);
    }
    const body = await response.json();
    floor = body;
    now = body.now;
    etag = response.headers.get('ETag') || '';
  }

  async function poll() {
    try {
      await fetchFloor();
      failures = 0;
      setStatus('ok', 'live');
      render();
    } catch (error) {
      failures += 1;
      setStatus('error', 'disconnected (' + error.message + '), retrying');
    }
    const delay = failures ?
      Math.min(POLL_MS * 2 ** failures, MAX_RETRY_MS) :
      (document.hidden ? HIDDEN_POLL_MS : POLL_MS);
    setTimeout(poll, delay);
  }

  // --- user input -----------------------------------------------------

  function changed() {
    writeFragment();
    render();
  }

  function onCountClick(event) {
    const button = event.target.closest('button[data-state]');
    if (!button) return;
    const state = button.dataset.state;
    const only = view.states.size === 1 && view.states.has(state);
    view.states = only ? new Set() : new Set([state]);
    changed();
  }

  function onStateFilter(event) {
    const input = event.target;
    if (input.type !== 'checkbox') return;
    if (input.checked) {
      view.states.add(input.value);
    } else {
      view.states.delete(input.value);
    }
    changed();
  }

  function onSortClick(event) {
    const th = event.target.closest('th[data-sort]');
    if (!th) return;
    const key = th.dataset.sort;
    if (view.sort === key) {
      view.dir = -view.dir;
    } else {
      view.sort = key;
      view.dir = DESCENDING_FIRST.has(key) ? -1 : 1;
    }
    changed();
  }

  function onQueueClick(event) {
    const tr = event.target.closest('tr[data-queue]');
    if (!tr) return;
    if (event.type === 'keydown' && event.key !== 'Enter' && event.key !== ' ') {
      return;
    }
    event.preventDefault();
    view.queue = view.queue === tr.dataset.queue ? '' : tr.dataset.queue;
    changed();
  }

  function clearFilters() {
    view.states = new Set();
    view.role = '';
    view.queue = '';
    view.search = '';
    $('search').value = '';
    changed();
  }

  function bind() {
    $('counts').addEventListener('click', onCountClick);
    $('state-filter').addEventListener('change', onStateFilter);
    $('role-filter').addEventListener('change', (event) => {
      view.role = event.target.value;
      changed();
    });
    $('queue-filter').addEventListener('change', (event) => {
      view.queue = event.target.value;
      changed();
    });
    $('search').addEventListener('input', (event) => {
      view.search = event.target.value.trim();
      changed();
    });
    $('clear-filters').addEventListener('click', clearFilters);
    $('filters').addEventListener('submit', (event) => event.preventDefault());
    document.querySelector('#agent-table thead')
      .addEventListener('click', onSortClick);
    $('queue-rows').addEventListener('click', onQueueClick);
    $('queue-rows').addEventListener('keydown', onQueueClick);
    $('large').addEventListener('change', (event) => {
      view.large = event.target.checked;
      changed();
    });
    window.addEventListener('hashchange', () => {
      readFragment();
      render();
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === '/' && document.activeElement === document.body) {
        event.preventDefault();
        $('search').focus();
      }
    });
  }

  readFragment();
  bind();
  render();
  poll();
}());

#!/usr/bin/env node
// The user journeys of the reference Tasking Manager web frontend, driven in headless Chromium against the
// local stack that serves the built frontend on the API's own origin (scripts/journeys starts both).
//
// A journey PASSes only when each of its checks in the page succeeds AND no same-origin /api/ request failed
// while it ran (status >= 400 or a network error). Requests to outside hosts (map tiles, fonts, CDNs, ohsome:
// the frontend's own third parties) are listed but never counted. Each journey leaves a screenshot in the
// output folder; report.json there has every API call, console error and reason.
//
// Environment: TM_ORIGIN (http://127.0.0.1:8080), CHROME_PATH, TM_JOURNEYS_OUT, TM_JOURNEYS_ONLY (comma list
// of journey ids), TM_JOURNEYS_STEP_MS (30000).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const ORIGIN = process.env.TM_ORIGIN || 'http://127.0.0.1:8080';
const OUT = process.env.TM_JOURNEYS_OUT || path.join(os.tmpdir(), 'tm-journeys');
const CHROME = process.env.CHROME_PATH;
const ONLY = (process.env.TM_JOURNEYS_ONLY || '').split(',').filter(Boolean);
const STEP_MS = Number(process.env.TM_JOURNEYS_STEP_MS || 30000);
const STAMP = Date.now().toString(36);
// react-query retries a failed call 3 times (~7 s) before a page shows its error screen: a journey looks for
// that screen again this long after its last navigation before it passes.
const CRASH_WATCH_MS = Number(process.env.TM_JOURNEYS_CRASH_WATCH_MS || 9000);
const AOI = {
  type: 'FeatureCollection',
  features: [{
    type: 'Feature', properties: {},
    geometry: { type: 'Polygon', coordinates: [[[85.30, 27.68], [85.315, 27.68], [85.315, 27.69], [85.30, 27.69], [85.30, 27.68]]] },
  }],
};

// API answers that are failures by design, as the reference answers them: listed, not counted.
const EXPECTED = [
  // the comment box's @-autocomplete asks for every prefix typed; a prefix nobody's name starts with is a 404
  // USER_NOT_FOUND in the reference too
  // (the frontend does not encode a "?" typed after the name, so the path may go on after it)
  { re: /^GET \/api\/v2\/users\/queries\/filter\/.* 404$/, why: 'autocomplete of a prefix nobody has (404 as in the reference)' },
];
const expected = (a) => EXPECTED.find((e) => e.re.test(`${a.method} ${a.path} ${a.status}`));

// The home page's figures come from ohsome's statistics API, an outside service the frontend calls itself
// (buildings, roads, edits), and the profile page asks it when its figures were last updated (metadata; the
// frontend shows its error screen when that call fails): this machine may be offline, so the browser gets
// stand-in answers of ohsome's shape. Every other outside request goes out (or fails) as it is.
const OHSOME = /^https:\/\/stats\.now\.ohsome\.org\/api\/stats\b/;
const OHSOME_ANSWER = JSON.stringify({
  result: { topics: { building: { value: 1200 }, road: { value: 340.5 }, edit: { value: 9800 } } },
});
const OHSOME_METADATA = /^https:\/\/stats\.now\.ohsome\.org\/api\/metadata\b/;
const OHSOME_METADATA_ANSWER = JSON.stringify({
  result: { max_timestamp: new Date(Date.now() - 3600e3).toISOString(), min_timestamp: '2009-04-21T00:00:00Z' },
});

fs.mkdirSync(OUT, { recursive: true });

// ------------------------------------------------------------------ the API, for seeding and checking
async function api(method, p, body, who) {
  const headers = { 'Content-Type': 'application/json', 'Accept-Language': 'en' };
  if (who) headers.Authorization = who.authorization;
  const r = await fetch(ORIGIN + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
  return { status: r.status, json, text };
}

function must(r, what) {
  if (r.status < 200 || r.status >= 300) throw new Error(`${what} -> ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

async function login(username) {
  const r = await api('GET', `/_local/login?username=${encodeURIComponent(username)}`);
  const j = must(r, `login ${username}`);
  const cb = j.callback || {};
  return {
    username, id: j.userId || (cb.userId),
    authorization: j.authorization,
    sessionToken: j.session_token || cb.session_token,
    osmToken: (cb.session && cb.session.access_token) || '',
    picture: cb.picture || '',
  };
}

async function until(what, fn, ms = 120000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000}s`);
    await new Promise((res) => setTimeout(res, 500));
  }
}

/** A published project of the given name in the organisation, with a zoom-16 grid over AOI. */
async function publishedProject(admin, orgId, name) {
  const { projectId } = must(await api('POST', '/api/v2/projects/', {
    projectName: name, organisation: orgId, grid: { zoom: 16, clipToAoi: true }, areaOfInterest: AOI,
  }, admin), 'POST /projects/');
  const tasks = await until(`project ${projectId} tasks`, async () => {
    const r = await api('GET', `/api/v2/projects/${projectId}/tasks/`, undefined, admin);
    const f = (r.json && r.json.features) || [];
    return r.status === 200 && f.length ? f : null;
  });
  must(await api('PATCH', `/api/v2/projects/${projectId}/`, {
    status: 'PUBLISHED', projectPriority: 'MEDIUM', defaultLocale: 'en', difficulty: 'EASY',
    mappingPermission: 'ANY', mappingPermissionLevelId: 1, validationPermission: 'ANY', validationPermissionLevelId: 1, private: false, taskCreationMode: 'GRID',
    mappingEditors: ['ID'], validationEditors: ['ID'], mappingTypes: ['BUILDINGS'], changesetComment: '#tm-journeys',
    projectInfoLocales: [{
      locale: 'en', name, shortDescription: `Journeys of ${STAMP}: a small area of Kathmandu.`,
      description: 'Map the buildings in this small area.', instructions: 'Trace every building.', perTaskInstructions: '',
    }],
  }, admin), `PATCH /projects/${projectId}/ (publish)`);
  return { projectId, taskIds: tasks.map((f) => f.properties.taskId).sort((a, b) => a - b) };
}

async function mapTaskByApi(who, pid, taskId) {
  must(await api('POST', `/api/v2/projects/${pid}/tasks/actions/lock-for-mapping/${taskId}/`, {}, who), `lock ${taskId}`);
  must(await api('POST', `/api/v2/projects/${pid}/tasks/actions/unlock-after-mapping/${taskId}/`,
    { status: 'MAPPED', comment: 'mapped the buildings' }, who), `map ${taskId}`);
}

async function taskStatus(who, pid, taskId) {
  const r = await api('GET', `/api/v2/projects/${pid}/tasks/${taskId}/`, undefined, who);
  return (r.json && r.json.taskStatus) || `HTTP ${r.status}`;
}

// ------------------------------------------------------------------ the browser
let current = null; // the journey collecting events

async function watch(page, who) {
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const answer = OHSOME.test(req.url()) ? OHSOME_ANSWER : OHSOME_METADATA.test(req.url()) ? OHSOME_METADATA_ANSWER : null;
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type, authorization',
      'access-control-allow-methods': 'GET, OPTIONS' };
    if (answer && req.method() === 'OPTIONS') {
      req.respond({ status: 204, headers: cors, body: '' }); // the preflight of a call with a Content-Type header
    } else if (answer) {
      req.respond({ status: 200, contentType: 'application/json', headers: cors, body: answer });
    } else req.continue();
  });
  page.on('console', (msg) => {
    if (current && msg.type() === 'error') current.console.push(`[${who}] ${msg.text().slice(0, 240)}`);
  });
  page.on('pageerror', (err) => {
    if (current) current.pageErrors.push(`[${who}] ${String((err && err.message) || err).slice(0, 240)}`);
  });
  page.on('response', async (res) => {
    if (!current) return;
    const url = res.url();
    const st = res.status();
    const j = current;
    if (url.startsWith(ORIGIN + '/api/')) {
      const entry = { who, method: res.request().method(), path: url.slice(ORIGIN.length), status: st };
      j.calls.push(entry);
      if (st >= 400) {
        let body = '';
        try { body = (await res.text()).replace(/\s+/g, ' ').slice(0, 200); } catch (e) { /* gone */ }
        if (expected(entry)) j.expected.push(entry);
        else j.failed.push({ ...entry, body });
      }
    } else if (!url.startsWith(ORIGIN) && !url.startsWith('data:') && st >= 400) {
      j.external.push(`${st} ${url.slice(0, 120)}`);
    }
  });
  page.on('requestfailed', (req) => {
    if (!current) return;
    const url = req.url();
    const err = (req.failure() && req.failure().errorText) || 'failed';
    if (err === 'net::ERR_ABORTED') return; // a navigation cancelled it
    if (url.startsWith(ORIGIN + '/api/')) current.failed.push({ who, method: req.method(), path: url.slice(ORIGIN.length), status: err, body: '' });
    else if (!url.startsWith(ORIGIN) && !url.startsWith('data:')) current.external.push(`${err} ${url.slice(0, 120)}`);
  });
}

// The frontend's error screens, as one expression to combine with a success condition.
const ERROR_SCREEN = `(() => {
  const t = document.body ? document.body.innerText : '';
  if (t.includes('Something did not work well') || /^\\s*An error occurred\\s*$/m.test(t)) return 'the frontend showed its error screen';
  if (t.includes('Something went wrong')) return 'error: "' + t.split('\\n').find((l) => l.includes('Something went wrong')) + '"';
  if (/page you are looking for|could not be found/i.test(t)) return 'not-found screen';
  return null;
})()`;

async function settle(page, ms = 1200) {
  try { await page.waitForNetworkIdle({ idleTime: ms, timeout: 15000 }); } catch (e) { /* still busy */ }
}

async function waitFor(page, cond, arg, desc, timeout = STEP_MS) {
  let h;
  try {
    h = await page.waitForFunction(
      `(() => { const e = ${ERROR_SCREEN}; if (e) return { err: e }; return (${cond.toString()})(${JSON.stringify(arg)}) ? { ok: true } : null; })()`,
      { timeout, polling: 250 });
  } catch (e) {
    throw new Error(`${desc} (waited ${timeout / 1000}s)`);
  }
  const v = await h.jsonValue();
  if (v && v.err) throw new Error(v.err);
  return v;
}

const waitText = (page, text, timeout) => waitFor(page,
  (t) => document.body && document.body.innerText.toLowerCase().includes(t.toLowerCase()), text, `"${text}" never shown`, timeout);
const waitSel = (page, sel, desc, timeout) => waitFor(page, (s) => !!document.querySelector(s), sel, desc || `${sel} never appeared`, timeout);

async function clickText(page, selector, text) {
  const r = await page.evaluate((sel, t) => {
    const re = new RegExp(t, 'i');
    const els = [...document.querySelectorAll(sel)].filter((e) => e.innerText && re.test(e.innerText.trim()));
    const el = els.find((e) => !e.disabled) || els[0];
    if (!el) return 'missing';
    if (el.disabled) return 'disabled';
    el.scrollIntoView({ block: 'center' });
    el.click();
    return 'ok';
  }, selector, text);
  if (r !== 'ok') throw new Error(`${selector} /${text}/ ${r}`);
}

async function waitClickable(page, selector, text, timeout = 15000) {
  await waitFor(page, ([s, t]) => [...document.querySelectorAll(s)].some((e) => new RegExp(t, 'i').test(e.innerText.trim()) && !e.disabled),
    [selector, text], `no enabled ${selector} /${text}/`, timeout);
  await clickText(page, selector, text);
}

// A user without an email address gets the frontend's blocking "Update your email" dialog: fill it in as a
// person must (the frontend saves it with PATCH /users/me/actions/set-user/).
async function fillEmailDialog(page) {
  const input = await page.$('.popup-content input[name="email"], [role="dialog"] input[name="email"]');
  if (!input) return;
  const who = await page.evaluate(() => localStorage.getItem('username'));
  await input.type(`${who}@example.org`);
  await page.evaluate(() => {
    const i = document.querySelector('.popup-content input[name="email"], [role="dialog"] input[name="email"]');
    const f = i && i.closest('form');
    if (f) f.requestSubmit();
  });
  await page.waitForFunction(() => !document.querySelector('.popup-content input[name="email"], [role="dialog"] input[name="email"]'),
    { timeout: 10000 }).catch(() => { throw new Error('the "Update your email" dialog did not close'); });
}

let lastNav = Date.now();
async function go(page, p) {
  lastNav = Date.now();
  await page.goto(ORIGIN + p, { waitUntil: 'domcontentloaded', timeout: STEP_MS });
  await settle(page);
  await fillEmailDialog(page);
}

// Types into the visible field as a person does (click, then keys), and checks the field took the text.
async function typeInto(page, sel, text) {
  const el = await page.waitForSelector(sel, { visible: true, timeout: STEP_MS }).catch(() => null);
  if (!el) throw new Error(`no visible ${sel}`);
  await el.click();
  await el.type(text, { delay: 5 });
  await waitFor(page, ([s, t]) => [...document.querySelectorAll(s)].some((e) => e.value.includes(t)), [sel, text],
    `${sel} did not take the text`, 10000);
  // then moves on, leaving the field: the project edit form keeps a field's text only when it loses focus (a
  // tab clicked through the DOM would not take the focus away)
  await el.evaluate((e) => e.blur());
}

// The mapping and validation pages open on their instructions: a person opens the Completion tab to submit.
async function openCompletionTab(page) {
  await waitFor(page, () => [...document.querySelectorAll('span[role="button"]')].some((e) => /^completion$/i.test(e.innerText.trim())),
    null, 'no Completion tab');
  await clickText(page, 'span[role="button"]', '^completion$');
}

async function browserLogin(page, who) {
  const q = new URLSearchParams({
    username: who.username, session_token: who.sessionToken, osm_oauth_token: who.osmToken, picture: who.picture,
    redirect_to: '/explore',
  });
  await go(page, `/authorized/?${q}`);
  await page.waitForFunction(() => !location.pathname.startsWith('/authorized'), { timeout: STEP_MS });
  if (!(await page.evaluate(() => localStorage.getItem('token')))) throw new Error('no session token stored after /authorized');
}

const results = [];
async function journey(id, title, pages, fn) {
  if (ONLY.length && !ONLY.includes(id)) return;
  current = { id, title, failed: [], expected: [], calls: [], external: [], console: [], pageErrors: [] };
  const t0 = Date.now();
  let ok = false;
  let reason = '';
  try {
    reason = (await fn()) || '';
    ok = true;
  } catch (e) {
    reason = String((e && e.message) || e).split('\n')[0];
  }
  for (const p of pages) await settle(p, 800);
  if (ok) {
    const wait = lastNav + CRASH_WATCH_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (const p of pages) {
      const bad = await p.evaluate(ERROR_SCREEN).catch(() => null);
      if (bad) { ok = false; reason = `then ${bad}`; }
    }
  }
  const j = current;
  current = null;
  const shot = path.join(OUT, `${id}-${title.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
  try { await pages[pages.length - 1].screenshot({ path: shot }); } catch (e) { /* closed */ }
  const pass = ok && j.failed.length === 0;
  if (ok && j.failed.length) reason = `page checks passed${reason ? ` (${reason})` : ''}, but ${j.failed.length} API call(s) failed`;
  console.log(`${pass ? 'PASS' : 'FAIL'} ${id} ${title} [${((Date.now() - t0) / 1000).toFixed(0)}s]${reason ? ' - ' + reason : ''}`);
  const seen = new Set();
  for (const a of j.failed) {
    const k = `${a.method} ${a.path} ${a.status}`;
    if (seen.has(k)) continue;
    seen.add(k);
    console.log(`       api ${a.who}: ${a.method} ${a.path} -> ${a.status}${a.body ? '  ' + a.body : ''}`);
  }
  for (const e of j.pageErrors.slice(0, 3)) console.log(`       js  ${e}`);
  if (j.expected.length) console.log(`       (not counted: ${j.expected.length} answer(s) that fail in the reference too: ${[...new Set(j.expected.map((a) => expected(a).why))].join('; ')})`);
  if (j.external.length) console.log(`       (not counted: ${j.external.length} request(s) to outside hosts)`);
  results.push({ id, title, pass, reason, failed: j.failed, calls: j.calls, console: j.console, pageErrors: j.pageErrors, external: j.external, shot });
}

// ------------------------------------------------------------------ the journeys
(async () => {
  console.log(`journeys against ${ORIGIN}; screenshots in ${OUT}`);
  const admin = await login('admin');
  const mapper = await login(`mapper_${STAMP}`);
  const validator = await login(`validator_${STAMP}`);
  const joiner = await login(`joiner_${STAMP}`);
  const orgName = `Journeys Org ${STAMP}`;
  const org = must(await api('POST', '/api/v2/organisations/', { name: orgName, managers: ['admin'] }, admin), 'POST /organisations/');
  const orgId = org.organisationId;
  const projectName = `Journeys ${STAMP} flood response`;
  const seeded = await publishedProject(admin, orgId, projectName);
  const pid = seeded.projectId;
  // two tasks mapped by the mapper for the validator (the mapper maps a third one in the browser)
  await mapTaskByApi(mapper, pid, seeded.taskIds[seeded.taskIds.length - 1]);
  await mapTaskByApi(mapper, pid, seeded.taskIds[seeded.taskIds.length - 2]);
  const team = must(await api('POST', '/api/v2/teams/', {
    name: `Journeys Team ${STAMP}`, organisation_id: orgId, description: 'Mappers of the flood response',
    joinMethod: 'ANY', visibility: 'PUBLIC',
  }, admin), 'POST /teams/');
  const teamId = team.teamId;
  const orgRead = must(await api('GET', `/api/v2/organisations/${orgId}/`, undefined, admin), 'GET organisation');
  console.log(`seeded organisation ${orgId} (${orgRead.slug}), project ${pid} with ${seeded.taskIds.length} tasks, team ${teamId}`);

  const browser = await puppeteer.launch({
    executablePath: CHROME,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist', '--window-size=1400,900'],
    defaultViewport: { width: 1400, height: 900 },
  });
  const pageFor = async (who) => {
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    await watch(page, who ? who.username : 'anonymous');
    page.setDefaultTimeout(STEP_MS);
    if (who) await browserLogin(page, who);
    return page;
  };
  const anon = await pageFor(null);
  const lp = await pageFor(null); // logs in through the stand-in, as a person does
  const mp = await pageFor(mapper);
  const vp = await pageFor(validator);
  const ap = await pageFor(admin);
  const jp = await pageFor(joiner);

  try {
    // A person logs in as in a browser: the header's "Log in" -> our login route -> the OpenStreetMap stand-in's
    // authorization page (type a username, Approve) -> the frontend's /authorized callback -> logged in.
    const person = `person_${STAMP}`;
    await journey('login', 'a person logs in through the OpenStreetMap stand-in', [lp], async () => {
      await go(lp, '/');
      await waitClickable(lp, 'button', '^Log in$');
      await lp.waitForSelector('input[name="username"]', { visible: true, timeout: STEP_MS })
        .catch(() => { throw new Error(`no OpenStreetMap authorization page (at ${lp.url()})`); });
      if (lp.url().startsWith(ORIGIN)) throw new Error(`the authorization page is on our origin (${lp.url()}), not the stand-in`);
      await lp.type('input[name="username"]', person);
      await Promise.all([
        lp.waitForNavigation({ waitUntil: 'domcontentloaded', timeout: STEP_MS }),
        lp.click('button[value="approve"]'),
      ]);
      lastNav = Date.now();
      // the callback page exchanges the code (GET /system/authentication/callback/), stores the session, moves on
      await lp.waitForFunction((o) => location.href.startsWith(o) && !location.pathname.startsWith('/authorized'),
        { timeout: STEP_MS }, ORIGIN).catch(() => { throw new Error(`never left the callback (at ${lp.url()})`); });
      const landed = new URL(lp.url()).pathname;
      await settle(lp);
      const stored = await lp.evaluate(() => ({ username: localStorage.getItem('username'), token: localStorage.getItem('token') }));
      if (stored.username !== person || !stored.token) throw new Error(`not logged in after the callback: ${JSON.stringify(stored)}`);
      // the stored token (the frontend keeps it base64-encoded, as it sends it) is a session our API accepts
      const me = await api('GET', `/api/v2/users/queries/${encodeURIComponent(person)}/`, undefined, { authorization: `Token ${stored.token}` });
      if (me.status !== 200 || !me.json || me.json.username !== person) {
        throw new Error(`the stored session does not read ${person}: ${me.status} ${me.text.slice(0, 200)}`);
      }
      await fillEmailDialog(lp);
      await go(lp, '/explore');
      await waitFor(lp, (n) => document.body.innerText.includes(n), person, 'the header does not show the logged-in user');
      return `logged in as ${person}, the callback moved on to ${landed}`;
    });

    await journey('home', 'home page with statistics', [anon], async () => {
      await go(anon, '/');
      await waitText(anon, 'Total Mappers');
      // the statistics block shows numbers, not the placeholder dash, once system statistics answered
      await waitFor(anon, () => [...document.querySelectorAll('.stat-number')].some((e) => /\d/.test(e.innerText)), null,
        'no statistic number shown');
      return '';
    });

    await journey('explore', 'explore and search', [mp], async () => {
      await go(mp, `/explore?text=${encodeURIComponent(STAMP)}`);
      await waitText(mp, projectName);
      return 'found by text search';
    });

    await journey('project', 'project page', [mp], async () => {
      await go(mp, `/projects/${pid}`);
      await waitText(mp, projectName);
      await waitText(mp, `Journeys of ${STAMP}`);
      return '';
    });

    await journey('tasks', 'task selection with the task map', [mp], async () => {
      await go(mp, `/projects/${pid}/tasks`);
      await waitSel(mp, '.maplibregl-canvas', 'task map never drawn');
      await waitSel(mp, '.task-list div[role="button"]', 'task list stayed empty');
      return '';
    });

    let lockedTask = null;
    await journey('map', 'lock a task and submit it as mapped', [mp], async () => {
      await go(mp, `/projects/${pid}/tasks`);
      await waitSel(mp, '.task-list div[role="button"]', 'task list stayed empty');
      const picked = await mp.evaluate(() => {
        const el = [...document.querySelectorAll('.task-list div[role="button"]')].find((e) => /available for mapping/i.test(e.innerText))
          || document.querySelector('.task-list div[role="button"]');
        el.click();
        const m = el.innerText.match(/#?(\d+)/);
        return m ? Number(m[1]) : null;
      });
      await waitClickable(mp, 'button', 'Map selected task');
      await mp.waitForFunction(() => /\/projects\/\d+\/map/.test(location.pathname), { timeout: STEP_MS });
      await settle(mp);
      await fillEmailDialog(mp);
      const st = await taskStatus(mapper, pid, picked);
      if (st !== 'LOCKED_FOR_MAPPING') throw new Error(`task ${picked} is ${st}, not LOCKED_FOR_MAPPING`);
      lockedTask = picked;
      await openCompletionTab(mp);
      await waitSel(mp, 'input#MAPPED', 'no completion form');
      await mp.click('input#MAPPED');
      await waitClickable(mp, 'button', '^Submit task$');
      await mp.waitForFunction(() => /\/projects\/\d+\/tasks/.test(location.pathname), { timeout: STEP_MS });
      const after = await taskStatus(mapper, pid, picked);
      if (after !== 'MAPPED') throw new Error(`task ${picked} is ${after} after submitting, not MAPPED`);
      return `task ${picked} MAPPED`;
    });

    await journey('validate', 'lock two tasks for validation, validate one, invalidate one with a comment', [vp], async () => {
      const [t1, t2] = seeded.taskIds.slice(-2);
      await go(vp, `/projects/${pid}/tasks?filter=MAPPED`);
      await waitSel(vp, '.task-list div[role="button"]', 'task list stayed empty');
      for (const t of [t1, t2]) {
        await waitFor(vp, (n) => [...document.querySelectorAll('.task-list div[role="button"]')].some((e) => new RegExp(`#${n}\\b`).test(e.innerText)),
          t, `task #${t} not listed`);
        await vp.evaluate((n) => [...document.querySelectorAll('.task-list div[role="button"]')].find((e) => new RegExp(`#${n}\\b`).test(e.innerText)).click(), t);
        await new Promise((r) => setTimeout(r, 300));
      }
      await waitClickable(vp, 'button', 'Validate 2 selected tasks');
      await vp.waitForFunction(() => /\/projects\/\d+\/validate/.test(location.pathname), { timeout: STEP_MS });
      await settle(vp);
      await fillEmailDialog(vp);
      for (const t of [t1, t2]) {
        const st = await taskStatus(validator, pid, t);
        if (st !== 'LOCKED_FOR_VALIDATION') throw new Error(`task ${t} is ${st}, not LOCKED_FOR_VALIDATION`);
      }
      await openCompletionTab(vp);
      await waitSel(vp, `input[id="#${t1}-VALIDATED"]`, 'no validation form');
      await vp.click(`input[id="#${t1}-VALIDATED"]`);
      await vp.click(`input[id="#${t2}-INVALIDATED"]`);
      // open the comment box of the invalidated task and write why
      await vp.evaluate((n) => {
        const row = document.querySelector(`input[id="#${n}-INVALIDATED"]`).closest('.cf.w-100.db');
        [...row.querySelectorAll('button')].find((b) => /comment/i.test(b.innerText)).click();
      }, t2);
      await waitSel(vp, 'textarea', 'no comment box');
      await vp.type('textarea', `Missing buildings in the north-east corner ${STAMP}`);
      await waitClickable(vp, 'button', '^Submit tasks?$');
      await vp.waitForFunction(() => /\/projects\/\d+\/tasks/.test(location.pathname), { timeout: STEP_MS });
      const s1 = await taskStatus(validator, pid, t1);
      const s2 = await taskStatus(validator, pid, t2);
      if (s1 !== 'VALIDATED' || s2 !== 'INVALIDATED') throw new Error(`tasks are ${s1} and ${s2}, not VALIDATED and INVALIDATED`);
      const hist = must(await api('GET', `/api/v2/projects/${pid}/tasks/${t2}/`, undefined, validator), 'task');
      if (!JSON.stringify(hist.taskHistory || []).includes(`north-east corner ${STAMP}`)) throw new Error(`the comment is not in task ${t2}'s history`);
      return `${t1} VALIDATED, ${t2} INVALIDATED with its comment`;
    });

    let created = null;
    await journey('create', 'a project manager creates a project in the wizard and edits it', [ap], async () => {
      await go(ap, '/manage/projects/new');
      await waitText(ap, 'Select file');
      const aoiFile = path.join(OUT, 'aoi.geojson');
      fs.writeFileSync(aoiFile, JSON.stringify(AOI));
      const input = await ap.$('input[type="file"]');
      if (!input) throw new Error('no file input for the area of interest');
      await input.uploadFile(aoiFile);
      await waitFor(ap, () => /\b[1-9]\d* ?km/i.test(document.body.innerText) || /Area:?\s*[0-9.]+/i.test(document.body.innerText), null, 'area never computed', 15000);
      await waitClickable(ap, 'button', '^Next$'); // to task sizes
      await waitText(ap, 'Smaller');
      await clickText(ap, 'button', '^Smaller$'); // one zoom level finer
      await waitClickable(ap, 'button', '^Next$'); // to trimming
      await waitClickable(ap, 'button', '^Next$'); // to review
      await waitSel(ap, 'input#name', 'no project name field');
      const newName = `Journeys ${STAMP} wizard project`;
      await ap.type('input#name', newName);
      // the organisation picker (react-select): type the name, choose it
      const sel = await ap.$('[class*="-control"] input, .react-select__input input, input[id^="react-select"]');
      if (!sel) throw new Error('no organisation picker');
      await sel.type(orgName);
      await waitText(ap, orgName, 15000);
      await ap.keyboard.press('Enter');
      await waitClickable(ap, 'button', '^Create$');
      await ap.waitForFunction(() => /\/manage\/projects\/\d+/.test(location.pathname), { timeout: 60000 });
      created = Number(await ap.evaluate(() => location.pathname.match(/\/manage\/projects\/(\d+)/)[1]));
      await waitText(ap, 'Edit project');
      // edit: a short description, saved
      await waitFor(ap, (n) => [...document.querySelectorAll('input,textarea')].some((i) => i.value === n), newName, 'edit form never filled');
      // the form asks, before it saves, for what a published project needs: descriptions, instructions, a type
      const shortDescription = `Edited in the browser ${STAMP}`;
      await typeInto(ap, 'textarea[name="shortDescription"]', shortDescription);
      await typeInto(ap, 'textarea[name="description"]', 'Buildings of the flooded district, for the relief teams.');
      await clickText(ap, 'li, a, span, div[role="button"]', '^instructions \\*?$');
      await typeInto(ap, 'textarea[name="instructions"]', 'Trace every building; mark a task bad imagery when clouds cover it.');
      await clickText(ap, 'li, a, span, div[role="button"]', '^metadata \\*?$');
      await waitSel(ap, 'div[aria-label="mapping_types"] [role="checkbox"]', 'no types of mapping');
      await ap.click('div[aria-label="mapping_types"] [role="checkbox"]');
      await waitClickable(ap, 'button', '^Save$');
      await until('the edit saved', async () => {
        const r = await api('GET', `/api/v2/projects/${created}/`, undefined, admin);
        return r.json && JSON.stringify(r.json.projectInfo || {}).includes(shortDescription);
      }, 20000);
      return `project ${created} created with its grid and edited`;
    });

    await journey('profile', "a user's profile and statistics", [vp], async () => {
      // the validator looks at the mapper's profile (the reference shows profiles to logged-in users)
      await go(vp, `/users/${mapper.username}`);
      await waitText(vp, mapper.username);
      await waitText(vp, 'Mapped');
      return '';
    });

    await journey('organisation', 'an organisation page', [anon], async () => {
      await go(anon, `/organisations/${orgRead.slug}/`);
      await waitText(anon, orgName);
      await waitText(anon, projectName);
      return '';
    });

    await journey('team', 'a team page, joined', [jp], async () => {
      await go(jp, `/teams/${teamId}/membership`);
      await waitText(jp, `Journeys Team ${STAMP}`);
      await waitClickable(jp, 'button', '^Join team$');
      await until('the joiner is a member', async () => {
        const r = await api('GET', `/api/v2/teams/${teamId}/`, undefined, admin);
        return r.json && (r.json.members || []).some((m) => m.username === joiner.username && m.active !== false);
      }, 20000);
      await waitText(jp, 'Leave team');
      return '';
    });

    await journey('mention', 'the notification bell after a mention', [vp, mp], async () => {
      // the validator asks the mapper a question on the project page, mentioning them
      await go(vp, `/projects/${pid}#questionsAndComments`);
      await waitSel(vp, '#questionsAndComments textarea, textarea', 'no comment box on the project page');
      await vp.type('textarea', `@${mapper.username} which imagery did you use? ${STAMP}`);
      await waitClickable(vp, 'button', '^Post$');
      await until('the comment posted', async () => {
        const r = await api('GET', `/api/v2/projects/${pid}/comments/`, undefined, validator);
        return r.json && JSON.stringify(r.json).includes(`imagery did you use? ${STAMP}`);
      }, 20000);
      await go(mp, '/explore');
      await waitSel(mp, '.redicon', 'the bell shows no unread mark', 45000);
      await mp.click('[aria-label="Notifications"]');
      await waitText(mp, 'mentioned');
      return '';
    });
  } finally {
    await browser.close().catch(() => {});
  }

  fs.writeFileSync(path.join(OUT, 'report.json'), JSON.stringify({ origin: ORIGIN, project: pid, results }, null, 2));
  const passed = results.filter((r) => r.pass).length;
  console.log(`${passed} passed, ${results.length - passed} failed (report ${path.join(OUT, 'report.json')})`);
  process.exit(passed === results.length && results.length > 0 ? 0 : 1);
})().catch((e) => {
  console.log(`journeys could not run: ${(e && e.stack) || e}`);
  process.exit(1);
});

// The officer's page of cccd-agent in a real browser (Debian's chromium, headless, driven by
// playwright-core), reading the virtual card that `cccd-sim serve` puts on pcscd's vpcd reader. Run by
// agent_browser_test.sh, which starts pcscd and the agent and passes everything through the environment.
// Each state's screenshot goes to $SHOTS_DIR (the build folder: never committed).
//   verified   the QR line typed into the focused field (as a USB scanner types it), the card placed:
//              progress, the photo, the DG13 fields, "ĐÃ XÁC THỰC"; the agent kept nothing once both were
//              fetched; "Công dân tiếp theo" clears the screen
//   resumed    the card pulled away mid-read (at APDU 14) and put back 4 s later: "stalled" shown, then
//              "resumed", then verified
//   forged     the card's QR line with another name, scanned right after another line whose read is
//              then cancelled: "CHƯA XÁC THỰC", qr_consistency failed
//   text       a result whose DG13 name is markup, given to the page's own render: shown as text, nothing run
//   foreign    a page from an origin not on the allow-list: its requests are refused (403, no CORS)
//   web app    docs/counter.md's JavaScript example, as it stands in the doc, run by a page of the allowed
//              origin: verified, with progress and the photo
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const env = process.env;
const agentUrl = env.AGENT_URL;
const token = fs.readFileSync(env.TOKEN_FILE, 'utf8').trim();
const shots = env.SHOTS_DIR;
const qrLine = fs.readFileSync(env.QR_FILE, 'utf8').replace(/\r?\n$/, '');
const forgedLine = qrLine.replace('|Nguyễn Thị Thu Hà|', '|Nguyễn Thị Thu Hằng|');
fs.mkdirSync(shots, { recursive: true });

function fail(message) {
  throw new Error(message);
}
if (forgedLine === qrLine) fail('the card QR line does not hold the expected name');

// The card on the reader: `cccd-sim serve`, its PID recorded for the shell's cleanup.
function placeCard(extra = []) {
  const log = fs.openSync(path.join(env.WORK, 'sim.log'), 'a');
  const child = spawn(env.CCCD_SIM, ['serve', env.CARD_DIR, '--vpcd', env.VPCD_ADDRESS, ...extra], { stdio: ['ignore', log, log] });
  fs.appendFileSync(path.join(env.WORK, 'sim.pids'), child.pid + '\n');
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    async take() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: true });
  console.log('screenshot ' + name + '.png');
}

async function agentStatus(readId) {
  const response = await fetch(agentUrl + '/v1/reads/' + readId, { headers: { Authorization: 'Bearer ' + token } });
  return response.status;
}

const text = (page, id) => page.evaluate((i) => document.getElementById(i).textContent, id);

// Records what the page showed while it changed: progress lines and status lines.
async function watch(page) {
  await page.evaluate(() => {
    window.seen = { progress: [], status: [] };
    const record = (id, list) => new MutationObserver(() => list.push(document.getElementById(id).textContent))
        .observe(document.getElementById(id), { childList: true, characterData: true, subtree: true });
    record('file-progress', window.seen.progress);
    record('status', window.seen.status);
  });
}

// Types the line into the focused field as a scanner does, then Enter; gives the read's id.
async function scan(page, line) {
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (focused !== 'qr') fail('the QR field does not have the focus (' + focused + ')');
  // The page asks again on 409 while the read it just cancelled ends: the answer that counts is the last.
  const started = page.waitForResponse((r) => r.url().endsWith('/v1/reads') && r.request().method() === 'POST' &&
                                              r.status() !== 409);
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  const response = await started;
  if (response.status() !== 201) fail('POST /v1/reads: ' + response.status());
  if ((await page.inputValue('#qr')) !== '') fail('the QR line stays on the screen');
  return (await response.json()).id;
}

async function waitForVerdict(page, verdict, timeout = 40000) {
  await page.waitForFunction((v) => document.getElementById('verdict').textContent === v, verdict, { timeout })
      .catch(async (e) => {
        await shot(page, 'failure');
        fail('no "' + verdict + '": status "' + (await text(page, 'status')) + '", error "' +
             (await text(page, 'error')) + '" (' + e.message + ')');
      });
}

async function waitForPhoto(page) {
  await page.waitForFunction(() => {
    const img = document.getElementById('photo');
    return img.src.startsWith('blob:') && img.complete && img.naturalWidth > 0;
  }, null, { timeout: 10000 });
}

async function nextCitizen(page) {
  await page.click('#next');
  const left = await page.evaluate(() => ({
    fields: document.getElementById('fields').childElementCount,
    findings: document.getElementById('findings').childElementCount,
    photo: document.getElementById('photo').getAttribute('src'),
    verdict: document.getElementById('verdict').textContent,
    resultShown: !document.getElementById('result').hidden,
    focused: document.activeElement.id,
  }));
  if (left.fields || left.findings || left.photo || left.verdict || left.resultShown) {
    fail('"Công dân tiếp theo" left something on the screen: ' + JSON.stringify(left));
  }
  if (left.focused !== 'qr') fail('after "Công dân tiếp theo" the QR field has no focus');
}

// Pages of other origins: the allowed web app (docs/counter.md's example) and a foreign one.
const exampleSource = (() => {
  const doc = fs.readFileSync(env.COUNTER_DOC, 'utf8');
  const match = doc.match(/<!-- example: web app -->\s*```js\n([\s\S]*?)```/);
  if (!match) fail('docs/counter.md has no "<!-- example: web app -->" JavaScript block');
  return match[1];
})();
const harness = `
window.runExample = async (agent, line) => {
  const progress = [];
  const out = await readCard(agent, line, (p) => progress.push(p));
  const img = new Image();
  img.src = out.photo;
  await img.decode();
  document.body.textContent = out.verified ? 'verified' : 'not verified';
  document.body.append(img);
  return { verified: out.verified, progress: progress.length, photoWidth: img.naturalWidth,
           name: out.result.document.personal_data.full_name, result: out.result };
};
window.tryAgent = async (agent) => {
  const outcome = {};
  for (const [name, init] of [['readers', {}], ['read', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                         body: JSON.stringify({ id_or_qr: '001099012345' }) }]]) {
    try {
      const response = await fetch(agent + (name === 'readers' ? '/v1/readers' : '/v1/reads'), init);
      outcome[name] = 'answered ' + response.status;
    } catch (e) {
      outcome[name] = 'refused';
    }
  }
  document.body.textContent = 'foreign origin: ' + JSON.stringify(outcome);
  return outcome;
};`;
function serveOrigin(port) {
  const server = http.createServer((request, response) => {
    const files = {
      '/': ['text/html; charset=utf-8', '<!doctype html><meta charset="utf-8"><title>app</title><body>…</body>' +
            '<script src="/example.js"></script><script src="/harness.js"></script>'],
      '/example.js': ['text/javascript', exampleSource],
      '/harness.js': ['text/javascript', harness],
    };
    const file = files[request.url];
    response.writeHead(file ? 200 : 404, { 'Content-Type': file ? file[0] : 'text/plain' });
    response.end(file ? file[1] : 'not found');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const servers = [await serveOrigin(Number(env.APP_PORT)), await serveOrigin(Number(env.FOREIGN_PORT))];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 }, locale: 'vi-VN' });
  // Each read's event stream is opened once and runs to its end: a stream the agent dropped would make
  // EventSource reconnect (and replay the events).
  let streams = 0;
  page.on('request', (r) => { if (r.url().endsWith('/events')) streams += 1; });
  await page.goto(agentUrl + '/');
  await shot(page, '01-ready');

  // verified
  await watch(page);
  let readId = await scan(page, qrLine);
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Đặt thẻ'));
  await shot(page, '02-waiting-for-card');
  let card = placeCard();
  await waitForVerdict(page, 'ĐÃ XÁC THỰC');
  await waitForPhoto(page);
  const shown = await text(page, 'fields');
  for (const expected of ['Nguyễn Thị Thu Hà', '001099012345', 'Họ và tên', 'Nơi thường trú']) {
    if (!shown.includes(expected)) fail('the DG13 fields do not show "' + expected + '"');
  }
  const seen = await page.evaluate(() => window.seen);
  if (!seen.progress.some((line) => line.startsWith('DG2 '))) fail('no progress seen: ' + JSON.stringify(seen));
  if ((await page.locator('#findings li.passed').count()) < 5) fail('the findings are not all shown');
  await shot(page, '03-verified');
  console.log('ok verified: ' + seen.progress.length + ' progress updates, photo and DG13 shown');
  if ((await agentStatus(readId)) !== 404) fail('the agent still holds the read after the result and the face were fetched');
  await card.take();
  await nextCitizen(page);
  await shot(page, '04-next-citizen');
  console.log('ok next citizen: the screen is cleared, the agent holds nothing');

  // resumed: pulled at APDU 14 (mid-read), put back 4 s later
  await watch(page);
  readId = await scan(page, qrLine);
  card = placeCard(['--remove-at', '14', '--reinsert-after-ms', '4000']);
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Mất kết nối với thẻ'),
                             null, { timeout: 20000 });
  await shot(page, '05-card-pulled');
  await waitForVerdict(page, 'ĐÃ XÁC THỰC');
  await waitForPhoto(page);
  const states = (await page.evaluate(() => window.seen)).status;
  if (!states.some((s) => s.startsWith('Đã đặt lại thẻ'))) fail('the page did not say the read resumed: ' + states);
  if (!fs.readFileSync(path.join(env.WORK, 'sim.log'), 'utf8').includes('left the field at APDU 14')) {
    fail('the card was not pulled during the read');
  }
  await shot(page, '06-resumed-verified');
  console.log('ok resumed: pulled at APDU 14, put back, verified');
  await card.take();
  await nextCitizen(page);

  // forged: another name printed in the QR code. The officer first scans another card's line, then this
  // one before placing the card: the first read is cancelled and the second one runs.
  const abandoned = await scan(page, qrLine);
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Đặt thẻ'));
  readId = await scan(page, forgedLine);
  if (readId === abandoned) fail('the second scan did not start a new read');
  if ((await agentStatus(abandoned)) !== 404) fail('the abandoned read is still held by the agent');
  card = placeCard();
  await waitForVerdict(page, 'CHƯA XÁC THỰC');
  const qrFinding = page.locator('#findings li[data-finding="qr_consistency"]');
  if ((await qrFinding.getAttribute('class')) !== 'failed') fail('qr_consistency is not failed');
  const why = await qrFinding.textContent();
  if (!why.includes('KHÔNG ĐẠT')) fail('the QR finding does not say KHÔNG ĐẠT: ' + why);
  const reasons = await text(page, 'reasons');
  if (reasons !== 'Chưa đạt: Mã QR/chip (DG13)') fail('the verdict does not name the failed finding: ' + reasons);
  if ((await page.locator('#findings li').first().getAttribute('data-finding')) !== 'qr_consistency') {
    fail('the failed finding is not listed first');
  }
  await shot(page, '07-forged-qr');
  console.log('ok forged: ' + why);
  await card.take();
  await nextCitizen(page);

  if (streams !== 4) fail('4 reads opened ' + streams + ' event streams');

  // Card text is text: a chip whose DG13 name is markup (the page's own render, fed such a result) shows
  // it literally and runs nothing.
  const hostileName = '<img src=x onerror="window.pwned=1"><b>Hà</b>';
  const rendered = await page.evaluate(async (name) => {
    render({ verdict: { overall: 'not_verified', access: { status: 'passed', detail: '<i>x</i>' } },
             document: { personal_data: { full_name: name } } }, { findings: {} });
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { shown: document.querySelector('#fields dd').textContent, markup: document.querySelectorAll('#result img:not(#photo), #result b, #result i').length,
             pwned: window.pwned === 1 };
  }, hostileName);
  if (rendered.shown !== hostileName || rendered.markup !== 0 || rendered.pwned) {
    fail('card text was not shown as text: ' + JSON.stringify(rendered));
  }
  await shot(page, '07b-card-text-is-text');
  await nextCitizen(page);
  console.log('ok card text is text: markup in a DG13 name shown literally, nothing run');

  // foreign: a page of an origin not on the allow-list
  const foreign = await browser.newPage();
  // What the agent answered, seen by the browser's network layer (a CORS-blocked answer never reaches
  // the page's script, nor playwright's response events).
  const statuses = [];
  const cdp = await foreign.context().newCDPSession(foreign);
  await cdp.send('Network.enable');
  cdp.on('Network.responseReceived', (e) => { if (e.response.url.startsWith(agentUrl)) statuses.push(e.response.status); });
  await foreign.goto('http://127.0.0.1:' + env.FOREIGN_PORT + '/');
  const outcome = await foreign.evaluate((a) => window.tryAgent(a), agentUrl);
  if (outcome.readers !== 'refused' || outcome.read !== 'refused') fail('a foreign origin got answers: ' + JSON.stringify(outcome));
  if (statuses.length === 0 || statuses.some((s) => s !== 403)) {
    fail('the agent answered a foreign origin with HTTP ' + JSON.stringify(statuses) + ', not 403');
  }
  await shot(foreign, '08-foreign-origin-refused');
  console.log('ok foreign origin refused (' + JSON.stringify(outcome) + ', HTTP ' + statuses + ')');
  await foreign.close();

  // web app: docs/counter.md's example on the allowed origin
  const app = await browser.newPage();
  await app.goto('http://127.0.0.1:' + env.APP_PORT + '/');
  const running = app.evaluate(([a, l]) => window.runExample(a, l), [agentUrl, qrLine]);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  card = placeCard();
  const { result, ...out } = await running;
  if (!out.verified || out.progress === 0 || out.photoWidth === 0 || out.name !== 'Nguyễn Thị Thu Hà') {
    fail("docs/counter.md's example: " + JSON.stringify(out));
  }
  // For the shell to compare with cccd-verify read --json of the same card.
  fs.writeFileSync(path.join(env.WORK, 'agent-result.json'), JSON.stringify(result));
  await shot(app, '09-web-app-example');
  console.log("ok docs/counter.md's example: " + JSON.stringify(out));
  await card.take();
} finally {
  await browser.close();
  for (const server of servers) server.close();
}
console.log('all passed; screenshots in ' + shots);

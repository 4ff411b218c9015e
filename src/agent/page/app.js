// The officer's page of cccd-agent. Every text that came from a card (DG13 fields) or from the agent
// is put on the page with textContent, never as markup: a forged chip cannot inject anything. The page
// keeps nothing: no storage, no cookies; "Công dân tiếp theo" clears the screen and drops the read on the
// agent too.
'use strict';

const FIELDS = [
  ['id_number', 'Số định danh cá nhân'], ['full_name', 'Họ và tên'], ['date_of_birth', 'Ngày sinh'],
  ['sex', 'Giới tính'], ['nationality', 'Quốc tịch'], ['ethnicity', 'Dân tộc'], ['religion', 'Tôn giáo'],
  ['place_of_origin', 'Quê quán'], ['place_of_residence', 'Nơi thường trú'],
  ['identification_marks', 'Đặc điểm nhận dạng'], ['date_of_issue', 'Ngày cấp'],
  ['date_of_expiry', 'Ngày hết hạn'], ['father_name', 'Họ tên cha'], ['mother_name', 'Họ tên mẹ'],
  ['spouse_name', 'Họ tên vợ/chồng'], ['former_id_number', 'Số CMND/CCCD cũ'],
];
const FINDINGS = [
  ['access', 'Truy cập chip'], ['data_integrity', 'Toàn vẹn dữ liệu'], ['signer_trust', 'Tin cậy người ký'],
  ['chip_authenticity', 'Chip thật'], ['consistency', 'Nhất quán DG1/DG13'],
  ['document_validity', 'Hiệu lực thẻ'], ['qr_consistency', 'Mã QR/chip (DG13)'],
];
const STATUS = {
  passed: 'đạt', failed: 'KHÔNG ĐẠT', unknown: 'chưa xác định', not_supported: 'thẻ không hỗ trợ',
  not_checked: 'chưa kiểm tra',
};
const STATES = {
  waiting: 'Đặt thẻ lên đầu đọc...',
  no_reader: 'Chưa có đầu đọc thẻ: hãy cắm đầu đọc vào máy (hoặc kiểm tra dịch vụ pcscd)',
  reading: 'Đang đọc chip...',
  stalled: 'Mất kết nối với thẻ: đặt lại thẻ lên đầu đọc để đọc tiếp',
  resumed: 'Đã đặt lại thẻ: đang đọc tiếp...',
};
const ERRORS = {
  access_denied: 'Chip từ chối số định danh: kiểm tra mã QR hoặc số định danh',
  card_removed: 'Thẻ đã bị lấy ra trong khi đọc',
  timeout: 'Hết thời gian chờ thẻ',
  cancelled: 'Đã huỷ',
  no_reader: 'Không có đầu đọc thẻ',
  no_card: 'Không có thẻ trên đầu đọc',
  busy: 'Đang đọc một thẻ khác',
};
const SOURCES = { pcsc: 'Nguồn: đầu đọc PC/SC', nfc: 'Nguồn: đầu đọc NFC (libnfc)' };

const $ = (id) => document.getElementById(id);
let current = null; // {id, events: EventSource, explain, photoUrl}

function show(id, on) { $(id).hidden = !on; }

function setStatus(text, warning) {
  $('status').textContent = text;
  $('status').classList.toggle('warning', Boolean(warning));
}

function showError(text) {
  $('error').textContent = text;
  show('error', true);
}

// Everything the last citizen left on the screen, and the read on the agent. Gives the DELETE's promise:
// a new read waits for the old one to be cancelled.
function clearAll() {
  let forgotten = Promise.resolve();
  if (current) {
    if (current.events) current.events.close();
    if (current.photoUrl) URL.revokeObjectURL(current.photoUrl);
    // Cancels a read still running, or drops a finished one's result at once.
    forgotten = fetch('/v1/reads/' + encodeURIComponent(current.id), { method: 'DELETE' }).catch(() => {});
    current = null;
  }
  $('qr').value = '';
  $('photo').removeAttribute('src');
  $('photo-note').textContent = '';
  $('fields').replaceChildren();
  $('findings').replaceChildren();
  $('verdict').textContent = '';
  $('verdict').className = 'verdict';
  $('reasons').textContent = '';
  show('reasons', false);
  $('source').textContent = '';
  show('trust-note', false);
  $('file-progress').textContent = '';
  $('overall').value = 0;
  setStatus('');
  $('error').textContent = '';
  show('error', false);
  show('result', false);
  show('progress-area', false);
  $('qr').focus();
  return forgotten;
}

function kb(bytes) { return (bytes / 1024).toFixed(1); }

function onProgress(p) {
  const fraction = p.file_size > 0 ? Math.min(p.file_bytes / p.file_size, 1) : 0;
  const overall = p.files_total > 0 ? ((p.files_done + fraction) / p.files_total) * 100 : 0;
  $('overall').value = Math.min(overall, 100);
  $('file-progress').textContent = p.file + ' ' + kb(p.file_bytes) + '/' + kb(p.file_size) + ' KB · ' +
      p.files_done + '/' + p.files_total + ' tệp';
}

function addRow(list, label, value) {
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.textContent = value;
  list.append(dt, dd);
}

function render(result, explain) {
  const verified = result.verdict && result.verdict.overall === 'verified';
  $('verdict').textContent = verified ? 'ĐÃ XÁC THỰC' : 'CHƯA XÁC THỰC';
  $('verdict').className = 'verdict ' + (verified ? 'ok' : 'bad');
  const personal = (result.document && result.document.personal_data) || {};
  for (const [key, label] of FIELDS) {
    if (typeof personal[key] === 'string' && personal[key] !== '') addRow($('fields'), label, personal[key]);
  }
  const why = (explain && explain.findings) || {};
  // What kept the card from "verified" first, named under the verdict, then the rest in their order.
  const present = FINDINGS.filter(([key]) => result.verdict && typeof result.verdict[key] === 'object');
  const blocking = ([key]) => !['passed', 'not_supported'].includes(result.verdict[key].status);
  const failing = present.filter(blocking);
  if (!verified && failing.length > 0) {
    $('reasons').textContent = 'Chưa đạt: ' + failing.map(([, label]) => label).join(', ');
    show('reasons', true);
  }
  for (const [key, label] of [...failing, ...present.filter((f) => !blocking(f))]) {
    const finding = result.verdict[key];
    const item = document.createElement('li');
    item.className = finding.status;
    item.dataset.finding = key;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = label + ': ' + (STATUS[finding.status] || finding.status);
    const detail = document.createElement('span');
    detail.className = 'why';
    detail.textContent = why[key] || finding.detail || '';
    item.append(name, detail);
    $('findings').append(item);
  }
  // A verdict resting on a test CSCA (the virtual card's) must never pass for a real card's.
  show('trust-note', Boolean(result.verdict && result.verdict.signer_trust && result.verdict.signer_trust.test_csca));
  $('source').textContent = SOURCES[result.source] || '';
  show('result', true);
}

async function loadPhoto(read) {
  const response = await fetch('/v1/reads/' + encodeURIComponent(read.id) + '/face');
  if (current !== read) return;
  if (!response.ok) {
    $('photo-note').textContent = 'Thẻ không có ảnh chân dung';
    return;
  }
  read.photoUrl = URL.createObjectURL(await response.blob());
  if (current === read) $('photo').src = read.photoUrl;
}

async function start(text) {
  await clearAll();
  show('progress-area', true);
  setStatus('Đang gửi...');
  let response;
  try {
    // A read just cancelled (the officer scanned again before placing the card) takes a moment to end:
    // 409 "busy" is asked again for up to 3 s.
    for (let attempt = 0; ; attempt += 1) {
      response = await fetch('/v1/reads', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id_or_qr: text }),
      });
      if (response.status !== 409 || attempt >= 15) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (e) {
    setStatus('');
    showError('Không kết nối được với dịch vụ đọc thẻ (cccd-agent)');
    return;
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    setStatus('');
    const error = body.error || {};
    showError(ERRORS[error.code] || error.message_vi || error.message || 'Lỗi ' + response.status);
    return;
  }
  const read = { id: body.id, events: new EventSource(body.events), explain: null, photoUrl: null };
  current = read;
  setStatus(STATES.waiting);
  read.events.addEventListener('state', (e) => {
    const state = JSON.parse(e.data).state;
    if (STATES[state]) setStatus(STATES[state], state === 'stalled' || state === 'no_reader');
  });
  read.events.addEventListener('progress', (e) => onProgress(JSON.parse(e.data)));
  read.events.addEventListener('explain', (e) => { read.explain = JSON.parse(e.data); });
  read.events.addEventListener('result', (e) => {
    read.events.close();
    $('overall').value = 100;
    setStatus('Đã đọc xong');
    render(JSON.parse(e.data), read.explain);
    loadPhoto(read);
  });
  read.events.addEventListener('failed', (e) => {
    read.events.close();
    const error = (JSON.parse(e.data).error) || {};
    setStatus('');
    showError(ERRORS[error.code] || (read.explain && read.explain.error) || error.message || error.code);
  });
  read.events.onerror = () => {
    if (current === read && read.events.readyState === EventSource.CLOSED) {
      showError('Mất kết nối với dịch vụ đọc thẻ (cccd-agent)');
    }
  };
}

document.addEventListener('DOMContentLoaded', () => {
  $('entry').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('qr').value;
    $('qr').value = ''; // the line is personal data: off the screen at once
    if (text.trim() !== '') start(text);
  });
  $('next').addEventListener('click', clearAll);
  $('qr').focus();
});

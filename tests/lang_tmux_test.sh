#!/usr/bin/env bash
# Vietnamese throughout, English throughout (issue 17): cccd-verify's verified, not-verified and error
# runs in a detached tmux session on a tmux server of its own (-L, a unique socket; only that server is
# killed), as a person at a desk sees them. With --lang vi (the default) no English word of the finding
# texts, labels or errors may appear in the pane; with --lang en no Vietnamese one. Card data (names,
# places) is the card's and is not checked; technical names (PACE, DG14, Chip Authentication, SHA-256 ...)
# are the same in both languages.
# Usage: lang_tmux_test.sh CCCD_VERIFY CCCD_SIM
set -euo pipefail
verify=$1
sim=$2
command -v tmux > /dev/null || { echo "SKIP: no tmux"; exit 77; }

socket="cccd-lang-test-$$-$RANDOM"
work=$(mktemp -d)
cleanup() {
  tmux -L "$socket" kill-server 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
fail() { echo "FAIL: $*"; exit 1; }

# The cards and dumps of the runs: an expired card, a card without chip proofs and its dump.
"$sim" personalise "$work/expired" --expiry 2025-01-01 > /dev/null
"$sim" personalise "$work/plain" --ca none --aa none > /dev/null
"$verify" read --sim "$work/plain" --id 001099012345 --challenge 0102030405060708 --dump "$work/upload" \
  > /dev/null
"$verify" read --sim --id 001099012345 --dump "$work/full" > /dev/null
mv "$work/full/DG1" "$work/full/DG1.bin"

# One script per language: every kind of run, its output on the terminal.
cat > "$work/runs.sh" << RUNS
#!/usr/bin/env bash
L=\$1
v='$verify'
\$v read --sim --id 001099012345 --lang \$L                                  # verified
\$v read --sim '$work/expired' --id 001099012345 --birth 17/05/1990 --expiry 01/01/2025 --lang \$L  # expired
\$v read --sim '$work/expired' --id 001099012345 --accept-expired --lang \$L  # expired, accepted
\$v verify '$work/upload' --trust '$work/plain/csca.pem' --challenge 0102030405060708 \\
  --require-chip-authenticity --lang \$L                                     # no chip proof, refused
\$v verify '$work/full' --lang \$L                                           # no trust, an unknown file
\$v read --sim --id 001099012399 --lang \$L                                  # wrong ID (CAN)
\$v read --sim --id 0010 --lang \$L                                          # bad ID
\$v read --sim --id 001099012345 --birth 1990-13-01 --expiry 2030-01-01 --lang \$L  # bad date
\$v read --sim --id 001099012345 --photo '$work/none/face.png' --lang \$L    # photo error
\$v read --sim --bogus --lang \$L                                            # option error
\$v verify '$work/none' --lang \$L                                           # no such dump
\$v trust --lang \$L                                                         # trust store
echo "RUNS-DONE"
RUNS
chmod +x "$work/runs.sh"

run_in_tmux() {  # run_in_tmux LANG OUTFILE
  local session="desk-$1"
  tmux -L "$socket" -u -f /dev/null new-session -d -s "$session" -x 200 -y 50 \
    "bash '$work/runs.sh' $1 2>&1; sleep 120"
  tmux -L "$socket" set-option -t "$session" history-limit 20000 > /dev/null
  for _ in $(seq 300); do
    tmux -L "$socket" capture-pane -p -J -S - -t "$session" > "$2"
    grep -q '^RUNS-DONE' "$2" && return 0
    sleep 0.1
  done
  fail "the $1 runs did not finish"
}

run_in_tmux vi "$work/vi"
run_in_tmux en "$work/en"
echo "--- --lang vi:"; cat "$work/vi"
echo "--- --lang en:"; cat "$work/en"

# Every kind of run happened.
for text in "KẾT QUẢ: ĐÃ XÁC THỰC" "KẾT QUẢ: CHƯA XÁC THỰC" "thẻ đã hết hạn" "chấp nhận thẻ hết hạn" \
  "mà chính sách đòi hỏi bằng chứng chip là thật" "LỖI: từ chối truy cập" "6 chữ số cuối của số định danh" \
  "LỖI GHI ẢNH" "Tham số sau không dùng được" "DG1.bin" "Chứng thư CSCA"; do
  grep -qF "$text" "$work/vi" || fail "--lang vi: the pane lacks '$text'"
done
for text in "RESULT: VERIFIED" "RESULT: NOT VERIFIED" "the card has expired" "ERROR: access_denied" \
  "PHOTO NOT WRITTEN" "The following argument was not expected" "CSCA certificates"; do
  grep -qF "$text" "$work/en" || fail "--lang en: the pane lacks '$text'"
done

# English words of the finding texts, labels and errors (technical names such as Chip Authentication,
# PACE, EF.SOD are not words of either language).
english='the|and|not|was|is|of|with|over|by|from|passed|failed|verified|unknown|result|error|card|'\
'expired|validity|policy|accepted|signature|verifies|match|matches|agree|holds|holder|private|key|proved|'\
'signed|read|trusted|configured|document|signer|date|birth|expiry|name|sex|female|male|none|'\
'photo|file|files|folder|argument|expected|give|digits|number|certificates|countries'
if found=$(grep -owiE "$english" "$work/vi" | sort -u | tr '\n' ' ') && [ -n "$found" ]; then
  grep -niwE "$english" "$work/vi" | head -20
  fail "--lang vi shows English words: $found"
fi
vietnamese='đạt|KHÔNG ĐẠT|KẾT QUẢ|LỖI|thẻ|chip thật|Chính sách|xác thực|hết hạn|chữ ký|khớp|Giới tính|Nữ|'\
'Họ và tên|Ngày sinh|Tôn giáo|Không|tệp|chứng thư|kho tin cậy|Hiệu lực'
if found=$(grep -oE "$vietnamese" "$work/en" | sort -u | tr '\n' ' ') && [ -n "$found" ]; then
  grep -nE "$vietnamese" "$work/en" | head -20
  fail "--lang en shows Vietnamese words: $found"
fi
echo "--lang vi entirely Vietnamese, --lang en entirely English, over verified, not verified and error runs"

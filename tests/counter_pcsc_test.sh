#!/usr/bin/env bash
# The counter (issue 21) through the real PC/SC stack (pcscd + vsmartcard-vpcd + cccd-sim serve):
#   no_reader        pcscd stopped: `read --id ...` fails with the "no reader" exit code (9), in both
#                    languages and in JSON, and never mentions (or reads) a virtual card
#   wait_for_reader  pcscd stopped: `read --wait` waits; pcscd and a card come during the wait: verified
#   loop_qr          `read --loop --wait` in a tmux pane reads three citizens' cards in a row, each opened
#                    with the QR line typed at the question (as a USB scanner types it), all verified; a
#                    fourth card whose printed QR was forged (another name) is flagged by qr_consistency;
#                    a line from a scanner on an AZERTY layout is refused with the layout hint and
#                    asked again; no QR line is echoed on the screen; Ctrl-C at the question ends the
#                    loop with exit 0
# Starts its own pcscd and cccd-sim (tests/lib/pcscd_stack.sh) and stops exactly those.
# Usage: counter_pcsc_test.sh MODE CCCD_VERIFY CCCD_SIM
set -euo pipefail
mode=$1
verify=$2
sim=$3
source "$(dirname "$0")/lib/pcscd_stack.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8

fail() {
  echo "FAIL: $*"
  for log in out err pane sim.log; do
    [ -f "$work/$log" ] && { echo "--- $log"; cat "$work/$log"; }
  done
  exit 1
}
# Waits up to $2 seconds for the pattern $1 (grep -E) to appear $3 times in the output of command $4...
wait_for() {
  local pattern=$1 seconds=$2 count=$3
  shift 3
  for _ in $(seq $((seconds * 10))); do
    [ "$("$@" | grep -cE "$pattern" || true)" -ge "$count" ] && return 0
    sleep 0.1
  done
  return 1
}

case "$mode" in
  no_reader)
    stop_pcscd
    for lang in vi en; do
      set +e
      "$verify" read --id 001099012345 --lang "$lang" > "$work/out" 2> "$work/err"
      status=$?
      set -e
      [ "$status" -eq 9 ] || fail "--lang $lang: exit $status, expected 9 (no reader)"
      if grep -qiE 'virtual|ảo|--sim|VERIFIED|XÁC THỰC' "$work/out" "$work/err"; then
        fail "--lang $lang: the output mentions a virtual card or a verdict"
      fi
      cat "$work/err"
    done
    grep -q "LỖI: không có đầu đọc: Không có đầu đọc thẻ" <("$verify" read --id 001099012345 2>&1 || true) ||
      fail "no Vietnamese 'no reader' error"
    grep -q "ERROR: no_reader: No card reader" "$work/err" || fail "no English 'no reader' error"
    set +e
    "$verify" read --id 001099012345 --json > "$work/out" 2> "$work/err"
    status=$?
    set -e
    [ "$status" -eq 9 ] || fail "--json: exit $status, expected 9"
    grep -q '"code": "no_reader"' "$work/out" || fail "--json: no no_reader error document"
    if grep -qiE 'virtual' "$work/out" "$work/err"; then fail "--json mentions a virtual card"; fi
    # `readers` says the same with the same code.
    set +e
    "$verify" readers > "$work/out" 2>&1
    status=$?
    set -e
    [ "$status" -eq 9 ] || fail "readers: exit $status, expected 9"
    echo "pcscd stopped: read exits 9 with 'no reader' (vi, en, JSON), no virtual card"
    ;;
  wait_for_reader)
    "$sim" personalise "$work/card" > /dev/null
    stop_pcscd
    "$verify" read --wait 40 --id 001099012345 --lang en --trust "$work/card/csca.pem" > "$work/out" 2> "$work/err" &
    program_pid=$!
    sleep 3
    kill -0 "$program_pid" 2> /dev/null || fail "read --wait did not wait for the PC/SC service"
    start_pcscd
    sleep 1
    "$sim" serve --vpcd "$vpcd_address" "$work/card" >> "$work/sim.log" 2>&1 &
    sim_pid=$!
    set +e
    wait "$program_pid"
    status=$?
    set -e
    program_pid=""
    [ "$status" -eq 0 ] || fail "read --wait: exit $status, expected 0 once pcscd and the card came"
    grep -q "RESULT: VERIFIED" "$work/out" || fail "not verified"
    grep -q "Source:                 PC/SC reader" "$work/out" || fail "the source is not said"
    echo "read --wait: waited for the PC/SC service and the reader, then verified the card"
    ;;
  loop_qr)
    command -v tmux > /dev/null || { echo "SKIP: no tmux"; exit 77; }
    socket="cccd-counter-test-$$-$RANDOM"
    tmux_cleanup() {
      tmux -L "$socket" kill-server 2> /dev/null || true
      pcscd_stack_cleanup
    }
    trap tmux_cleanup EXIT
    "$sim" personalise "$work/c1" --id 001099012345 --seed 1 > /dev/null
    "$sim" personalise "$work/c2" --id 079062000123 --name "Trần Văn Nam" --birth 1962-08-02 --sex M \
      --issue 2022-01-15 --expiry none --seed 2 > /dev/null
    "$sim" personalise "$work/c3" --id 048201009876 --name "Lê Hoàng Anh Thư" --birth 2001-12-24 --sex F \
      --issue 2023-09-30 --expiry 2026-12-24 --seed 3 > /dev/null
    trust=()
    for card in c1 c2 c3; do
      "$sim" qr "$work/$card" > "$work/$card.qr"
      trust+=(--trust "$work/$card/csca.pem")
    done
    # A forged front: card 1's QR code with another name printed over its genuine chip.
    sed 's/|Nguyễn Thị Thu Hà|/|Nguyễn Thị Thu Hằng|/' "$work/c1.qr" > "$work/forged.qr"
    cmp -s "$work/c1.qr" "$work/forged.qr" && fail "the forged QR line is not different"

    capture() { tmux -L "$socket" capture-pane -p -J -S -5000 -t desk; }
    tmux -L "$socket" -u -f /dev/null new-session -d -s desk -x 200 -y 60 \
      "'$verify' read --loop --wait ${trust[*]}; echo EXIT=\$?; sleep 120"
    tmux -L "$socket" set-option -t desk history-limit 10000 > /dev/null
    # One citizen: the question, the QR line typed (each character, as a scanner types, then Enter), the
    # card on the reader, its result, the card taken away.
    asked=0  # questions answered so far
    serve_citizen() { # $1: number of this card in the loop, $2: QR file, $3: card folder
      asked=$((asked + 1))
      wait_for "Quét mã QR" 20 "$asked" capture || { capture > "$work/pane"; fail "no question for card $1"; }
      tmux -L "$socket" send-keys -t desk -l "$(cat "$2")"
      tmux -L "$socket" send-keys -t desk Enter
      wait_for "Đã nhận số định danh \*+[0-9]{3} \(từ mã QR\)" 10 "$1" capture ||
        { capture > "$work/pane"; fail "QR line $1 not taken"; }
      "$sim" serve --vpcd "$vpcd_address" "$3" >> "$work/sim.log" 2>&1 &
      sim_pid=$!
      wait_for "Xin lấy thẻ ra" 40 "$1" capture || { capture > "$work/pane"; fail "card $1 not read"; }
      kill "$sim_pid" && wait "$sim_pid" 2> /dev/null || true
      sim_pid=""
    }
    # A scanner on a French AZERTY layout types the digits as symbols: refused, asked again.
    wait_for "Quét mã QR" 20 1 capture || { capture > "$work/pane"; fail "no first question"; }
    tmux -L "$socket" send-keys -t desk -l "àà&àççà&é\"'(|034190001234|Nguyễn Thị Thu Hà|17051990|Nữ|Hà Nội|10042021"
    tmux -L "$socket" send-keys -t desk Enter
    wait_for "Kiểm tra kiểu bàn phím \(keyboard layout\) của máy quét" 10 1 capture ||
      { capture > "$work/pane"; fail "the AZERTY line was not refused with the layout hint"; }
    asked=1
    started=$(date +%s)
    serve_citizen 1 "$work/c1.qr" "$work/c1"
    serve_citizen 2 "$work/c2.qr" "$work/c2"
    serve_citizen 3 "$work/c3.qr" "$work/c3"
    serve_citizen 4 "$work/forged.qr" "$work/c1"
    elapsed=$(($(date +%s) - started))
    wait_for "Quét mã QR" 20 6 capture || { capture > "$work/pane"; fail "no question after card 4"; }
    tmux -L "$socket" send-keys -t desk C-c
    wait_for "^EXIT=" 10 1 capture || { capture > "$work/pane"; fail "Ctrl-C did not end the loop"; }
    capture > "$work/pane"
    cat "$work/pane"
    grep -q "^EXIT=0" "$work/pane" || fail "the loop did not exit 0"
    grep -q "Đã dừng. Số thẻ đã đọc: 4" "$work/pane" || fail "no stop line with 4 cards"
    # Each card under its header, with its own citizen.
    section() { sed -n "/===== Thẻ số $1 =====/,/===== Thẻ số $(($1 + 1)) =====/p" "$work/pane"; }
    for n in 1 2 3; do
      section "$n" | grep -q "KẾT QUẢ: ĐÃ XÁC THỰC" || fail "card $n not verified"
      section "$n" | grep -q "Nguồn:                  đầu đọc PC/SC" || fail "card $n: source not said"
      section "$n" | grep -q "Mã QR/chip (DG13):      đạt" || fail "card $n: the QR code does not match"
    done
    section 1 | grep -q "Nguyễn Thị Thu Hà" || fail "card 1 is not Nguyễn Thị Thu Hà"
    section 2 | grep -q "Trần Văn Nam" || fail "card 2 is not Trần Văn Nam"
    section 3 | grep -q "Lê Hoàng Anh Thư" || fail "card 3 is not Lê Hoàng Anh Thư"
    section 4 | grep -q "KẾT QUẢ: CHƯA XÁC THỰC" || fail "the forged front was verified"
    section 4 | grep -q "Mã QR/chip (DG13):      KHÔNG ĐẠT .*khác nhau ở: họ tên" || fail "the forged name not flagged"
    # The QR lines were typed with echo off: none reached the screen.
    for card in c1 c2 c3; do
      if grep -qF "$(cut -d'|' -f1-3 "$work/$card.qr")" "$work/pane"; then fail "a QR line was echoed"; fi
    done
    echo "desk loop: three citizens verified from their QR lines, a forged front flagged, in ${elapsed} s"
    ;;
  *)
    echo "unknown mode $mode"
    exit 2
    ;;
esac

#!/usr/bin/env bash
# The terminal run of the Show item: `cccd-verify read --sim ...` in a detached tmux session on a tmux
# server of its own (-L, a unique socket: no other tmux server is touched, and only this one is killed).
# The pane is captured while the card is read: the progress bar must advance (two captures with
# different progress), and the final pane must show the Vietnamese labels with their diacritics and the
# holder's name, with the bar erased.
# The virtual card answers in microseconds, so the read is slowed down for the captures with
# CCCD_TEST_READ_DELAY_MS (cccd-verify sleeps that long after each chunk read from a VIRTUAL card only;
# src/cli/progress_bar.hpp).
# Usage: progress_tmux_test.sh CCCD_VERIFY
set -euo pipefail
verify=$1
command -v tmux > /dev/null || { echo "SKIP: no tmux"; exit 77; }

socket="cccd-progress-test-$$-$RANDOM"
work=$(mktemp -d)
cleanup() {
  tmux -L "$socket" kill-server 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8

capture() { tmux -L "$socket" capture-pane -p -J -t desk; }

tmux -L "$socket" -u -f /dev/null new-session -d -s desk -x 150 -y 60 \
  "CCCD_TEST_READ_DELAY_MS=150 '$verify' read --sim --id 001099012345 --birth 1990-05-17 --expiry 2030-05-17; echo EXIT=\$?; sleep 120"

# Capture every 0.1 s until the program has ended, keeping the bar lines seen.
: > "$work/bars"
for _ in $(seq 300); do
  capture > "$work/pane"
  grep -E '\[[#.]{20}\] [0-9.]+/[0-9.?]+ KB' "$work/pane" >> "$work/bars" || true
  grep -q '^EXIT=' "$work/pane" && break
  sleep 0.1
done
capture > "$work/final"
echo "--- bar lines seen (distinct):"
sort -u "$work/bars" | head -20
echo "--- final pane:"
cat "$work/final"

fail() { echo "FAIL: $*"; exit 1; }
grep -q '^EXIT=0' "$work/final" || fail "cccd-verify did not exit 0"
distinct=$(sort -u "$work/bars" | wc -l)
[ "$distinct" -ge 2 ] || fail "the progress bar did not advance ($distinct distinct bar lines)"
# Advanced: some capture shows more files done than another.
files_done=$(grep -oE '· [0-9]+/[0-9]+' "$work/bars" | sort -u | wc -l)
[ "$files_done" -ge 2 ] || fail "the file count of the bar did not advance"
grep -q 'DG2 ' "$work/bars" || fail "no bar for DG2, the largest file"
for text in "KẾT QUẢ: ĐÃ XÁC THỰC" "Họ và tên:" "Quê quán:" "Nơi thường trú:" "Ngày sinh:" "Dân tộc:" \
  "Nguyễn Thị Thu Hà" "Xã Đông Hưng, Huyện Đông Hưng, Tỉnh Thái Bình"; do
  grep -qF "$text" "$work/final" || fail "the final pane lacks '$text'"
done
if grep -qE '\[[#.]{20}\]' "$work/final"; then fail "the progress bar was not erased"; fi
echo "progress bar advanced over $distinct captures; Vietnamese output with diacritics in the pane"

#!/usr/bin/env bash
# Checks udev/60-cccd-readers.rules: every line that is not blank or a comment must be one complete
# rule in the small subset of udev syntax the file uses, with 4-digit lowercase hex USB ids and no
# vendor:product pair listed twice. udev itself only logs a bad line and skips it, so a typo would
# silently leave a reader inaccessible; this test turns that into a failure with the line number.
#
# Usage: udev_rules_test.sh RULES_FILE
# Before checking RULES_FILE the script checks itself on known-bad lines, so a checker that
# accepts everything cannot pass.
set -u

# Prints "LINE: reason" for every problem in the file $1; returns 1 if there was any.
check_rules_file() {
  local file="$1"
  local -A seen_ids=()
  local line_number=0 failed=0 line
  while IFS= read -r line || [[ -n "$line" ]]; do
    line_number=$((line_number + 1))
    [[ "$line" =~ ^[[:space:]]*(#.*)?$ ]] && continue
    check_rule_fields "$line"
    if [[ -n "$RULE_PROBLEM" ]]; then
      echo "${file}:${line_number}: ${RULE_PROBLEM}"
      failed=1
      continue
    fi
    local id="${RULE_VENDOR}:${RULE_PRODUCT}"
    if [[ -n "${seen_ids[$id]:-}" ]]; then
      echo "${file}:${line_number}: ${id} already listed on line ${seen_ids[$id]}"
      failed=1
    else
      seen_ids[$id]=$line_number
    fi
  done <"$file"
  return $failed
}

# Checks one rule line. Leaves the problem in RULE_PROBLEM (empty if the line is good) and the ids
# in RULE_VENDOR / RULE_PRODUCT. Globals rather than output, because the caller needs all three.
check_rule_fields() {
  local rest="$1"
  RULE_VENDOR="" RULE_PRODUCT="" RULE_PROBLEM=""
  local has_assignment=0
  local pair='^[[:space:]]*([A-Z]+(\{[A-Za-z_][A-Za-z0-9_]*\})?)(==|!=|\+=|=)"([^"]*)"[[:space:]]*(,|$)'
  while [[ -n "${rest//[[:space:]]/}" ]]; do
    if ! [[ "$rest" =~ $pair ]]; then
      RULE_PROBLEM="not KEY==\"value\" / KEY=\"value\" pairs separated by commas near: ${rest}"
      return
    fi
    local key="${BASH_REMATCH[1]}" op="${BASH_REMATCH[3]}" value="${BASH_REMATCH[4]}"
    local separator="${BASH_REMATCH[5]}"
    rest="${rest:${#BASH_REMATCH[0]}}"
    if [[ "$separator" == "," && -z "${rest//[[:space:]]/}" ]]; then
      RULE_PROBLEM="trailing comma"
      return
    fi
    case "$key" in
      SUBSYSTEM)
        [[ "$op" == "==" || "$op" == "!=" ]] || { RULE_PROBLEM="SUBSYSTEM needs == or !="; return; }
        [[ -n "$value" ]] || { RULE_PROBLEM="SUBSYSTEM value is empty"; return; } ;;
      "ATTRS{idVendor}" | "ATTRS{idProduct}")
        [[ "$op" == "==" ]] || { RULE_PROBLEM="${key} needs =="; return; }
        [[ "$value" =~ ^[0-9a-f]{4}$ ]] || { RULE_PROBLEM="${key} \"${value}\" is not 4 lowercase hex digits"; return; }
        if [[ "$key" == "ATTRS{idVendor}" ]]; then
          [[ -z "$RULE_VENDOR" ]] || { RULE_PROBLEM="idVendor given twice"; return; }
          RULE_VENDOR="$value"
        else
          [[ -z "$RULE_PRODUCT" ]] || { RULE_PROBLEM="idProduct given twice"; return; }
          RULE_PRODUCT="$value"
        fi ;;
      MODE)
        [[ "$op" == "=" ]] || { RULE_PROBLEM="MODE needs ="; return; }
        [[ "$value" =~ ^0[0-7]{3}$ ]] || { RULE_PROBLEM="MODE \"${value}\" is not an octal mode like 0660"; return; }
        has_assignment=1 ;;
      GROUP)
        [[ "$op" == "=" ]] || { RULE_PROBLEM="GROUP needs ="; return; }
        [[ "$value" =~ ^[a-z_][a-z0-9_-]*$ ]] || { RULE_PROBLEM="GROUP \"${value}\" is not a group name"; return; }
        has_assignment=1 ;;
      TAG)
        [[ "$op" == "+=" ]] || { RULE_PROBLEM="TAG needs +="; return; }
        [[ "$value" =~ ^[A-Za-z0-9_-]+$ ]] || { RULE_PROBLEM="TAG \"${value}\" is not a tag name"; return; }
        has_assignment=1 ;;
      ENV\{*\})
        [[ "$op" == "==" || "$op" == "!=" || "$op" == "=" ]] || { RULE_PROBLEM="${key} needs ==, != or ="; return; }
        [[ "$op" == "=" ]] && has_assignment=1 ;;
      *)
        RULE_PROBLEM="unknown key ${key}"
        return ;;
    esac
  done
  [[ -n "$RULE_VENDOR" ]] || { RULE_PROBLEM="no ATTRS{idVendor}"; return; }
  [[ -n "$RULE_PRODUCT" ]] || { RULE_PROBLEM="no ATTRS{idProduct}"; return; }
  [[ $has_assignment == 1 ]] || { RULE_PROBLEM="rule assigns nothing (no MODE, GROUP, TAG or ENV)"; return; }
}

self_test() {
  local scratch
  scratch="$(mktemp -d)" || return 1
  local good='SUBSYSTEM=="usb", ATTRS{idVendor}=="072f", ATTRS{idProduct}=="2200", MODE="0660", GROUP="plugdev", TAG+="uaccess"'
  local -a bad_lines=(
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="072F", ATTRS{idProduct}=="2201", MODE="0660"'
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="72f", ATTRS{idProduct}=="2201", MODE="0660"'
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="072f", ATTRS{idProduct}=="2201" MODE="0660"'
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="072f", ATTRS{idProduct}=="2201", MODE="0660",'
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="072f", ATTRS{idProduct}=="2201", MODE="0660", RUN+="/bin/sh"'
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="072f", ATTRS{idProduct}=="2201", MODE=="0660"'
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="072f", ATTRS{idProduct}=="2201", MODE="660"'
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="072f", ATTRS{idProduct}=="2201", GROUP="plugdev'
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="072f", MODE="0660"'
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="072f", ATTRS{idProduct}=="2201"'
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="072f", ATTRS{idVendor}=="072f", ATTRS{idProduct}=="2201", MODE="0660"'
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="072f", ATTRS{idProduct}=="2201", TAG="uaccess"'
    "$good" # the same reader twice
  )
  local failed=0 bad
  for bad in "${bad_lines[@]}"; do
    printf '# header\n%s\n\n%s\n' "$good" "$bad" >"${scratch}/bad.rules"
    local output
    output="$(check_rules_file "${scratch}/bad.rules")" && {
      echo "self-test: accepted a bad line: ${bad}"
      failed=1
      continue
    }
    [[ "$output" == "${scratch}/bad.rules:4: "* ]] || {
      echo "self-test: bad line not reported as line 4: ${output}"
      failed=1
    }
  done
  printf '# header\n\n%s\n' "$good" >"${scratch}/good.rules"
  check_rules_file "${scratch}/good.rules" >/dev/null || {
    echo "self-test: rejected a good file"
    failed=1
  }
  rm -rf "$scratch"
  return $failed
}

if [[ $# -ne 1 ]]; then
  echo "usage: $0 RULES_FILE" >&2
  exit 2
fi
self_test || exit 1
check_rules_file "$1" || exit 1
echo "$1: all rules well formed"

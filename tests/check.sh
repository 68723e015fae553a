# The shell tests' checks (sourced): `check NAME COMMAND...` runs COMMAND and counts it; when it fails, NAME and
# what it printed are shown. `check_summary` prints the counts and fails when a check did.
passed=0
failed=0
check_output=$(mktemp)
check() {
  local name=$1
  shift
  if "$@" > "$check_output" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name"
    cat "$check_output"
  fi
}
check_summary() {
  rm -f "$check_output"
  echo "$passed passed, $failed failed"
  test "$failed" -eq 0
}

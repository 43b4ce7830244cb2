# Sourced by scripts/test and scripts/demo: make sure .venv exists and holds this project.
# Reinstalls only when pyproject.toml changed since the last install, so a warm run costs nothing.
ensure_venv() {
  local root stamp want
  root=$(pwd)
  if [ ! -x "$root/.venv/bin/python" ]; then
    echo "creating .venv (first run only)" >&2
    python3 -m venv "$root/.venv"
  fi
  want=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest())')
  stamp="$root/.venv/.imagegate-installed"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "installing imagegate and its dependencies into .venv" >&2
    "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev]" 2>&1 \
      | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
    "$root/.venv/bin/python" -c "import infra, smoke, emulator, pulumi_azure_native" \
      || { echo "install into .venv failed; see pip's output above" >&2; return 1; }
    echo "$want" > "$stamp"
  fi
}

#!/usr/bin/env bash
# Renders the figures of docs/writeup.md: docs/figures/*.dot with Graphviz
# (apt-get install -y graphviz) and docs/figures/*.py (small generators, python3).
#   scripts/render-figures.sh          # rewrite the SVGs
#   scripts/render-figures.sh --check  # fail if an SVG is stale (same Graphviz version)
set -euo pipefail
cd "$(dirname "$0")/../docs/figures"
render() {
  case $1 in
    *.dot) command -v dot >/dev/null || { echo "need Graphviz: apt-get install -y graphviz" >&2; exit 1; }
           dot -Tsvg "$1" ;;
    *.py)  python3 "$1" ;;
  esac
}
stale=0
for source in *.dot *.py; do
  svg=${source%.*}.svg
  if [[ ${1:-} == --check ]]; then
    if ! render "$source" | cmp -s - "$svg"; then
      echo "docs/figures/$svg is stale: run scripts/render-figures.sh" >&2
      stale=1
    fi
  else
    render "$source" > "$svg"
  fi
done
exit $stale

#!/usr/bin/env bash
# Compile every proof document of proofs/ into a temporary directory (or into
# $1 if given) and exit nonzero if one fails.  PDFs are build outputs: they
# are never committed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$(mktemp -d -t plrnn-proofs.XXXXXX)}"
mkdir -p "$out"
for tool in latexmk pdflatex; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found (apt-get install latexmk texlive-latex-base texlive-latex-extra)" >&2; exit 2; }
done
status=0
cd "$here"
for tex in [0-9][0-9]_*.tex; do
    if latexmk -pdf -interaction=nonstopmode -halt-on-error -outdir="$out" "$tex" >"$out/${tex%.tex}.latexmk.out" 2>&1; then
        log="$out/${tex%.tex}.log"
        if grep -q -E "LaTeX Warning: (Reference|Citation).*undefined|There were undefined references" "$log"; then
            echo "FAIL  $tex: undefined references (see $log)"
            status=1
        else
            echo "ok    $tex -> $out/${tex%.tex}.pdf"
        fi
    else
        echo "FAIL  $tex (see $out/${tex%.tex}.log)"
        status=1
    fi
done
exit $status

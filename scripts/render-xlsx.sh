#!/usr/bin/env bash
# Renders a workbook the way a person sees it on paper: LibreOffice (headless)
# prints it to PDF, pdftoppm turns each page into a PNG named after its
# sheet, e.g. out/render/Summary-1.png, out/render/Findings-1.png.
# Installs libreoffice-calc, poppler-utils and Carlito (metrically equal to
# Calibri, the workbook's font) with apt-get when missing.
# Without an argument it renders out/report.xlsx, scanning the demo tenant
# first when that file does not exist.
#
#   scripts/render-xlsx.sh [WORKBOOK.xlsx] [DPI]
#   scripts/render-xlsx.sh --docs    # also refresh docs/img/{summary,findings}.png
set -euo pipefail
cd "$(dirname "$0")/.."

docs=""
if [ "${1:-}" = "--docs" ]; then
  docs=1
  shift
fi
xlsx=${1:-out/report.xlsx}
dpi=${2:-110}
dir=$(dirname "$xlsx")/render

if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null || ! command -v pdftotext >/dev/null ||
  ! fc-list 2>/dev/null | grep -qi carlito; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "render: installing libreoffice-calc, poppler-utils and fonts-crosextra-carlito" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends libreoffice-calc poppler-utils fonts-crosextra-carlito >&2
fi

if [ ! -f "$xlsx" ]; then
  echo "render: $xlsx missing; scanning the demo tenant into $(dirname "$xlsx")" >&2
  go run ./cmd/exoready scan --demo --out "$(dirname "$xlsx")" >/dev/null || [ $? -eq 3 ]
fi

rm -rf "$dir"
mkdir -p "$dir"
# A private LibreOffice profile: no clash with a running instance or another
# render, nothing left in the user's home.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
soffice -env:UserInstallation="file://$profile" --headless --convert-to pdf --outdir "$dir" "$xlsx" >/dev/null 2>&1
pdf="$dir/$(basename "${xlsx%.*}").pdf"
[ -s "$pdf" ] || { echo "render: LibreOffice wrote no PDF for $xlsx" >&2; exit 1; }

# Every page footer names its sheet ("exoready <Sheet> Page n of m"):
# number the pages of each sheet from 1.
pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
declare -A seen=()
for ((p = 1; p <= pages; p++)); do
  sheet=$(pdftotext -f "$p" -l "$p" -layout "$pdf" - | awk '/Page [0-9]+ of [0-9]+/ {print $2; exit}')
  sheet=${sheet:-page}
  n=$((${seen[$sheet]:-0} + 1))
  seen[$sheet]=$n
  pdftoppm -f "$p" -l "$p" -r "$dpi" -png -singlefile "$pdf" "$dir/$sheet-$n"
done
ls "$dir"/*.png

if [ -n "$docs" ]; then
  # The README pictures: the Summary page, and the top of the first
  # Findings page, small enough to keep in git.
  first_findings=$(for ((p = 1; p <= pages; p++)); do
    pdftotext -f "$p" -l "$p" -layout "$pdf" - | grep -q 'Findings *Page [0-9]' && { echo "$p"; break; }
  done)
  mkdir -p docs/img
  pdftoppm -f 1 -l 1 -r 84 -png -singlefile -x 0 -y 20 -W 714 -H 900 "$pdf" docs/img/summary
  pdftoppm -f "$first_findings" -l "$first_findings" -r 96 -png -singlefile -x 30 -y 40 -W 1000 -H 330 "$pdf" docs/img/findings
  ls -l docs/img/summary.png docs/img/findings.png
fi

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
set -euo pipefail
cd "$(dirname "$0")/.."

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

#!/usr/bin/env bash
# Re-extracts every message from the sources into po/boxwarden.pot, then merges the .pot into
# each po/LANG.po (new messages come with an empty msgstr, changed ones as fuzzy: translate
# them, remove the fuzzy mark, and tests/cli/po_test.py passes again).
#   po/update.sh          update po/boxwarden.pot and every po/LANG.po
#   po/update.sh --pot F  only write the extracted template to F (tests/cli/po_test.py)
set -euo pipefail
cd "$(dirname "$0")/.."
pot=po/boxwarden.pot
if [ "${1:-}" = "--pot" ]; then pot=$2; fi
# Every C++ source that can hold a message: src/ and the vendor plugins, in a stable order.
find src vendors -name '*.cpp' -o -name '*.hpp' | LC_ALL=C sort > "$pot.files"
xgettext --language=C++ --from-code=UTF-8 -c --keyword=tr:1 --keyword=trn:1,2 --keyword=N_ \
  --package-name=boxwarden --msgid-bugs-address=boxwarden --sort-by-file --no-wrap \
  --files-from="$pot.files" -o "$pot"
rm -f "$pot.files"
if [ "${1:-}" = "--pot" ]; then exit 0; fi
while read -r lang; do
  case "$lang" in ''|'#'*) continue ;; esac
  msgmerge --quiet --update --backup=none --no-wrap --previous "po/$lang.po" "$pot"
done < po/LINGUAS

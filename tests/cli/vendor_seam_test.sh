#!/usr/bin/env bash
# A vendor is one folder (README, "Adding a box"): nothing under src/ names one. The ids come
# from `boxwarden vendors --format json`; no file under src/ may contain one, the way ids are
# written in code, JSON values and file names. Prose may name a box ("a Livebox that..."); code
# may not branch on one. Environment: BOXWARDEN (the binary), SOURCE_DIR.
set -u
src=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
ids=$("$BOXWARDEN" vendors --format json | python3 -c 'import json, sys; print("\n".join(v["id"] for v in json.load(sys.stdin)["vendors"]))')
failed=0
n=0
for id in $ids; do
    n=$((n + 1))
    if hits=$(grep -rn -- "$id" "$src/src"); then
        echo "FAIL src/ names the vendor '$id':"
        echo "$hits" | sed 's/^/     /'
        failed=1
    fi
done
if ((n < 3)); then
    echo "FAIL 'boxwarden vendors' listed only $n vendors"
    failed=1
fi
((failed)) || echo "ok   no vendor id under src/ ($n ids: $(echo $ids))"
exit $failed
